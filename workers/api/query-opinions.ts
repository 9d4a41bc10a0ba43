/**
 * The worker side of the opinions operations (opinions.api.ts): each a thin call into
 * src/lib/opinions over the query worker's lake and DuckDB engine. Those that write are
 * query-opinions-write.ts. Worker code only.
 */
import { DataType, tableFromIPC, type TimeUnit } from 'apache-arrow';
import { dateText, timestampText } from '../../src/lib/query/time-text.ts';
import { agreementStats } from '../../src/lib/opinions/agreement.ts';
import { annotatorTable } from '../../src/lib/opinions/annotators.ts';
import {
  ruleSpec,
  runRule,
  type RuleRun,
  type RuleSpec,
} from '../../src/lib/opinions/consolidate.ts';
import { subjectGraph } from '../../src/lib/opinions/graph.ts';
import { OPINIONS_RS } from '../../src/lib/opinions/model.ts';
import { reviewQueue } from '../../src/lib/opinions/review.ts';
import { documentKey } from '../../src/lib/opinions/revision.ts';
import { registered } from '../../src/lib/opinions/sql.ts';
import { SubjectIndex } from '../../src/lib/opinions/subjects.ts';
import { saveTrainingBranch } from '../../src/lib/opinions/training.ts';
import { lakeSqlName } from '../../src/lib/query/lake-names.ts';
import { literal } from '../../src/lib/query/sql.ts';
import { contentHash } from '../../src/lib/versions/content-hash.ts';
import { getRef } from '../../src/lib/versions/refs.ts';
import type { OpinionMethods } from './opinions.api.ts';
import { opinionWriteHandlers, type OpinionWriteMethods } from './query-opinions-write.ts';
import type { CallContext, Handlers } from './query-service.ts';

/** The commit `rev` means, and a run of `spec` over `question` there. */
async function run(
  ctx: CallContext,
  dataset: string,
  rev: string,
  question: string,
  spec: RuleSpec,
) {
  const [commit] = await ctx.catalog.resolve(dataset, rev);
  const checked = ruleSpec(spec.rule, spec.params);
  return runRule(ctx.engine, { dataset, commit, question }, checked, ctx.signal);
}

async function table(ctx: CallContext, sql: string) {
  return tableFromIPC((await ctx.engine.query(sql, { signal: ctx.signal })).ipc);
}

async function rows(ctx: CallContext, sql: string): Promise<Record<string, unknown>[]> {
  return (await table(ctx, sql)).toArray();
}

async function distribution(ctx: CallContext, r: RuleRun) {
  const t = await rows(
    ctx,
    `SELECT value, count(*) AS n FROM ${registered(r.table)} GROUP BY value ORDER BY n DESC, value NULLS LAST`,
  );
  return t.map((x) => ({ value: x.value === null ? null : String(x.value), n: Number(x.n) }));
}

/** The opinions operations that read, run rules or make a training branch. */
const readHandlers: Pick<Handlers, Exclude<keyof OpinionMethods, OpinionWriteMethods>> = {
  async opinionsInfo(ctx, dataset, rev) {
    const [commit, c] = await ctx.catalog.resolve(dataset, rev);
    const ref = await getRef(ctx.lake.backend.refs, dataset, 'branch', rev);
    const questions = c.recordSets[OPINIONS_RS]
      ? (
          await rows(
            ctx,
            `SELECT question, min(value_type) AS t, count(*) AS n FROM ${lakeSqlName(dataset, commit, OPINIONS_RS)} GROUP BY question ORDER BY question`,
          )
        ).map((r) => ({
          question: String(r.question),
          valueType: String(r.t),
          opinions: Number(r.n),
        }))
      : [];
    const subjectSets = c.recordSets[OPINIONS_RS]
      ? (
          await rows(
            ctx,
            `SELECT DISTINCT subject_set FROM ${lakeSqlName(dataset, commit, OPINIONS_RS)} ORDER BY 1`,
          )
        ).map((r) => String(r.subject_set))
      : [];
    const recordSets = [];
    for (const [id, rs] of Object.entries(c.recordSets)) {
      if (id === OPINIONS_RS) continue;
      const key = await documentKey(ctx.lake, c, id);
      recordSets.push({
        id,
        name: rs.name,
        rows: rs.rows,
        columns: rs.columns.map((x) => x.name),
        ...(key ? { key } : {}),
      });
    }
    return {
      dataset,
      rev,
      commit,
      writable: !!ref && !ref.protected,
      questions,
      subjectSets,
      recordSets,
    };
  },

  async compareRules(ctx, dataset, rev, question, specs) {
    const runs: RuleRun[] = [];
    for (const s of specs) runs.push(await run(ctx, dataset, rev, question, s));
    const outcomes = [];
    for (const r of runs) {
      outcomes.push({
        spec: r.spec,
        subjects: r.rows,
        ok: r.ok,
        review: r.review,
        ...(r.em ? { em: r.em } : {}),
        distribution: await distribution(ctx, r),
      });
    }
    const changed = runs.map(() => runs.map(() => 0));
    for (let i = 0; i < runs.length; i++) {
      for (let j = i + 1; j < runs.length; j++) {
        const [x] = await rows(
          ctx,
          `SELECT count(*) AS n FROM ${registered(runs[i]!.table)} a FULL JOIN ${registered(runs[j]!.table)} b USING (subject_set, subject_row) WHERE a.value IS DISTINCT FROM b.value`,
        );
        changed[i]![j] = changed[j]![i] = Number(x!.n);
      }
    }
    return {
      commit: runs[0]?.target.commit ?? (await ctx.catalog.resolve(dataset, rev))[0],
      question,
      outcomes,
      changed,
    };
  },

  async subjectOpinions(ctx, dataset, rev, question, subject) {
    const [commit, c] = await ctx.catalog.resolve(dataset, rev);
    let row: bigint;
    if (subject.row !== undefined) row = BigInt(subject.row);
    else {
      const s = {
        set: subject.set,
        key: subject.key ?? '',
        keyColumn: subject.keyColumn ?? (await documentKey(ctx.lake, c, subject.set)) ?? '',
      };
      row = (await SubjectIndex.load(ctx.lake.chunks, c, [s], ctx.signal)).rowOf(
        s,
        `subject ${s.key}`,
      );
    }
    const target = { dataset, commit, question };
    const nodes = await subjectGraph(ctx.engine, target, subject.set, row, ctx.signal);
    const t = await table(
      ctx,
      `SELECT * FROM ${lakeSqlName(dataset, commit, subject.set)} WHERE _rowid = ${literal(row)}`,
    );
    const cells = jsonCells(t.toArray()[0] ?? {});
    // Times as the Query view writes them, not Arrow's milliseconds since the epoch.
    for (const f of t.schema.fields) {
      const v = cells[f.name];
      const data = t.getChild(f.name)?.data[0];
      if (DataType.isTimestamp(f.type) && data?.length && data.getValid(0)) {
        const raw = (data.values as BigInt64Array)[0]!;
        cells[f.name] = timestampText(raw, f.type.unit as TimeUnit);
      } else if (DataType.isDate(f.type) && typeof v === 'number') cells[f.name] = dateText(v);
    }
    return { subjectSet: subject.set, row: row.toString(), cells, nodes };
  },

  async reviewQueue(ctx, dataset, rev, question, spec, page) {
    const r = await run(ctx, dataset, rev, question, spec);
    const items = await reviewQueue(ctx.engine, r, page, ctx.signal);
    return {
      total: r.review,
      items: items.map((i) => ({ ...i, subjectRow: i.subjectRow.toString() })),
    };
  },

  async annotatorStats(ctx, dataset, rev, question, spec) {
    const r = await run(ctx, dataset, rev, question, spec);
    return {
      stats: await agreementStats(ctx.engine, r.target, ctx.signal),
      annotators: await annotatorTable(ctx.engine, r, ctx.signal),
    };
  },

  async consolidatedLabels(ctx, dataset, rev, question, spec, subjectSet) {
    const r = await run(ctx, dataset, rev, question, spec);
    const out = await rows(
      ctx,
      `SELECT CAST(subject_row AS VARCHAR) AS r, value, status FROM ${registered(r.table)} WHERE subject_set = ${literal(subjectSet)} ORDER BY subject_row`,
    );
    const ok = out.filter((x) => x.status === 'ok' && x.value !== null);
    return {
      commit: r.target.commit,
      spec: r.spec,
      rows: ok.map((x) => String(x.r)),
      labels: ok.map((x) => String(x.value)),
      review: out.length - ok.length,
    };
  },

  async saveTrainingBranch(ctx, dataset, rev, question, spec, branch) {
    const [from] = await ctx.catalog.resolve(dataset, rev);
    const t = await saveTrainingBranch(ctx.lake, dataset, ctx.engine, {
      from,
      question,
      spec: ruleSpec(spec.rule, spec.params),
      branch,
      signal: ctx.signal,
      author: ctx.lake.actor,
    });
    return {
      dataset,
      branch,
      commit: t.hash,
      opinions: from,
      contentHash: await contentHash(ctx.lake, t.hash),
      rows: t.rows,
      review: t.review,
      spec: t.run.spec,
    };
  },
};

/** The opinions operations. */
export const opinionHandlers: Pick<Handlers, keyof OpinionMethods> = {
  ...readHandlers,
  ...opinionWriteHandlers,
};

/**
 * A result row as plain data that survives postMessage: int64 as decimal text, Arrow structs
 * and lists (proxies, not cloneable) as objects and arrays, recursively.
 */
function jsonCells(row: Record<string, unknown>): Record<string, unknown> {
  const plain = (v: unknown): unknown => {
    if (typeof v === 'bigint') return v.toString();
    if (v === null || typeof v !== 'object' || v instanceof Uint8Array || v instanceof Date) {
      return v;
    }
    if ('toJSON' in v && typeof v.toJSON === 'function') return plain(v.toJSON());
    if (Array.isArray(v)) return v.map(plain);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  };
  return plain(row) as Record<string, unknown>;
}
