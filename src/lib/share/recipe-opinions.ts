/**
 * The steps of a recipe that rebuild opinions and a training branch (docs/opinions.md, "Share
 * links"): a column mapping (replayed against the same data, it gives the same opinions), the
 * opinions of a batch themselves (a file's, a review's: nothing else can rebuild them), and a
 * consolidation (rule and parameters). Opinion row ids follow from a batch's content, so the same
 * batches give the same fragments and the same content hash in any lake.
 */
import type { ColumnMapping } from '../opinions/map-column.ts';
import {
  ACTOR_KINDS,
  OPINIONS_RS,
  VALUE_TYPES,
  isOpinionId,
  opinionOfRow,
  type Opinion,
} from '../opinions/model.ts';
import type { OpinionInput } from '../opinions/batch.ts';
import { ruleSpec, type RuleName } from '../opinions/consolidate.ts';
import { LakeError } from '../store/errors.ts';
import type { Lake } from '../versions/lake.ts';
import type { Commit } from '../versions/manifest.ts';
import { readAllRows } from '../versions/read.ts';
import type { Checker } from './recipe-schema.ts';

/** Opinions mapped from a column of the data (lineage op "opinions", source kind "column"). */
export interface OpinionsColumnStep {
  op: 'opinions-column';
  recordSet: typeof OPINIONS_RS;
  mapping: ColumnMapping;
  /** Opinions the batch added when the recipe was made. */
  added?: number;
  result?: string;
}

/** One opinion as a link carries it: the stored fields, nulls left out. */
export interface CarriedOpinion {
  id: string;
  subjectSet: string;
  /** The subject's row id, as decimal text (JSON has no int64). */
  subjectRow: string;
  region?: string;
  question: string;
  valueType: (typeof VALUE_TYPES)[number];
  value: string;
  confidence?: number;
  actorKind: (typeof ACTOR_KINDS)[number];
  actorId: string;
  actorCommit?: string;
  parents?: string[];
  /** ms since epoch. */
  createdAt?: number;
  protocol?: string;
  note?: string;
}

/** The opinions a batch added (lineage op "opinions" from a file, a review, a link). */
export interface OpinionsStep {
  op: 'opinions';
  recordSet: typeof OPINIONS_RS;
  opinions: CarriedOpinion[];
  result?: string;
}

/** A training set consolidated at the branch head (lineage op "consolidate"). */
export interface ConsolidateStep {
  op: 'consolidate';
  recordSet: 'consolidated';
  question: string;
  rule: RuleName;
  params: Record<string, unknown>;
  result?: string;
}

export type OpinionRecipeStep = OpinionsColumnStep | OpinionsStep | ConsolidateStep;

/** Most opinions one step carries (a recipe file holds them; a link only a few hundred). */
const MAX_CARRIED = 200_000;
const MAPPING_KEYS = ['annotator', 'time', 'id', 'corrects', 'confidence'] as const;

/** An opinion as a link carries it. */
export function carried(o: Opinion): CarriedOpinion {
  const c: CarriedOpinion = {
    id: o.id,
    subjectSet: o.subjectSet,
    subjectRow: o.subjectRow.toString(),
    question: o.question,
    valueType: o.valueType,
    value: o.value,
    actorKind: o.actor.kind,
    actorId: o.actor.id,
  };
  if (o.region !== null) c.region = o.region;
  if (o.confidence !== null) c.confidence = o.confidence;
  if (o.actor.commit !== null) c.actorCommit = o.actor.commit;
  if (o.parents.length) c.parents = [...o.parents];
  if (o.createdAt !== null) c.createdAt = o.createdAt;
  if (o.protocol !== null) c.protocol = o.protocol;
  if (o.note !== null) c.note = o.note;
  return c;
}

/**
 * A carried opinion as the input of a batch. Its own id is its ref, so a parent carried in the
 * same step resolves to it; the write recomputes every id from the fields.
 */
export function inputOf(c: CarriedOpinion, where: string): OpinionInput {
  return {
    where: `${where}, opinion ${c.id}`,
    ref: c.id,
    subject: { set: c.subjectSet, row: BigInt(c.subjectRow) },
    region: c.region ?? null,
    question: c.question,
    valueType: c.valueType,
    value: c.value,
    confidence: c.confidence ?? null,
    actor: { kind: c.actorKind, id: c.actorId, commit: c.actorCommit ?? null },
    parents: c.parents ?? [],
    createdAt: c.createdAt ?? null,
    protocol: c.protocol ?? null,
    note: c.note ?? null,
  };
}

/**
 * The step of an opinions or consolidate commit, or null for another op. A batch mapped from a
 * column of its parent commit carries the mapping; any other batch carries the opinions it added
 * (the fragments it appended to `opinions`).
 */
export async function opinionStepOf(lake: Lake, commit: Commit): Promise<OpinionRecipeStep | null> {
  const p = commit.lineage.params;
  if (commit.lineage.op === 'consolidate') {
    if (typeof p.question !== 'string' || typeof p.rule !== 'string') return null;
    const spec = ruleSpec(p.rule, (p.params ?? {}) as Record<string, unknown>);
    return {
      op: 'consolidate',
      recordSet: 'consolidated',
      question: p.question,
      rule: spec.rule,
      params: spec.params,
    };
  }
  if (commit.lineage.op !== 'opinions') return null;
  const source = p.source as { kind?: string; mapping?: ColumnMapping; commit?: string };
  if (source?.kind === 'column' && source.mapping && source.commit === commit.parents[0]) {
    return {
      op: 'opinions-column',
      recordSet: OPINIONS_RS,
      mapping: source.mapping,
      ...(typeof p.added === 'number' ? { added: p.added } : {}),
    };
  }
  const rs = commit.recordSets[OPINIONS_RS];
  if (!rs) return null;
  const parent = await lake.readCommit(commit.parents[0]!);
  const before = parent.recordSets[OPINIONS_RS]?.fragments.length ?? 0;
  const added = { ...rs, fragments: rs.fragments.slice(before) };
  const rows = await readAllRows(lake.chunks, added, OPINIONS_RS);
  return {
    op: 'opinions',
    recordSet: OPINIONS_RS,
    opinions: rows.map((r) => carried(opinionOfRow(r.row))),
  };
}

function optional<T>(v: unknown, check: (v: unknown) => T): T | undefined {
  return v === undefined ? undefined : check(v);
}

/** Checks one carried opinion (its fields' shapes; the write checks the rest). */
function checkCarried(c: Checker, v: unknown, path: string): CarriedOpinion {
  const o = c.obj(v, path);
  const id = c.str(o.id, `${path}.id`, 32);
  if (!isOpinionId(id)) c.fail(`${path}.id`, 'must be an opinion id (32 hex digits)');
  const row = c.str(o.subjectRow, `${path}.subjectRow`, 20);
  if (!/^\d+$/.test(row)) c.fail(`${path}.subjectRow`, 'must be a row id (decimal digits)');
  const oneOf = <T extends string>(x: unknown, all: readonly T[], at: string): T => {
    if (!all.includes(x as T)) c.fail(at, `must be one of ${all.join(', ')}`);
    return x as T;
  };
  const out: CarriedOpinion = {
    id,
    subjectSet: c.str(o.subjectSet, `${path}.subjectSet`),
    subjectRow: row,
    question: c.str(o.question, `${path}.question`, 200),
    valueType: oneOf(o.valueType, VALUE_TYPES, `${path}.valueType`),
    value: c.str(o.value, `${path}.value`, 100_000),
    actorKind: oneOf(o.actorKind, ACTOR_KINDS, `${path}.actorKind`),
    actorId: c.str(o.actorId, `${path}.actorId`, 200),
  };
  const region = optional(o.region, (x) => c.str(x, `${path}.region`));
  if (region !== undefined) out.region = region;
  if (o.confidence !== undefined) {
    if (typeof o.confidence !== 'number' || !(o.confidence >= 0 && o.confidence <= 1)) {
      c.fail(`${path}.confidence`, 'must be a number in [0, 1]');
    }
    out.confidence = o.confidence;
  }
  const actorCommit = optional(o.actorCommit, (x) => c.str(x, `${path}.actorCommit`, 200));
  if (actorCommit !== undefined) out.actorCommit = actorCommit;
  if (o.parents !== undefined) {
    if (!Array.isArray(o.parents)) c.fail(`${path}.parents`, 'must be a list of opinion ids');
    out.parents = o.parents.map((p, i) => {
      if (typeof p !== 'string' || !isOpinionId(p)) {
        c.fail(`${path}.parents[${i}]`, 'must be an opinion id (32 hex digits)');
      }
      return p;
    });
  }
  if (o.createdAt !== undefined) {
    if (typeof o.createdAt !== 'number' || !Number.isSafeInteger(o.createdAt)) {
      c.fail(`${path}.createdAt`, 'must be a time in ms since 1970 (an integer)');
    }
    out.createdAt = o.createdAt;
  }
  const protocol = optional(o.protocol, (x) => c.str(x, `${path}.protocol`, 200));
  if (protocol !== undefined) out.protocol = protocol;
  const note = optional(o.note, (x) => c.str(x, `${path}.note`, 10_000));
  if (note !== undefined) out.note = note;
  return out;
}

function checkMapping(c: Checker, v: unknown, path: string): ColumnMapping {
  const o = c.obj(v, path);
  const m: ColumnMapping = {
    recordSet: c.str(o.recordSet, `${path}.recordSet`),
    value: c.str(o.value, `${path}.value`),
    question: c.str(o.question, `${path}.question`, 200),
  };
  if (o.valueType !== undefined) {
    if (!(VALUE_TYPES as readonly unknown[]).includes(o.valueType)) {
      c.fail(`${path}.valueType`, `must be one of ${VALUE_TYPES.join(', ')}`);
    }
    m.valueType = o.valueType as ColumnMapping['valueType'];
  }
  if (o.subject !== undefined) {
    const s = c.obj(o.subject, `${path}.subject`);
    m.subject = {
      set: c.str(s.set, `${path}.subject.set`),
      keyColumn: c.str(s.keyColumn, `${path}.subject.keyColumn`),
      column: c.str(s.column, `${path}.subject.column`),
    };
  }
  for (const k of MAPPING_KEYS) {
    if (o[k] !== undefined && o[k] !== '') m[k] = c.str(o[k], `${path}.${k}`);
  }
  return m;
}

/** Checks an opinions, opinions-column or consolidate step; null for another op. */
export function checkOpinionStep(c: Checker, o: Record<string, unknown>, path: string) {
  const result = o.result === undefined ? {} : { result: c.hash(o.result, `${path}.result`) };
  if (o.op === 'opinions-column') {
    return {
      op: 'opinions-column',
      recordSet: OPINIONS_RS,
      mapping: checkMapping(c, o.mapping, `${path}.mapping`),
      ...(o.added === undefined ? {} : { added: c.count(o.added, `${path}.added`) }),
      ...result,
    } satisfies OpinionsColumnStep;
  }
  if (o.op === 'opinions') {
    if (!Array.isArray(o.opinions) || !o.opinions.length) {
      c.fail(`${path}.opinions`, 'must be a non-empty list');
    }
    if (o.opinions.length > MAX_CARRIED) {
      c.fail(`${path}.opinions`, `holds more than ${MAX_CARRIED} opinions`);
    }
    return {
      op: 'opinions',
      recordSet: OPINIONS_RS,
      opinions: o.opinions.map((x, i) => checkCarried(c, x, `${path}.opinions[${i}]`)),
      ...result,
    } satisfies OpinionsStep;
  }
  if (o.op === 'consolidate') {
    const question = c.str(o.question, `${path}.question`, 200);
    const rule = c.str(o.rule, `${path}.rule`, 100);
    const params = o.params === undefined ? {} : c.obj(o.params, `${path}.params`);
    let spec;
    try {
      spec = ruleSpec(rule, params);
    } catch (e) {
      if (!(e instanceof LakeError)) throw e;
      c.fail(`${path}.rule`, `and its parameters are not valid: ${e.message}`);
    }
    return {
      op: 'consolidate',
      recordSet: 'consolidated',
      question,
      rule: spec.rule,
      params: spec.params,
      ...result,
    } satisfies ConsolidateStep;
  }
  return null;
}
