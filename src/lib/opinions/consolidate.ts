/**
 * Running a consolidation rule (docs/opinions.md, "Consolidation") in a query engine: the rule
 * and its parameters checked and completed with their defaults (what lineage records), the plan
 * run, and its result registered as a table so that distributions, comparisons between rules
 * and training branches read it without running the rule again.
 */
import { tableFromIPC } from 'apache-arrow';
import type { QueryEngine } from '../query/engine.ts';
import { LakeError } from '../store/errors.ts';
import { IdHasher } from './identity.ts';
import { canonicalJson } from '../versions/manifest.ts';
import { DAWID_SKENE_DEFAULTS, runDawidSkene, type DawidSkeneRun } from './dawid-skene.ts';
import {
  humanReviewSql,
  latestLeafSql,
  majoritySql,
  registered,
  weightedSql,
  type PlanTarget,
} from './sql.ts';

export const RULES = [
  'latest-leaf',
  'majority-of-leaves',
  'weighted',
  'dawid-skene',
  'human-review',
] as const;
export type RuleName = (typeof RULES)[number];

/** A rule and its complete parameters (defaults filled in), as lineage records them. */
export interface RuleSpec {
  rule: RuleName;
  params: Record<string, unknown>;
}

function bad(rule: string, problem: string): never {
  throw new LakeError('BAD_INPUT', `rule ${rule}: ${problem}`);
}

function positive(rule: string, name: string, v: unknown, fallback: number, integer = false) {
  if (v === undefined) return fallback;
  const n = typeof v === 'string' ? Number(v) : v;
  if (
    typeof n !== 'number' ||
    !(n > 0) ||
    !Number.isFinite(n) ||
    (integer && !Number.isInteger(n))
  ) {
    bad(
      rule,
      `${name} must be a ${integer ? 'whole number' : 'number'} > 0, not ${JSON.stringify(v)}`,
    );
  }
  return n;
}

/** Checks a rule name and its parameters; unknown parameters are refused (typos must show). */
export function ruleSpec(rule: string, params: Record<string, unknown> = {}): RuleSpec {
  if (!(RULES as readonly string[]).includes(rule)) {
    throw new LakeError('BAD_INPUT', `unknown rule "${rule}"; the rules are: ${RULES.join(', ')}`);
  }
  const allowed: Record<RuleName, string[]> = {
    'latest-leaf': [],
    'majority-of-leaves': [],
    'human-review': [],
    weighted: ['weights', 'default'],
    'dawid-skene': ['smoothing', 'tolerance', 'maxIterations'],
  };
  for (const k of Object.keys(params)) {
    if (!allowed[rule as RuleName].includes(k)) {
      bad(
        rule,
        `unknown parameter "${k}"${allowed[rule as RuleName].length ? `; it takes: ${allowed[rule as RuleName].join(', ')}` : '; it takes none'}`,
      );
    }
  }
  if (rule === 'weighted') {
    const w = params.weights ?? {};
    if (!w || typeof w !== 'object' || Array.isArray(w))
      bad(rule, 'weights must be {actor: weight}');
    const weights: Record<string, number> = {};
    for (const [a, x] of Object.entries(w as Record<string, unknown>)) {
      const n = typeof x === 'string' ? Number(x) : x;
      if (typeof n !== 'number' || !(n >= 0) || !Number.isFinite(n)) {
        bad(rule, `the weight of ${a} must be a number ≥ 0, not ${JSON.stringify(x)}`);
      }
      weights[a] = n;
    }
    const d = params.default ?? 1;
    const fallback = typeof d === 'string' ? Number(d) : d;
    if (typeof fallback !== 'number' || !(fallback >= 0)) bad(rule, 'default must be a number ≥ 0');
    return { rule, params: { weights, default: fallback } };
  }
  if (rule === 'dawid-skene') {
    const D = DAWID_SKENE_DEFAULTS;
    return {
      rule,
      params: {
        smoothing: positive(rule, 'smoothing', params.smoothing, D.smoothing),
        tolerance: positive(rule, 'tolerance', params.tolerance, D.tolerance),
        maxIterations: positive(rule, 'maxIterations', params.maxIterations, D.maxIterations, true),
      },
    };
  }
  return { rule: rule as RuleName, params: {} };
}

/** A rule's result, registered in the engine as `table`. */
export interface RuleRun {
  target: PlanTarget;
  spec: RuleSpec;
  /** The registered table holding the result rows (sql.ts RESULT_COLUMNS). */
  table: string;
  rows: number;
  ok: number;
  review: number;
  /** Dawid–Skene only: how its loop ended. */
  em?: DawidSkeneRun;
}

/** The plan of a rule other than dawid-skene. */
export function ruleSql(target: PlanTarget, spec: RuleSpec): string {
  switch (spec.rule) {
    case 'latest-leaf':
      return latestLeafSql(target);
    case 'majority-of-leaves':
      return majoritySql(target);
    case 'human-review':
      return humanReviewSql(target);
    case 'weighted':
      return weightedSql(
        target,
        spec.params.weights as Record<string, number>,
        spec.params.default as number,
      );
    case 'dawid-skene':
      throw new LakeError('BAD_INPUT', 'dawid-skene runs several statements: use runRule');
  }
}

const runs = new WeakMap<QueryEngine, Map<string, Promise<RuleRun>>>();

/**
 * Runs `spec` over the opinions of `target` in `engine` (once per engine: the same target and
 * rule again reuse the registered result). No opinions about the question is BAD_INPUT.
 */
export function runRule(
  engine: QueryEngine,
  target: PlanTarget,
  spec: RuleSpec,
  signal?: AbortSignal,
): Promise<RuleRun> {
  let cache = runs.get(engine);
  if (!cache) runs.set(engine, (cache = new Map()));
  const key = canonicalJson({ target, spec });
  const hit = cache.get(key);
  if (hit) return hit;
  const run = runUncached(engine, target, spec, key, signal);
  cache.set(key, run);
  run.catch(() => cache.delete(key));
  return run;
}

async function runUncached(
  engine: QueryEngine,
  target: PlanTarget,
  spec: RuleSpec,
  key: string,
  signal?: AbortSignal,
): Promise<RuleRun> {
  const name = `_opinions_${(await IdHasher.create()).hex(key).slice(0, 16)}`;
  const opts = signal ? { signal } : {};
  let ipc: Uint8Array;
  let rows: number;
  let em: DawidSkeneRun | undefined;
  if (spec.rule === 'dawid-skene') {
    const r = await runDawidSkene(engine, target, spec.params as never, name, signal);
    ({ ipc, rows, run: em } = r);
  } else {
    ({ ipc, rows } = await engine.query(ruleSql(target, spec), opts));
  }
  if (!rows) {
    throw new LakeError(
      'BAD_INPUT',
      `no opinions about question "${target.question}" in ${target.dataset} at ${target.commit.slice(0, 12)}`,
    );
  }
  await engine.registerTable(name, [ipc], opts);
  const counts = tableFromIPC(
    (
      await engine.query(
        `SELECT count(*) FILTER (WHERE status = 'ok') AS ok, count(*) FILTER (WHERE status = 'review') AS review FROM ${registered(name)}`,
        opts,
      )
    ).ipc,
  );
  return {
    target,
    spec,
    table: name,
    rows,
    ok: Number(counts.getChild('ok')!.get(0)),
    review: Number(counts.getChild('review')!.get(0)),
    ...(em ? { em } : {}),
  };
}
