/**
 * Labels that arrived with a Croissant dataset, as opinions (docs/opinions.md, "Writing
 * opinions"): the user names the record set and column holding the label, optionally the
 * annotator, time, id and "corrects" columns, and how a label row names its subject. The raw
 * records are only read. The mapping goes into lineage, so a share link can replay it.
 */
import { LakeError, checkAborted } from '../store/errors.ts';
import { matchColumn } from '../versions/cells.ts';
import type { Cell } from '../versions/columns.ts';
import type { Lake } from '../versions/lake.ts';
import type { Commit, RecordSetManifest } from '../versions/manifest.ts';
import { recordSetOf, scanRows } from '../versions/read.ts';
import { getRef } from '../versions/refs.ts';
import type { OpinionInput, SubjectInput } from './batch.ts';
import { splitRefs } from './import-table.ts';
import { OPINIONS_RS } from './model.ts';
import { writeOpinions, type WriteOpinionsResult } from './write.ts';

/** Which columns of a record set hold labels, and about what. */
export interface ColumnMapping {
  /** The record set holding the labels (@id or name). */
  recordSet: string;
  /** Its column holding the label. */
  value: string;
  /** The question the labels answer (e.g. `lesion`). */
  question: string;
  /** Default `class`. */
  valueType?: 'class' | 'number' | 'box' | 'json';
  /**
   * The subject: absent, the label's own row; else a row of `set` whose `keyColumn` equals the
   * label row's `column`.
   */
  subject?: { set: string; keyColumn: string; column: string };
  /** Column of the annotator (then `actor_kind = human`; else `dataset`, the dataset's id). */
  annotator?: string;
  /** Column of when the label was given. */
  time?: string;
  /** Column of the label's own id, and of the ids it corrects (separated by spaces). */
  id?: string;
  corrects?: string;
  /** Column of a confidence in [0, 1]. */
  confidence?: string;
}

const OPTIONAL = ['annotator', 'time', 'id', 'corrects', 'confidence'] as const;

function columnOf(rsId: string, rs: RecordSetManifest, name: string, role: string): string {
  let def;
  try {
    def = matchColumn(name, rs.columns);
  } catch (e) {
    throw new LakeError('BAD_INPUT', `the ${role} column: ${(e as Error).message}`);
  }
  if (!def) {
    throw new LakeError(
      'BAD_INPUT',
      `record set ${rsId} has no column "${name}" for the ${role}; it has: ${rs.columns.map((c) => c.name).join(', ')}`,
    );
  }
  return def.name;
}

const text = (v: Cell | undefined) =>
  v === null || v === undefined ? undefined : typeof v === 'object' ? undefined : String(v);

/** The opinions a mapping gives at `commit` (rows whose label is empty give none). */
export async function mappedOpinions(
  commit: Commit,
  lake: Lake,
  mapping: ColumnMapping,
  signal?: AbortSignal,
): Promise<{ opinions: OpinionInput[]; unlabelled: number }> {
  if (!mapping.question?.trim()) throw new LakeError('BAD_INPUT', 'the mapping needs a question');
  const [rsId, rs] = recordSetOf(commit, mapping.recordSet);
  if (rsId === OPINIONS_RS) {
    throw new LakeError('BAD_INPUT', 'the opinions record set holds opinions already');
  }
  const value = columnOf(rsId, rs, mapping.value, 'label');
  const cols: Partial<Record<(typeof OPTIONAL)[number], string>> = {};
  for (const k of OPTIONAL) {
    const c = mapping[k];
    if (c) cols[k] = columnOf(rsId, rs, c, k);
  }
  const subjectColumn = mapping.subject
    ? columnOf(rsId, rs, mapping.subject.column, 'subject key')
    : null;
  const opinions: OpinionInput[] = [];
  let unlabelled = 0;
  for await (const rows of scanRows(lake.chunks, rs, `record set ${rsId}`)) {
    checkAborted(signal);
    for (const { rowid, row } of rows) {
      const v = row[value];
      if (v === null || v === undefined || v === '') {
        unlabelled++;
        continue;
      }
      const where = `${rsId} row ${rowid}`;
      let subject: SubjectInput = { set: rsId, row: rowid };
      if (mapping.subject && subjectColumn) {
        const key = text(row[subjectColumn]);
        if (key === undefined)
          throw new LakeError('UNKNOWN_SUBJECT', `${where}: its subject key is empty`);
        subject = { set: mapping.subject.set, key, keyColumn: mapping.subject.keyColumn };
      }
      const annotator = cols.annotator ? text(row[cols.annotator]) : undefined;
      const input: OpinionInput = {
        where,
        subject,
        question: mapping.question,
        valueType: mapping.valueType ?? 'class',
        value: typeof v === 'bigint' ? v.toString() : v,
        actor: annotator
          ? { kind: 'human', id: annotator }
          : { kind: 'dataset', id: commit.dataset },
      };
      if (cols.time && row[cols.time] !== null) {
        const t = row[cols.time];
        input.createdAt = typeof t === 'number' ? t : text(t);
      }
      if (cols.id) {
        const ref = text(row[cols.id]);
        if (ref) input.ref = ref;
      }
      if (cols.corrects) input.parents = splitRefs(text(row[cols.corrects]));
      if (cols.confidence) input.confidence = row[cols.confidence];
      opinions.push(input);
    }
  }
  return { opinions, unlabelled };
}

/** Options of {@link mapColumn}. */
export interface MapColumnOptions {
  branch: string;
  mapping: ColumnMapping;
  author?: string;
  signal?: AbortSignal;
}

/**
 * Writes the opinions a column mapping gives, read at the head of `opts.branch`, as one batch on
 * that branch. Lineage: `{source: {kind: "column", mapping, commit}}`. A mapping applied again
 * adds nothing.
 */
export async function mapColumn(
  lake: Lake,
  dataset: string,
  opts: MapColumnOptions,
): Promise<WriteOpinionsResult & { unlabelled: number }> {
  await lake.dataset(dataset);
  const ref = await getRef(lake.backend.refs, dataset, 'branch', opts.branch);
  if (!ref) {
    throw new LakeError('UNKNOWN_REF', `dataset ${dataset} has no branch "${opts.branch}"`);
  }
  const commit = await lake.readCommit(ref.commit);
  const { opinions, unlabelled } = await mappedOpinions(commit, lake, opts.mapping, opts.signal);
  if (!opinions.length) {
    throw new LakeError(
      'BAD_INPUT',
      `column ${opts.mapping.value} of ${opts.mapping.recordSet} holds no labels`,
    );
  }
  const r = await writeOpinions(lake, dataset, {
    branch: opts.branch,
    opinions,
    source: { kind: 'column', mapping: { ...opts.mapping }, commit: ref.commit },
    ...(opts.author ? { author: opts.author } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return { ...r, unlabelled };
}
