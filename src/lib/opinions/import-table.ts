/**
 * Opinions from a CSV or JSON Lines file, one opinion per row or line (docs/opinions.md,
 * "Writing opinions"). Every field is checked later by the batch (batch.ts); here the file is
 * read, its columns named, and each opinion located (`file, row N` for CSV, the header being row
 * 1; `file, line N` for JSON Lines).
 */
import type { ByteSource } from '../io/source.ts';
import { readAll } from '../io/source.ts';
import { LakeError } from '../store/errors.ts';
import { sha256 } from '../store/hash.ts';
import { otherSeparator, readCsvAll, sourceSha256 } from '../versions/csv-input.ts';
import type { OpinionInput, SubjectInput } from './batch.ts';
import { refuse } from './model.ts';
import type { BatchSource } from './write.ts';

/** Defaults for fields a file leaves out, and how its subjects are named. */
export interface TableDefaults {
  /** The record set subjects are rows of (a `subject_set` column overrides it). */
  subjectSet?: string;
  /** The column of the subject record set that `subject` values are keys of. */
  subjectKey?: string;
  question?: string;
  actor?: string;
  /** Default `human`. */
  actorKind?: string;
  valueType?: string;
}

/** The columns a file may have; anything else is refused (a typo must not be ignored). */
export const TABLE_COLUMNS = [
  'subject',
  'subject_row',
  'subject_set',
  'region',
  'question',
  'value',
  'value_type',
  'confidence',
  'actor',
  'actor_id',
  'actor_kind',
  'actor_commit',
  'time',
  'created_at',
  'id',
  'corrects',
  'parents',
  'protocol',
  'note',
] as const;

type Fields = Partial<Record<(typeof TABLE_COLUMNS)[number], unknown>>;

/** Parent refs as written: separated by spaces, commas or semicolons. */
export function splitRefs(v: unknown): string[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.map(String).filter(Boolean);
  return String(v)
    .split(/[\s,;]+/)
    .filter(Boolean);
}

function blank(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

function subjectOf(f: Fields, d: TableDefaults, where: string): SubjectInput {
  const set = blank(f.subject_set) ? d.subjectSet : String(f.subject_set);
  if (!set) refuse('BAD_INPUT', where, 'no subject record set: give subject_set or a default');
  if (!blank(f.subject_row)) {
    const s = String(f.subject_row).trim();
    if (!/^\d+$/.test(s)) refuse('BAD_INPUT', where, `subject_row "${s}" is not a row id`);
    return { set, row: BigInt(s) };
  }
  if (blank(f.subject))
    refuse('BAD_INPUT', where, 'the subject is missing (subject or subject_row)');
  if (!d.subjectKey) {
    refuse(
      'BAD_INPUT',
      where,
      `subject ${JSON.stringify(f.subject)} is a key: say which column of ${set} holds it (the subject key option), or give subject_row`,
    );
  }
  return { set, key: String(f.subject), keyColumn: d.subjectKey };
}

/** One file row (by column name) as an opinion input. */
export function inputOf(f: Fields, d: TableDefaults, where: string): OpinionInput {
  if (blank(f.value)) refuse('BAD_INPUT', where, 'the value is missing');
  const actor = blank(f.actor) ? (blank(f.actor_id) ? d.actor : f.actor_id) : f.actor;
  const input: OpinionInput = {
    where,
    subject: subjectOf(f, d, where),
    question: blank(f.question) ? d.question : f.question,
    value: f.value,
    actor: {
      kind: blank(f.actor_kind) ? (d.actorKind ?? 'human') : f.actor_kind,
      id: actor,
      commit: f.actor_commit,
    },
    parents: [...splitRefs(f.corrects), ...splitRefs(f.parents)],
  };
  const vt = blank(f.value_type) ? d.valueType : f.value_type;
  if (!blank(vt)) input.valueType = vt;
  if (!blank(f.id)) input.ref = String(f.id);
  if (!blank(f.region)) input.region = f.region;
  if (!blank(f.confidence)) input.confidence = f.confidence;
  const time = blank(f.time) ? f.created_at : f.time;
  if (!blank(time)) input.createdAt = time;
  if (!blank(f.protocol)) input.protocol = f.protocol;
  if (!blank(f.note)) input.note = f.note;
  return input;
}

/** Refuses a column not in TABLE_COLUMNS; `hint` follows the message (a CSV's separator). */
function checkColumns(names: readonly string[], where: string, hint = ''): void {
  for (const n of names) {
    if (!(TABLE_COLUMNS as readonly string[]).includes(n)) {
      refuse(
        'BAD_INPUT',
        where,
        `unknown column "${n}"; an opinions file has: ${TABLE_COLUMNS.join(', ')}${hint}`,
      );
    }
  }
}

/** A read file: its opinions and what lineage records of it. */
export interface ReadOpinions {
  opinions: OpinionInput[];
  source: BatchSource;
}

/** Reads a CSV file of opinions (header row first; any line endings). */
export async function readOpinionsCsv(
  file: ByteSource,
  defaults: TableDefaults,
  signal?: AbortSignal,
): Promise<ReadOpinions> {
  const { header, records } = await readCsvAll({ csv: file, ...(signal ? { signal } : {}) });
  // A header read as one column holding `;` or a tab: the file is not comma-separated.
  checkColumns(header, `${file.name}, row 1`, otherSeparator(header));
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h)) refuse('BAD_INPUT', `${file.name}, row 1`, `column "${h}" appears twice`);
    seen.add(h);
  }
  const opinions = records.map(({ row, cells }) => {
    const f: Record<string, string> = {};
    header.forEach((h, i) => (f[h] = (cells[i] ?? '').trim()));
    return inputOf(f, defaults, `${file.name}, row ${row}`);
  });
  if (!opinions.length) throw new LakeError('BAD_INPUT', `${file.name} has no opinions`);
  const sha256 = await sourceSha256(file, signal);
  return { opinions, source: { kind: 'csv', name: file.name, sha256 } };
}

/** Reads a JSON Lines file of opinions: one object per non-blank line. */
export async function readOpinionsJsonl(
  file: ByteSource,
  defaults: TableDefaults,
  signal?: AbortSignal,
): Promise<ReadOpinions> {
  const bytes = await readAll(file, signal);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new LakeError('BAD_INPUT', `${file.name} is not UTF-8 text`);
  }
  const opinions: OpinionInput[] = [];
  text.split(/\r\n|\n|\r/).forEach((line, i) => {
    if (!line.trim()) return;
    const where = `${file.name}, line ${i + 1}`;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      refuse('BAD_INPUT', where, `not JSON: ${(e as Error).message}`);
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) {
      refuse('BAD_INPUT', where, 'each line is one JSON object');
    }
    checkColumns(Object.keys(v as object), where);
    opinions.push(inputOf(v as Fields, defaults, where));
  });
  if (!opinions.length) throw new LakeError('BAD_INPUT', `${file.name} has no opinions`);
  return { opinions, source: { kind: 'jsonl', name: file.name, sha256: await sha256(bytes) } };
}
