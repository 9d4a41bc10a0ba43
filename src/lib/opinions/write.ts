/**
 * Writing a batch of opinions (docs/opinions.md, "Writing opinions"): checked whole against the
 * branch head (subjects, parents, question types), opinions already stored skipped, the rest
 * written as new fragments of the `opinions` record set, then one commit, under a writer lease.
 * Row ids follow from the batch's content, so the same batch gives the same bytes anywhere.
 */
import { LakeError, checkAborted } from '../store/errors.ts';
import type { ChunkStore } from '../store/types.ts';
import { buildColumnsTable, type Cell } from '../versions/columns.ts';
import { FRAGMENT_ROWS, writeFragment } from '../versions/fragments.ts';
import type { CommitResult } from '../versions/commit.ts';
import { startingHead } from '../versions/extend.ts';
import type { Lake } from '../versions/lake.ts';
import { leased } from '../versions/lease.ts';
import type { Commit, FragmentRef, RecordSetManifest } from '../versions/manifest.ts';
import { buildBatch, type BatchOpinion, type OpinionInput } from './batch.ts';
import { checkSameGraph } from './batch-fields.ts';
import { IdHasher } from './identity.ts';
import { OPINION_COLUMNS, OPINIONS_RS, refuse, type Opinion } from './model.ts';
import { checkKnownClasses, opinionsOf, scanStored } from './stored.ts';
import { sortById } from './sort-ids.ts';
import { SubjectIndex } from './subjects.ts';

/** Where a batch came from, recorded in its commit's lineage (`params.source`). */
export type BatchSource = Record<string, unknown> & { kind: string };

/** Options of {@link writeOpinions}. */
export interface WriteOpinionsOptions {
  /** A writable branch of the dataset. */
  branch: string;
  opinions: readonly OpinionInput[];
  source: BatchSource;
  author?: string;
  /** The code that produced the batch (e.g. a model's repo and commit), kept in lineage. */
  code?: Record<string, string>;
  message?: string;
  signal?: AbortSignal;
  /** Refuse a class its question does not have on the branch yet (`checkKnownClasses`). */
  knownClasses?: boolean;
}

/** What a batch did. */
export interface WriteOpinionsResult {
  /** The new commit, or null when every opinion was stored already. */
  commit: string | null;
  branch: string;
  added: number;
  /** Opinions of the batch that were stored already (or given twice). */
  skipped: number;
  /** The batch's opinions in dependency order (parents first), with where each came from. */
  opinions: BatchOpinion[];
}

/** The batch's opinions checked against `commit`: new ones sorted by id, and the skipped count. */
async function prepare(
  lake: Lake,
  commit: Commit,
  inputs: readonly OpinionInput[],
  opts: Pick<WriteOpinionsOptions, 'signal' | 'knownClasses'>,
): Promise<{ batch: BatchOpinion[]; fresh: Opinion[]; skipped: number; tags: Set<bigint> }> {
  const { signal } = opts;
  const subjects = await SubjectIndex.load(
    lake.chunks,
    commit,
    inputs.map((i) => i.subject),
    signal,
  );
  // Question types first (two small columns): the batch's ids depend on its value types.
  const firstScan = await scanStored(lake.chunks, commit, null, signal, opts.knownClasses);
  const batch = await buildBatch(inputs, {
    types: firstScan.types,
    subjectRow: (s, where) => subjects.rowOf(s, where),
  });
  if (opts.knownClasses) checkKnownClasses(batch, firstScan.classes);
  checkAborted(signal);
  // The stored opinions the batch names (its own ids, its parents): none to look for when the
  // branch has no opinions yet.
  const wanted = new Set<string>();
  if (opinionsOf(commit)) {
    for (const b of batch) {
      wanted.add(b.opinion.id);
      for (const p of b.external) wanted.add(p);
    }
  }
  const stored = await scanStored(lake.chunks, commit, wanted, signal);
  for (const b of batch) {
    for (const p of b.external) {
      const parent = stored.found.get(p);
      if (!parent) {
        refuse(
          'UNKNOWN_PARENT',
          b.where,
          `it corrects opinion ${p}, which is not on this branch (nor in this batch); nothing was written`,
        );
      }
      checkSameGraph(parent, `opinion ${p}`, b.opinion, b.where);
    }
  }
  // Sorted first, then each id kept once (its first occurrence: the sort keeps ties in order),
  // without a set of every id.
  const sorted: Opinion[] = new Array(batch.length);
  for (let i = 0; i < batch.length; i++) sorted[i] = batch[i]!.opinion;
  sortById(sorted);
  const fresh: Opinion[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const id = sorted[i]!.id;
    if (i > 0 && sorted[i - 1]!.id === id) continue;
    if (stored.found.size && stored.found.has(id)) continue;
    fresh.push(sorted[i]!);
  }
  return { batch, fresh, skipped: batch.length - fresh.length, tags: stored.tags };
}

/**
 * The row-id tag of a batch: 31 bits of sha256 of its sorted ids (its content, not the commit
 * it lands on), moved on deterministically past tags the record set uses already.
 */
async function batchTag(fresh: readonly Opinion[], used: ReadonlySet<bigint>): Promise<bigint> {
  const h = await IdHasher.create();
  const ids = fresh.map((o) => o.id).join(',');
  for (let n = 0; ; n++) {
    const hex = h.hex(n ? `${ids}#${n}` : ids);
    const tag = BigInt(parseInt(hex.slice(0, 8), 16) & 0x7fffffff || 1);
    if (!used.has(tag)) return tag;
  }
}

/** The cells of `opinions` column by column, as model.ts `opinionRow` gives them row by row. */
export function opinionCells(opinions: readonly Opinion[]): Cell[][] {
  const n = opinions.length;
  const cols = OPINION_COLUMNS.map(() => new Array<Cell>(n));
  const [id, set, row, region, question, type, value, conf, kind, actor, commit, parents] = cols;
  const [createdAt, protocol, note] = cols.slice(12);
  for (let i = 0; i < n; i++) {
    const o = opinions[i]!;
    id![i] = o.id;
    set![i] = o.subjectSet;
    row![i] = o.subjectRow;
    region![i] = o.region;
    question![i] = o.question;
    type![i] = o.valueType;
    value![i] = o.value;
    conf![i] = o.confidence;
    kind![i] = o.actor.kind;
    actor![i] = o.actor.id;
    commit![i] = o.actor.commit;
    parents![i] = o.parents.length === 1 ? o.parents[0]! : o.parents.join(',');
    createdAt![i] = o.createdAt;
    protocol![i] = o.protocol;
    note![i] = o.note;
  }
  return cols;
}

/**
 * Writes the new opinions as fragments of the `opinions` record set: the bytes `writeRows`
 * writes for their rows (model.ts `opinionRow`), built column by column without a row object.
 * A fragment's table is built while the one before is encoded (on the Parquet thread, under
 * Node): two at most in flight.
 */
export async function writeOpinionFragments(
  store: ChunkStore,
  fresh: readonly Opinion[],
  used: ReadonlySet<bigint>,
): Promise<FragmentRef[]> {
  const base = (await batchTag(fresh, used)) << 32n;
  const writes: Promise<FragmentRef>[] = [];
  try {
    for (let start = 0; start < fresh.length; start += FRAGMENT_ROWS) {
      if (writes.length > 1) await writes[writes.length - 2];
      const slice = fresh.slice(start, start + FRAGMENT_ROWS);
      const ids = new BigInt64Array(slice.length);
      for (let i = 0; i < slice.length; i++) ids[i] = base | BigInt(start + i);
      const table = buildColumnsTable(OPINION_COLUMNS, ids, opinionCells(slice));
      writes.push(writeFragment(store, table));
    }
  } finally {
    // Whatever fails, nothing is left running (nor a rejection unheard) behind the caller.
    await Promise.allSettled(writes);
  }
  return Promise.all(writes);
}

/** The `opinions` record set of `commit` with `fragments` added. */
export function withOpinions(
  commit: Commit,
  fragments: FragmentRef[],
  rows: number,
): RecordSetManifest {
  const rs = commit.recordSets[OPINIONS_RS];
  if (!rs) return { name: OPINIONS_RS, columns: [...OPINION_COLUMNS], rows, fragments };
  return { ...rs, rows: rs.rows + rows, fragments: [...rs.fragments, ...fragments] };
}

async function writeOpinionsLeased(
  lake: Lake,
  dataset: string,
  opts: WriteOpinionsOptions,
): Promise<WriteOpinionsResult> {
  if (!opts.opinions.length) throw new LakeError('BAD_INPUT', 'no opinions were given');
  const { head: head0, commit: commit0 } = await startingHead(lake, dataset, opts.branch);
  let prepared = await prepare(lake, commit0, opts.opinions, opts);
  const result: WriteOpinionsResult = {
    commit: null,
    branch: opts.branch,
    added: prepared.fresh.length,
    skipped: prepared.skipped,
    opinions: prepared.batch,
  };
  if (!prepared.fresh.length) return result;
  let fragments = await writeOpinionFragments(lake.chunks, prepared.fresh, prepared.tags);
  const questions = [...new Set(prepared.fresh.map((o) => o.question))].sort();
  let r: CommitResult;
  try {
    r = await lake.commit(
      dataset,
      opts.branch,
      async (head) => {
        if (!head) {
          throw new LakeError('UNKNOWN_REF', `branch "${opts.branch}" of ${dataset} was deleted`);
        }
        const commit = await lake.readCommit(head);
        if (head !== head0) {
          // Another writer committed meanwhile: check again, and skip what it stored too.
          const again = await prepare(lake, commit, opts.opinions, opts);
          if (again.fresh.length !== prepared.fresh.length) {
            fragments = again.fresh.length
              ? await writeOpinionFragments(lake.chunks, again.fresh, again.tags)
              : [];
          }
          prepared = again;
        }
        if (!prepared.fresh.length) throw new NothingNew();
        return {
          message:
            opts.message ??
            `Add ${prepared.fresh.length} opinion(s) about ${questions.join(', ')} (${opts.source.kind})`,
          lineage: {
            op: 'opinions',
            params: {
              source: opts.source,
              added: prepared.fresh.length,
              skipped: prepared.skipped,
              questions,
            },
          },
          document: commit.document,
          objects: commit.objects,
          recordSets: {
            ...commit.recordSets,
            [OPINIONS_RS]: withOpinions(commit, fragments, prepared.fresh.length),
          },
        };
      },
      {
        ...(opts.author ? { author: opts.author } : {}),
        ...(opts.code ? { code: opts.code } : {}),
      },
    );
  } catch (e) {
    if (e instanceof NothingNew) return { ...result, added: 0, skipped: prepared.batch.length };
    throw e;
  }
  return {
    ...result,
    commit: r.hash,
    added: prepared.fresh.length,
    skipped: prepared.skipped,
    opinions: prepared.batch,
  };
}

/** Thrown inside a rebuild when another writer stored the whole batch first. */
class NothingNew extends Error {}

/**
 * Checks a batch of opinions against the head of `opts.branch` and commits the new ones, or
 * refuses the whole batch (nothing written) with the first problem and its place: BAD_INPUT,
 * WRONG_TYPE, UNKNOWN_SUBJECT, UNKNOWN_PARENT or OPINION_CYCLE. A protected branch is
 * PROTECTED_BRANCH before any work.
 */
export const writeOpinions = leased('opinions', writeOpinionsLeased);
