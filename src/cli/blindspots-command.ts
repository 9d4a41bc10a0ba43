/**
 * `croissant-lake blindspots <dataset> <evaluation-branch>`: the whole blind-spot analysis
 * (issue 15) on a lake in Node: SliceLine over every metadata column, embedding clusters and
 * label-noise suspects, printed as text (default) or as the report's JSON, and stored on the
 * branch (`blindspots` record set) unless --no-store. Progress goes to stderr.
 */
import { DEFAULT_BLINDSPOT_PARAMS, runBlindspots } from '../lib/analysis/blindspots.ts';
import type { Estimate } from '../lib/analysis/bootstrap.ts';
import type { BlindspotParams, BlindspotReport } from '../lib/analysis/blindspots-types.ts';
import { LakeError } from '../lib/store/errors.ts';
import { need, str, type CommandContext, type Values } from './lake-cli.ts';

const bad = (m: string) => new LakeError('BAD_INPUT', m);

function number(values: Values, key: string, int: boolean): number | undefined {
  const s = str(values, key);
  if (s === undefined) return undefined;
  const v = Number(s);
  if (s.trim() === '' || !Number.isFinite(v) || (int && !Number.isSafeInteger(v))) {
    throw bad(`--${key} must be ${int ? 'an integer' : 'a number'}, got "${s}"`);
  }
  return v;
}

/** The parameters the options give (checked again, with their ranges, by runBlindspots). */
export function paramsOf(values: Values): Partial<BlindspotParams> {
  const p: Partial<BlindspotParams> = {};
  const alpha = number(values, 'alpha', false);
  const minSupport = number(values, 'min-support', false);
  const maxLevel = number(values, 'max-level', true);
  const k = number(values, 'k', true);
  const seed = number(values, 'seed', true);
  if (alpha !== undefined) p.alpha = alpha;
  if (minSupport !== undefined) p.minSupport = minSupport;
  if (maxLevel !== undefined) p.maxLevel = maxLevel;
  if (k !== undefined) p.k = k;
  if (seed !== undefined) p.seed = seed;
  const columns = str(values, 'columns');
  if (columns !== undefined) {
    const list = columns
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    if (!list.length)
      throw bad(`--columns must name columns separated by commas, got "${columns}"`);
    p.columns = list;
  }
  const error = str(values, 'error');
  if (error !== undefined) p.error = error;
  return p;
}

const f3 = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3));
const ci = (e: Estimate) => `${f3(e.value)} [${f3(e.lo)}, ${f3(e.hi)}]`;

/** The report as the text `blindspots` prints. */
export function reportText(r: BlindspotReport, commit: string | null): string[] {
  const p = r.params;
  const out = [
    `Blind spots of ${r.model.name} on ${r.overall.rows} row(s) of ${r.recordSet}` +
      ` (${r.dataset}, ${r.branch} at ${r.commit.slice(0, 12)}; predictions: ${r.predictions})`,
    `Overall ${p.error} error rate: ${ci(r.overall.errorRate)}`,
    '',
    `Slices (α ${p.alpha}, min support ${p.minSupport}, max level ${p.maxLevel}, K ${p.k};` +
      ` ${r.features.length} feature(s)):`,
  ];
  if (!r.slices.length) out.push('  none: no slice does worse than average with enough rows');
  for (const s of r.slices) {
    const pred = s.predicates.map((x) => `${x.feature} → ${x.level}`).join(', ');
    out.push(`  ${s.rank}. ${pred}`);
    out.push(`     size ${s.size}  error rate ${ci(s.errorRate)}  score ${s.score.toFixed(4)}`);
    if (s.sameRows?.length) out.push(`     same rows as: ${s.sameRows.join('; ')}`);
  }
  out.push('', `Clusters (k = ${r.clusters.k}; ${r.clusters.criterion}):`);
  if (!r.clusters.items.length) out.push('  none');
  for (const c of r.clusters.items) {
    const why = c.unexplained
      ? 'no metadata explains it'
      : c.explanations
          .slice(0, 3)
          .map((e) => `${e.feature} → ${e.level} (lift ${e.lift.toFixed(2)}, ${e.support} rows)`)
          .join('; ');
    out.push(
      `  cluster ${c.id}: ${c.size} rows, error rate ${ci(c.errorRate)}, lift ${ci(c.lift)}; ${why}`,
    );
  }
  const s = r.suspects;
  out.push('', `Label-noise suspects: ${s.items.length} row(s)`);
  for (const g of s.groups.slice(0, 10)) {
    out.push(
      `  ${g.feature} → ${g.level}: ${g.suspects} of ${g.rows} rows suspect (lift ${g.lift.toFixed(2)})`,
    );
  }
  for (const x of s.items.slice(0, 10)) {
    const ctx = Object.entries(x.context)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    out.push(
      `  row ${x.rowId}: label ${x.label}, predicted ${x.predicted} (confidence ${f3(x.confidence)}, mistakenness ${f3(x.mistakenness)}) ${ctx}`.trimEnd(),
    );
  }
  out.push(
    '',
    commit
      ? `Stored as commit ${commit} on ${r.branch} (record set blindspots).`
      : 'Not stored (--no-store).',
  );
  return out;
}

/** Runs `blindspots`. */
export async function blindspotsCommand(c: CommandContext): Promise<number> {
  const { lake, args, values, signal, who } = c;
  const dataset = need(args[0], 'the dataset');
  const branch = need(args[1], 'the evaluation branch (the one evaluate wrote predictions onto)');
  const format = str(values, 'format') ?? 'text';
  if (format !== 'text' && format !== 'json') {
    throw bad(`--format must be text or json, got "${format}"`);
  }
  const params = { ...DEFAULT_BLINDSPOT_PARAMS, ...paramsOf(values) };
  let last = '';
  const run = await runBlindspots(lake, {
    dataset,
    branch,
    params,
    store: !values['no-store'],
    signal,
    ...(str(values, 'record-set') ? { recordSet: str(values, 'record-set')! } : {}),
    ...(str(values, 'predictions') ? { predictions: str(values, 'predictions')! } : {}),
    ...(who.author ? { author: who.author } : {}),
    onProgress: ({ stage, done, total }) => {
      // A line per stage and per tenth of it, so a long stage shows it is moving.
      const line = `${stage}: ${total ? Math.floor((done / total) * 10) : 0}`;
      if (line !== last) console.error(`${stage}: ${done}/${total}`);
      last = line;
    },
  }).catch((e: unknown) => {
    // The command line has one more way out than the library's message says.
    if (e instanceof LakeError && e.code === 'PROTECTED_BRANCH')
      throw new LakeError(
        e.code,
        `${e.message}; or pass --no-store to print the report without storing it`,
      );
    throw e;
  });
  if (format === 'json') console.log(JSON.stringify(run.report, null, 2));
  else for (const l of reportText(run.report, run.commit)) console.log(l);
  return 0;
}
