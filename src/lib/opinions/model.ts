/**
 * The opinion: its fields, its columns in the `opinions` record set, its value types and its
 * identity (docs/opinions.md). Pure functions only; writing is in write.ts.
 */
import { LakeError } from '../store/errors.ts';
import { sha256 } from '../store/hash.ts';
import type { LakeRow } from '../versions/columns.ts';
import { canonicalJson, type ColumnDef } from '../versions/manifest.ts';

/** The record set (@id and name) holding a dataset's opinions. */
export const OPINIONS_RS = 'opinions';
/**
 * The columns of the opinions that every consolidation reads in full: the leaves' anti join
 * (sql.ts) scans every opinion's id and parents. The query engine loads them uncompressed
 * (lake-load.ts): DuckDB would store most of their row groups as DICT_FSST, and decoding them
 * took about a third of the leaves plan's time in DuckDB-WASM (bench/README.md, "Opinions").
 * The cost is memory: at 10M bench opinions the loaded table is about half as large again.
 */
export const OPINION_SCANNED_ID_COLUMNS: readonly string[] = ['opinion_id', 'parents'];
export { DEFAULT_OPINIONS_BRANCH } from './branch-name.ts';

export const ACTOR_KINDS = ['dataset', 'human', 'model', 'rule', 'consensus'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export const VALUE_TYPES = ['class', 'number', 'box', 'json'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

/** The columns of the `opinions` record set, in order. */
export const OPINION_COLUMNS: readonly ColumnDef[] = [
  { name: 'opinion_id', type: 'utf8' },
  { name: 'subject_set', type: 'utf8' },
  { name: 'subject_row', type: 'int64' },
  { name: 'region', type: 'utf8' },
  { name: 'question', type: 'utf8' },
  { name: 'value_type', type: 'utf8' },
  { name: 'value', type: 'utf8' },
  { name: 'confidence', type: 'float64' },
  { name: 'actor_kind', type: 'utf8' },
  { name: 'actor_id', type: 'utf8' },
  { name: 'actor_commit', type: 'utf8' },
  { name: 'parents', type: 'utf8' },
  { name: 'created_at', type: 'timestamp' },
  { name: 'protocol', type: 'utf8' },
  { name: 'note', type: 'utf8' },
];

/** Who gave an opinion. */
export interface Actor {
  kind: ActorKind;
  id: string;
  /** For a model: the data commit it was evaluated on. */
  commit?: string | null;
}

/** An opinion as stored: every field checked and normalised, its id computed. */
export interface Opinion {
  id: string;
  subjectSet: string;
  subjectRow: bigint;
  /** Canonical JSON of the region, or null. */
  region: string | null;
  question: string;
  valueType: ValueType;
  /** The value as text (see {@link normalizeValue}). */
  value: string;
  confidence: number | null;
  actor: { kind: ActorKind; id: string; commit: string | null };
  /** Parent opinion ids, sorted. */
  parents: string[];
  /** ms since epoch, or null. */
  createdAt: number | null;
  protocol: string | null;
  note: string | null;
}

/** Length of an opinion id in hex digits (128 bits). */
export const OPINION_ID_HEX = 32;
const OPINION_ID = /^[0-9a-f]{32}$/;

/** True when `s` has the shape of an opinion id. */
export function isOpinionId(s: string): boolean {
  return OPINION_ID.test(s);
}

/** A refusal at `where` (a file and line, or an opinion). */
export function refuse(code: LakeError['code'], where: string, problem: string): never {
  throw new LakeError(code, `${where}: ${problem}`, { detail: { where } });
}

function shortNumber(n: number): string {
  // JavaScript's shortest round-trip form; -0 is 0.
  return Object.is(n, -0) ? '0' : String(n);
}

/**
 * A value of type `type` as stored text, or WRONG_TYPE at `where`. Accepts what files carry: a
 * class as text or a number (`1` is class "1"), a number as a number or numeric text, a box as
 * `[x,y,w,h]`, `{box:[…], label?}` or `{x,y,width,height,label?}` (or their JSON text), JSON as
 * any value (text is parsed when it is JSON, else kept as a string).
 */
export function normalizeValue(
  type: ValueType,
  raw: unknown,
  where: string,
  question?: string,
): string {
  // The common case first, with nothing allocated: a class given as text.
  if (type === 'class' && typeof raw === 'string') {
    const s = raw.trim();
    if (s && s.length <= 200 && !/[\r\n]/.test(s)) return s;
  }
  const wrong = (why: string): never =>
    refuse('WRONG_TYPE', where, question === undefined ? why : `question "${question}": ${why}`);
  const shown = typeof raw === 'string' ? JSON.stringify(raw) : (canonicalJson(raw) ?? 'nothing');
  switch (type) {
    case 'class': {
      if (typeof raw === 'number' && Number.isFinite(raw)) return shortNumber(raw);
      if (typeof raw === 'boolean') return String(raw);
      if (typeof raw !== 'string') wrong(`a class value must be text, not ${shown}`);
      const s = (raw as string).trim();
      if (!s) wrong('the class value is empty');
      if (s.length > 200) wrong('a class value is at most 200 characters');
      if (/[\r\n]/.test(s)) wrong('a class value holds no line break');
      return s;
    }
    case 'number': {
      const n =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && raw.trim() !== ''
            ? Number(raw.trim())
            : NaN;
      if (!Number.isFinite(n)) wrong(`the question takes numbers, and ${shown} is not one`);
      return shortNumber(n);
    }
    case 'box':
      return canonicalJson(boxOf(raw, wrong, shown));
    case 'json': {
      if (raw === undefined) wrong('the value is missing');
      if (typeof raw === 'string') {
        try {
          return canonicalJson(JSON.parse(raw));
        } catch {
          return canonicalJson(raw);
        }
      }
      return canonicalJson(raw);
    }
  }
}

function boxOf(
  raw: unknown,
  wrong: (why: string) => never,
  shown: string,
): { box: number[]; label?: string } {
  let v = raw;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      wrong(`a box is [x, y, w, h] or {"box": [x, y, w, h]}, not ${shown}`);
    }
  }
  let box: unknown = v;
  let label: unknown;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if ('box' in o) box = o.box;
    else box = [o.x, o.y, o.width ?? o.w, o.height ?? o.h];
    label = o.label;
  }
  if (
    !Array.isArray(box) ||
    box.length !== 4 ||
    !box.every((x) => typeof x === 'number' && Number.isFinite(x))
  ) {
    wrong(`a box is four finite numbers [x, y, w, h], not ${shown}`);
  }
  const b = box as number[];
  if (b[2]! < 0 || b[3]! < 0) wrong(`a box's width and height are ≥ 0, not ${shown}`);
  if (label !== undefined && label !== null && typeof label !== 'string')
    wrong(`a box's label is text, not ${canonicalJson(label)}`);
  return label ? { box: b, label: label as string } : { box: b };
}

/** A region as canonical JSON: `{box: [x,y,w,h]}` or `{mask: "<sha256>"}`; null stays null. */
export function normalizeRegion(raw: unknown, where: string): string | null {
  if (raw === null || raw === undefined || raw === '') return null;
  let v = raw;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      refuse('BAD_INPUT', where, `region ${JSON.stringify(raw)} is not JSON`);
    }
  }
  const o = (v && typeof v === 'object' && !Array.isArray(v) ? v : {}) as Record<string, unknown>;
  if (typeof o.mask === 'string' && Object.keys(o).length === 1) return canonicalJson(o);
  if ('box' in o && Object.keys(o).length === 1) {
    const b = boxOf(o, (why) => refuse('BAD_INPUT', where, `region: ${why}`), canonicalJson(v));
    return canonicalJson({ box: b.box });
  }
  refuse('BAD_INPUT', where, `a region is {"box": [x, y, w, h]} or {"mask": "<object sha256>"}`);
}

/** An ISO 8601 time as ms since epoch (null for none), or BAD_INPUT at `where`. */
export function parseTime(raw: unknown, where: string): number | null {
  if (raw === null || raw === undefined || raw === '') return null;
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
  const ms = typeof raw === 'string' ? Date.parse(raw.trim()) : NaN;
  if (Number.isNaN(ms)) {
    refuse('BAD_INPUT', where, `time ${JSON.stringify(raw)} is not an ISO 8601 date or time`);
  }
  return ms;
}

/** The fields an opinion's id is the hash of (docs/opinions.md, "Identity"). */
export function identityOf(o: Omit<Opinion, 'id' | 'note'>): unknown {
  return {
    v: 1,
    subject: { set: o.subjectSet, row: o.subjectRow.toString(), region: o.region },
    question: o.question,
    value: { type: o.valueType, value: o.value },
    confidence: o.confidence,
    actor: { kind: o.actor.kind, id: o.actor.id, commit: o.actor.commit },
    parents: [...o.parents].sort(),
    created_at: o.createdAt === null ? null : new Date(o.createdAt).toISOString(),
    protocol: o.protocol,
  };
}

/** The opinion id: the first 128 bits (hex) of sha256 of the canonical identity. */
export async function opinionId(o: Omit<Opinion, 'id' | 'note'>): Promise<string> {
  const hash = await sha256(new TextEncoder().encode(canonicalJson(identityOf(o))));
  return hash.slice(0, OPINION_ID_HEX);
}

/** An opinion as a row of the `opinions` record set. */
export function opinionRow(o: Opinion): LakeRow {
  return {
    opinion_id: o.id,
    subject_set: o.subjectSet,
    subject_row: o.subjectRow,
    region: o.region,
    question: o.question,
    value_type: o.valueType,
    value: o.value,
    confidence: o.confidence,
    actor_kind: o.actor.kind,
    actor_id: o.actor.id,
    actor_commit: o.actor.commit,
    parents: o.parents.join(','),
    created_at: o.createdAt,
    protocol: o.protocol,
    note: o.note,
  };
}

/** A stored row back as an opinion (rows the lake wrote, so trusted). */
export function opinionOfRow(r: LakeRow): Opinion {
  const s = (k: string) => (r[k] === null || r[k] === undefined ? null : String(r[k]));
  const parents = s('parents');
  return {
    id: String(r.opinion_id),
    subjectSet: String(r.subject_set),
    subjectRow: BigInt(r.subject_row as bigint),
    region: s('region'),
    question: String(r.question),
    valueType: String(r.value_type) as ValueType,
    value: String(r.value),
    confidence: r.confidence === null ? null : Number(r.confidence),
    actor: {
      kind: String(r.actor_kind) as ActorKind,
      id: String(r.actor_id),
      commit: s('actor_commit'),
    },
    parents: parents ? parents.split(',') : [],
    createdAt: r.created_at === null ? null : Number(r.created_at),
    protocol: s('protocol'),
    note: s('note'),
  };
}
