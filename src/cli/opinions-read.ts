/**
 * The opinions commands that read through the query engine (DuckDB-WASM in this process):
 * `log` (one subject's graph), `leaves`, `consolidate` (and saving a training branch) and
 * `agreement`.
 */
import { tableFromIPC } from 'apache-arrow';
import { agreementStats } from '../lib/opinions/agreement.ts';
import { annotatorTable } from '../lib/opinions/annotators.ts';
import { ruleSpec, runRule, type RuleRun } from '../lib/opinions/consolidate.ts';
import { layers, subjectGraph } from '../lib/opinions/graph.ts';
import { DEFAULT_OPINIONS_BRANCH } from '../lib/opinions/model.ts';
import { pickQuestion } from '../lib/opinions/revision.ts';
import { leavesSql, registered, type PlanTarget } from '../lib/opinions/sql.ts';
import { SubjectIndex } from '../lib/opinions/subjects.ts';
import { saveTrainingBranch } from '../lib/opinions/training.ts';
import { openNodeQueryEngine } from '../lib/query/duckdb-node.ts';
import type { QueryEngine } from '../lib/query/engine.ts';
import { LakeError } from '../lib/store/errors.ts';
import { contentHash } from '../lib/versions/content-hash.ts';
import { recordSetOf, scanRows } from '../lib/versions/read.ts';
import { need, str, type CommandContext } from './lake-cli.ts';
import { readWeights, subjectKeyOf, subjectSetOf } from './opinions-cli.ts';

/** The subcommands this module runs. */
export const READ_SUBCOMMANDS = new Set(['log', 'leaves', 'consolidate', 'agreement']);

const time = (ms: number | null) => (ms === null ? '(no time)' : new Date(ms).toISOString());

/** `--param k=v` options: values read as JSON when they are JSON, else as text. */
function paramsOf(c: CommandContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of (c.values.param as string[] | undefined) ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) return need(undefined, `--param K=V, not "${kv}"`) as never;
    const v = kv.slice(i + 1);
    try {
      out[kv.slice(0, i)] = JSON.parse(v);
    } catch {
      out[kv.slice(0, i)] = v;
    }
  }
  const weights = str(c.values, 'weights');
  if (weights) out.weights = readWeights(weights);
  return out;
}

async function target(c: CommandContext, revArg: number): Promise<PlanTarget> {
  const dataset = need(c.args[1], 'the dataset');
  const rev = c.args[revArg] ?? DEFAULT_OPINIONS_BRANCH;
  const commit = await c.lake.resolve(dataset, rev);
  const question = await pickQuestion(
    c.lake,
    await c.lake.readCommit(commit),
    str(c.values, 'question'),
  );
  return { dataset, commit, question };
}

async function logCommand(c: CommandContext, engine: QueryEngine): Promise<number> {
  const subject = need(c.args[2], 'the subject (#ROWID, or a key of the subject record set)');
  const t = await target(c, 3);
  const rev = c.args[3] ?? DEFAULT_OPINIONS_BRANCH;
  const set = await subjectSetOf(c.lake, t.dataset, rev, c.values);
  const byRow = /^#(\d+)$/.exec(subject);
  if (!byRow && subject.startsWith('#')) {
    throw new LakeError(
      'BAD_INPUT',
      `subject ${subject}: after # comes a row id, in digits (#123); give a key of ${set} without #`,
    );
  }
  let row: bigint;
  if (byRow) {
    row = BigInt(byRow[1]!);
    // A row the subject set does not have is no subject: said, as a missing key is.
    const [, rs] = recordSetOf(await c.lake.readCommit(t.commit), set);
    let found = false;
    for await (const batch of scanRows(c.lake.chunks, rs, `record set ${set}`, undefined, [])) {
      if (batch.some((r) => r.rowid === row)) {
        found = true;
        break;
      }
    }
    if (!found)
      throw new LakeError(
        'UNKNOWN_SUBJECT',
        `${set} has no row with _rowid ${row} at commit ${t.commit.slice(0, 12)}`,
      );
  } else {
    const key = need(
      await subjectKeyOf(c.lake, t.dataset, rev, set, c.values),
      `--subject-key (no key is declared for ${set})`,
    );
    const index = await SubjectIndex.load(c.lake.chunks, await c.lake.readCommit(t.commit), [
      { set, key: subject, keyColumn: key },
    ]);
    row = index.rowOf({ set, key: subject, keyColumn: key }, `subject ${subject}`);
  }
  const nodes = await subjectGraph(engine, t, set, row, c.signal);
  const leaves = nodes.filter((n) => n.leaf).length;
  console.log(
    `${set} row ${row}, question ${t.question}: ${nodes.length} opinion(s), ${leaves} leaf/leaves`,
  );
  layers(nodes).forEach((layer, depth) => {
    for (const n of layer) {
      const corrects = n.parents.length
        ? `  corrects ${n.parents.map((p) => p.slice(0, 12)).join(', ')}`
        : '';
      console.log(
        `${'  '.repeat(depth)}${n.leaf ? '*' : '-'} ${n.id.slice(0, 12)}  ${time(n.createdAt)}  ${n.actorKind} ${n.actorId}: ${n.value}${n.confidence === null ? '' : ` (${n.confidence})`}${corrects}`,
      );
    }
  });
  return 0;
}

async function leavesCommand(c: CommandContext, engine: QueryEngine): Promise<number> {
  const t = await target(c, 2);
  const r = await engine.query(leavesSql(t), {
    signal: c.signal,
    ...(c.limit === undefined ? {} : { limit: c.limit }),
  });
  for (const row of tableFromIPC(r.ipc).toArray() as Record<string, unknown>[]) {
    const o: Record<string, unknown> = {};
    for (const k of [
      'opinion_id',
      'subject_set',
      'subject_row',
      'value',
      'confidence',
      'actor_kind',
      'actor_id',
      'parents',
      'created_at',
    ]) {
      const v = row[k];
      o[k] =
        typeof v === 'bigint'
          ? v.toString()
          : k === 'created_at' && v !== null
            ? time(Number(v))
            : v;
    }
    process.stdout.write(JSON.stringify(o) + '\n');
  }
  if (r.truncated) console.error(`(first ${r.rows} leaves; -n N for more)`);
  return 0;
}

async function distribution(engine: QueryEngine, run: RuleRun) {
  const t = tableFromIPC(
    (
      await engine.query(
        `SELECT coalesce(value, '(review)') AS value, count(*) AS n FROM ${registered(run.table)} GROUP BY 1 ORDER BY n DESC, value`,
      )
    ).ipc,
  );
  return (t.toArray() as { value: string; n: bigint }[]).map((r) => ({
    value: r.value,
    n: Number(r.n),
  }));
}

async function consolidateCommand(c: CommandContext, engine: QueryEngine): Promise<number> {
  const t = await target(c, 2);
  const spec = ruleSpec(str(c.values, 'rule') ?? 'majority-of-leaves', paramsOf(c));
  const save = str(c.values, 'save');
  const run = save
    ? (
        await saveTrainingBranch(c.lake, t.dataset, engine, {
          from: t.commit,
          question: t.question,
          spec,
          branch: save,
          signal: c.signal,
          ...(c.who.author ? { author: c.who.author } : {}),
        })
      ).run
    : await runRule(engine, t, spec, c.signal);
  const dist = await distribution(engine, run);
  const out = {
    dataset: t.dataset,
    opinions: t.commit,
    question: t.question,
    rule: spec.rule,
    params: spec.params,
    subjects: run.rows,
    ok: run.ok,
    review: run.review,
    ...(run.em ? { em: run.em } : {}),
    distribution: dist,
    ...(save ? { branch: save, commit: await c.lake.resolve(t.dataset, save) } : {}),
  };
  if (save) Object.assign(out, { contentHash: await contentHash(c.lake, out.commit!) });
  if (c.values.json) {
    console.log(JSON.stringify(out, null, 2));
    return 0;
  }
  console.log(
    `${t.question} by ${spec.rule} ${JSON.stringify(spec.params)} at ${t.commit.slice(0, 12)}: ${run.rows} subjects, ${run.ok} decided, ${run.review} to review`,
  );
  if (run.em)
    console.log(
      `  EM: ${run.em.iterations} iteration(s), ${run.em.converged ? 'converged' : 'stopped at the limit'} (last change ${run.em.lastChange.toExponential(2)})`,
    );
  for (const d of dist) console.log(`  ${d.value}\t${d.n}`);
  if (save)
    console.log(
      `saved training branch ${save} (protected) at ${out.commit}\n  content hash ${(out as { contentHash?: string }).contentHash}`,
    );
  return 0;
}

async function agreementCommand(c: CommandContext, engine: QueryEngine): Promise<number> {
  const t = await target(c, 2);
  const stats = await agreementStats(engine, t, c.signal);
  const run = await runRule(
    engine,
    t,
    ruleSpec(str(c.values, 'rule') ?? 'majority-of-leaves'),
    c.signal,
  );
  const table = await annotatorTable(engine, run, c.signal);
  const f = (x: number) => (Number.isNaN(x) ? 'n/a' : x.toFixed(3));
  console.log(
    `${t.question}: ${stats.subjects} subject(s) rated twice or more by ${stats.raters} rater(s)`,
  );
  console.log(`  Fleiss' kappa ${f(stats.fleiss)}  Krippendorff's alpha ${f(stats.krippendorff)}`);
  for (const p of stats.pairs)
    console.log(`  Cohen's kappa ${p.a} / ${p.b}: ${f(p.kappa)} over ${p.subjects} subject(s)`);
  console.log(`actor\tkind\topinions\toriginals\tcorrected\tby\tagreement with ${run.spec.rule}`);
  for (const a of table) {
    const by = a.correctedBy.map((x) => `${x.actor} (${x.n})`).join(', ') || '-';
    console.log(
      `${a.actorId}\t${a.actorKind}\t${a.opinions}\t${a.originals}\t${a.corrected}\t${by}\t${a.agreement === null ? '-' : f(a.agreement)}`,
    );
  }
  return 0;
}

/** Runs a reading subcommand with a query engine opened for it. */
export async function readCommand(sub: string, c: CommandContext): Promise<number> {
  const engine = await openNodeQueryEngine(c.lake);
  try {
    if (sub === 'log') return await logCommand(c, engine);
    if (sub === 'leaves') return await leavesCommand(c, engine);
    if (sub === 'consolidate') return await consolidateCommand(c, engine);
    return await agreementCommand(c, engine);
  } finally {
    await engine.close();
  }
}
