/**
 * What a batch needs to know about the opinions already on a branch, read column by column
 * (only the columns needed, straight from the Parquet fragments): the value type of each
 * question, the row-id tags in use, and where the opinions a batch names (its own ids, its
 * parents) are, if stored. Memory grows with the batch, not with the opinions stored.
 */
import { tableFromIPC, type Table } from 'apache-arrow';
import { loadParquet } from '../croissant/formats/parquet.ts';
import { LakeError, checkAborted } from '../store/errors.ts';
import type { ChunkStore } from '../store/types.ts';
import { getChunk } from '../versions/chunks.ts';
import { readDeletions } from '../versions/fragments.ts';
import type { Commit, FragmentRef, RecordSetManifest } from '../versions/manifest.ts';
import { OPINIONS_RS, type Opinion, type ValueType } from './model.ts';

/** Where a stored opinion is about. */
export type StoredSubject = Pick<Opinion, 'subjectSet' | 'subjectRow' | 'question'>;

/** The result of {@link scanStored}. */
export interface StoredScan {
  /** The value type of every question stored. */
  types: Map<string, ValueType>;
  /** The stored opinions among those asked for, by id. */
  found: Map<string, StoredSubject>;
  /** Row-id tags (`rowid >> 32`) of the stored fragments. */
  tags: Set<bigint>;
  /** Live opinions stored. */
  count: number;
  /** The record sets the stored opinions are about. */
  subjectSets: Set<string>;
  /** The classes of every class question stored, when the scan was asked for them. */
  classes: Map<string, Set<string>>;
}

/** The `opinions` record set of a commit, or undefined when it has none yet. */
export function opinionsOf(commit: Commit): RecordSetManifest | undefined {
  return commit.recordSets[OPINIONS_RS];
}

/** Reads some columns of a fragment (the chunk is verified against its address). */
export async function readColumns(
  store: ChunkStore,
  ref: FragmentRef,
  columns: string[],
  what: string,
): Promise<Table> {
  const bytes = await getChunk(store, ref.chunk, `${what}, fragment ${ref.chunk}`);
  const pq = await loadParquet();
  return tableFromIPC(pq.readParquet(bytes, { columns }).intoIPCStream());
}

/**
 * Scans the stored opinions of `commit` once for the question types, the row-id tags, and the
 * opinions whose id is in `wanted` (null: none, and the id and subject columns are not read).
 */
export async function scanStored(
  store: ChunkStore,
  commit: Commit,
  wanted: ReadonlySet<string> | null,
  signal?: AbortSignal,
  withClasses = false,
): Promise<StoredScan> {
  const out: StoredScan = {
    types: new Map(),
    found: new Map(),
    tags: new Set(),
    count: 0,
    subjectSets: new Set(),
    classes: new Map(),
  };
  const rs = opinionsOf(commit);
  if (!rs) return out;
  const what = `record set ${OPINIONS_RS} of ${commit.dataset}`;
  for (const ref of rs.fragments) {
    checkAborted(signal);
    if (ref.extension) continue;
    out.tags.add(BigInt(ref.minRowId) >> 32n);
    out.tags.add(BigInt(ref.maxRowId) >> 32n);
    const columns = wanted
      ? ['opinion_id', 'subject_set', 'subject_row', 'question', 'value_type']
      : ['question', 'value_type', 'subject_set'];
    if (withClasses) columns.push('value');
    const t = await readColumns(store, ref, columns, what);
    const deleted = await readDeletions(store, ref, what);
    const ids = wanted ? t.getChild('opinion_id')! : null;
    const questions = t.getChild('question')!;
    const sets = t.getChild('subject_set')!;
    const types = t.getChild('value_type')!;
    const values = withClasses ? t.getChild('value')! : null;
    let lastQuestion: unknown;
    for (let i = 0; i < t.numRows; i++) {
      if (deleted.has(i)) continue;
      out.count++;
      const q = questions.get(i) as string;
      if (q !== lastQuestion && !out.types.has(q)) out.types.set(q, types.get(i) as ValueType);
      lastQuestion = q;
      if (values && types.get(i) === 'class') {
        let known = out.classes.get(q);
        if (!known) out.classes.set(q, (known = new Set()));
        known.add(values.get(i) as string);
      }
      const set = sets.get(i) as string;
      if (!out.subjectSets.has(set)) out.subjectSets.add(set);
      if (!ids) continue;
      const id = ids.get(i) as string;
      if (!wanted!.has(id)) continue;
      out.found.set(id, {
        subjectSet: t.getChild('subject_set')!.get(i) as string,
        subjectRow: t.getChild('subject_row')!.get(i) as bigint,
        question: q,
      });
    }
  }
  return out;
}

/** An opinion of a subject's graph, as {@link subjectLeaves} reads it. */
export interface SubjectOpinion {
  id: string;
  value: string;
  parents: string[];
}

/**
 * The leaves (opinions nothing corrects) of one subject's graph about `question` at `commit`,
 * sorted by id; read straight from the fragments, without a query engine, so that a writer
 * (a proposed correction) can name what it corrects.
 */
export async function subjectLeaves(
  store: ChunkStore,
  commit: Commit,
  subject: { set: string; row: bigint },
  question: string,
  signal?: AbortSignal,
): Promise<SubjectOpinion[]> {
  const rs = opinionsOf(commit);
  if (!rs) return [];
  const what = `record set ${OPINIONS_RS} of ${commit.dataset}`;
  const columns = ['opinion_id', 'subject_set', 'subject_row', 'question', 'value', 'parents'];
  const graph: SubjectOpinion[] = [];
  for (const ref of rs.fragments) {
    checkAborted(signal);
    if (ref.extension) continue;
    const t = await readColumns(store, ref, columns, what);
    const deleted = await readDeletions(store, ref, what);
    const [ids, sets, rows, questions, values, parents] = columns.map((c) => t.getChild(c)!);
    for (let i = 0; i < t.numRows; i++) {
      if (deleted.has(i) || rows!.get(i) !== subject.row) continue;
      if (sets!.get(i) !== subject.set || questions!.get(i) !== question) continue;
      const p = parents!.get(i) as string | null;
      graph.push({
        id: ids!.get(i) as string,
        value: values!.get(i) as string,
        parents: p ? p.split(',') : [],
      });
    }
  }
  const corrected = new Set(graph.flatMap((o) => o.parents));
  return graph.filter((o) => !corrected.has(o.id)).sort((a, b) => (a.id < b.id ? -1 : 1));
}

/**
 * Refuses the first opinion of `batch` whose class its question does not have (`classes`: those
 * stored, from a {@link scanStored} asked for them), naming where it is, the value and the
 * classes the question has; a question new to the branch takes any class. An import refuses a
 * typo this way (a class nobody meant would be counted by every rule) unless new classes are
 * allowed.
 */
export function checkKnownClasses(
  batch: readonly { opinion: Opinion; where: string }[],
  classes: ReadonlyMap<string, ReadonlySet<string>>,
): void {
  for (const { opinion: o, where } of batch) {
    const known = classes.get(o.question);
    if (!known || o.valueType !== 'class' || known.has(o.value)) continue;
    throw new LakeError(
      'BAD_INPUT',
      `${where}: value ${JSON.stringify(o.value)} is not a class of question "${o.question}", which has: ${[...known].sort().join(', ')}; nothing was written (allow new classes to add it: --new-classes on the command line)`,
      { detail: { where } },
    );
  }
}
