/**
 * A batch of opinions as given (a file's lines, a mapped column, review resolutions), checked
 * and turned into stored opinions with their ids: values normalised to their question's type,
 * parents resolved (the batch's own ids, or opinion ids), ids computed in dependency order, and
 * a loop among the batch's opinions refused naming both ends (docs/opinions.md, "The rules of
 * the graph"). Checks against the lake (parents stored, subjects) are in check.ts.
 */
import { LakeError } from '../store/errors.ts';
import { IdHasher } from './identity.ts';
import {
  ACTOR_KINDS,
  VALUE_TYPES,
  isOpinionId,
  normalizeRegion,
  normalizeValue,
  parseTime,
  refuse,
  type ActorKind,
  type Opinion,
  type ValueType,
} from './model.ts';

/** The subject of an opinion as given: a row id, or a key of the subject record set. */
export type SubjectInput =
  { set: string; row: bigint } | { set: string; key: string; keyColumn: string };

/** One opinion as given, before checks. */
export interface OpinionInput {
  /** Where it came from, for errors: `corrections.csv, line 4`. */
  where: string;
  /** The batch's own id for it (a CSV `id`, a Label Studio id), which `parents` may name. */
  ref?: string;
  subject: SubjectInput;
  region?: unknown;
  question: unknown;
  /** Default: the question's type in the lake or earlier in the batch, else `class`. */
  valueType?: unknown;
  value: unknown;
  confidence?: unknown;
  actor: { kind: unknown; id: unknown; commit?: unknown };
  /** Refs of this batch or opinion ids of the lake. */
  parents?: readonly string[];
  createdAt?: unknown;
  protocol?: unknown;
  note?: unknown;
}

/** An opinion of the batch, with where it came from. */
export interface BatchOpinion {
  opinion: Opinion;
  where: string;
  ref?: string;
  /** Parents that are not opinions of this batch (opinion ids the lake must hold). */
  external: string[];
}

/** What the batch checks need from the lake: the question types there. */
export interface BatchContext {
  /** Value type of each question already in the lake. */
  types: ReadonlyMap<string, ValueType>;
  /** Resolves a subject to its row id, or refuses with UNKNOWN_SUBJECT at `where`. */
  subjectRow(subject: SubjectInput, where: string): bigint;
}

const MAX_TEXT = 10_000;

function text(v: unknown, what: string, where: string, max = MAX_TEXT): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v !== 'string') refuse('BAD_INPUT', where, `${what} must be text, not ${String(v)}`);
  if (v.length > max) refuse('BAD_INPUT', where, `${what} is longer than ${max} characters`);
  return v;
}

function questionOf(v: unknown, where: string): string {
  const s = typeof v === 'string' ? v.trim() : '';
  if (!s) refuse('BAD_INPUT', where, 'the question is missing');
  if (s.length > 200 || /[\r\n]/.test(s))
    refuse('BAD_INPUT', where, 'a question is at most 200 characters, on one line');
  return s;
}

function confidenceOf(v: unknown, where: string): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim()) : NaN;
  if (!(n >= 0 && n <= 1)) {
    refuse('BAD_INPUT', where, `confidence ${JSON.stringify(v)} is not a number in [0, 1]`);
  }
  return n;
}

function actorOf(a: OpinionInput['actor'], where: string): Opinion['actor'] {
  const kind = typeof a.kind === 'string' ? a.kind.trim() : a.kind;
  if (!ACTOR_KINDS.includes(kind as ActorKind)) {
    refuse(
      'BAD_INPUT',
      where,
      `actor kind ${JSON.stringify(a.kind)} is not one of ${ACTOR_KINDS.join(', ')}`,
    );
  }
  const id = typeof a.id === 'number' ? String(a.id) : text(a.id, 'the actor', where, 200);
  if (!id?.trim()) refuse('BAD_INPUT', where, 'the actor is missing');
  return {
    kind: kind as ActorKind,
    id: id.trim(),
    commit: text(a.commit, 'the actor commit', where, 200),
  };
}

function typeOf(v: unknown, question: string, ctx: Map<string, ValueType>, where: string) {
  const known = ctx.get(question);
  if (v === undefined || v === null || v === '') return known ?? 'class';
  if (!VALUE_TYPES.includes(v as ValueType)) {
    refuse(
      'BAD_INPUT',
      where,
      `value type ${JSON.stringify(v)} is not one of ${VALUE_TYPES.join(', ')}`,
    );
  }
  if (known && known !== v) {
    refuse(
      'WRONG_TYPE',
      where,
      `question "${question}" takes ${known} values, and this opinion gives a ${String(v)}`,
    );
  }
  return v as ValueType;
}

/** An input checked, before its parents are resolved: the opinion to be (id and parents unset). */
interface Partial {
  opinion: Opinion;
  where: string;
  /** Parents as given (refs of the batch or opinion ids), without repeats. */
  given: readonly string[];
  /** For each of `given`: its index in the batch, or -1 for an opinion id of the lake. */
  links: readonly number[];
}

const NO_LINKS: readonly number[] = [];
/** The `external` of the opinions without one (most): shared, so frozen. */
const NO_EXTERNAL = Object.freeze([]) as unknown as string[];

/**
 * Checks a batch and computes its opinions' ids, in an order where parents come first. Refs
 * must be unique; a parent is a ref of the batch (which wins) or an opinion id. Throws the first
 * problem (BAD_INPUT, WRONG_TYPE, UNKNOWN_SUBJECT, UNKNOWN_PARENT for a parent that is neither,
 * OPINION_CYCLE) naming where it is.
 */
export async function buildBatch(
  inputs: readonly OpinionInput[],
  ctx: BatchContext,
): Promise<BatchOpinion[]> {
  const hasher = await IdHasher.create();
  const types = new Map(ctx.types);
  const byRef = new Map<string, number>();
  inputs.forEach((inp, i) => {
    if (inp.ref === undefined || inp.ref === '') return;
    const prev = byRef.get(inp.ref);
    if (prev !== undefined) {
      refuse('BAD_INPUT', inp.where, `id "${inp.ref}" is also the id of ${inputs[prev]!.where}`);
    }
    byRef.set(inp.ref, i);
  });
  // Questions and actors repeat across a batch: each distinct one is checked once.
  const questions = new Map<unknown, string>();
  const actors = new Map<string, Map<string, Map<string, Opinion['actor']>>>();
  // Everything that does not depend on the parents, in input order (first problem first).
  const partial: Partial[] = new Array(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const inp = inputs[i]!;
    const where = inp.where;
    let question = questions.get(inp.question);
    if (question === undefined) {
      question = questionOf(inp.question, where);
      if (typeof inp.question === 'string') questions.set(inp.question, question);
    }
    const valueType = typeOf(inp.valueType, question, types, where);
    types.set(question, valueType);
    const actor = sharedActor(actors, inp.actor, where);
    const given = distinct(inp.parents);
    if (actor.kind === 'consensus' && !given.length) {
      refuse('BAD_INPUT', where, 'a consensus opinion consolidates others: it needs parents');
    }
    // Each parent resolved once: the walk below follows indices, not refs.
    const links = given.length ? new Array<number>(given.length) : NO_LINKS;
    for (let k = 0; k < given.length; k++) {
      const p = given[k]!;
      const j = byRef.get(p);
      if (j === undefined && !isOpinionId(p)) {
        refuse(
          'UNKNOWN_PARENT',
          where,
          `it corrects "${p}", which is neither an id in this file nor an opinion id (32 hex digits)`,
        );
      }
      (links as number[])[k] = j ?? -1;
    }
    // The stored opinion itself, its keys in their order (id first, parents last), filled in
    // once its parents have ids: no copy per opinion.
    const opinion: Opinion = {
      id: '',
      subjectSet: inp.subject.set,
      subjectRow: ctx.subjectRow(inp.subject, where),
      region: normalizeRegion(inp.region, where),
      question,
      valueType,
      value: normalizeValue(valueType, inp.value, where, question),
      confidence: confidenceOf(inp.confidence, where),
      actor,
      createdAt: parseTime(inp.createdAt, where),
      protocol: text(inp.protocol, 'the protocol', where, 200),
      note: text(inp.note, 'the note', where),
      parents: [],
    };
    partial[i] = { opinion, where, given, links };
  }
  const built: (BatchOpinion | undefined)[] = new Array(inputs.length);
  const out: BatchOpinion[] = [];
  const finish = (i: number) => {
    const p = partial[i]!;
    const o = p.opinion;
    const parents: string[] = [];
    let external: string[] | undefined;
    for (let k = 0; k < p.given.length; k++) {
      const r = p.given[k]!;
      const j = p.links[k]!;
      if (j < 0) {
        parents.push(r);
        (external ??= []).push(r);
        continue;
      }
      const parent = built[j]!;
      checkSameGraph(parent.opinion, parent.where, o, p.where);
      parents.push(parent.opinion.id);
    }
    o.parents = parents.length > 1 ? [...new Set(parents)].sort() : parents;
    o.id = hasher.id(o);
    const ref = inputs[i]!.ref;
    const ext = external ?? NO_EXTERNAL;
    const b: BatchOpinion = ref
      ? { opinion: o, where: p.where, ref, external: ext }
      : { opinion: o, where: p.where, external: ext };
    built[i] = b;
    out.push(b);
  };
  // Ids in dependency order: an iterative depth-first walk (chains may be long). An opinion
  // whose parents in the batch are all done (a file in order: the usual case) is finished at
  // once; the walk's order is the same.
  const state = new Uint8Array(inputs.length); // 0 new, 1 on the path, 2 done
  for (let start = 0; start < inputs.length; start++) {
    if (state[start]) continue;
    if (parentsDone(partial[start]!.links, state)) {
      state[start] = 2;
      finish(start);
      continue;
    }
    const stack: { i: number; next: number }[] = [{ i: start, next: 0 }];
    state[start] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const p = partial[top.i]!;
      if (top.next < p.links.length) {
        const j = p.links[top.next++]!;
        if (j < 0) continue;
        if (state[j] === 1) throw cycleError(inputs, stack, j);
        if (state[j] === 0) {
          state[j] = 1;
          stack.push({ i: j, next: 0 });
        }
        continue;
      }
      stack.pop();
      state[top.i] = 2;
      finish(top.i);
    }
  }
  return out;
}

/** True when every parent in the batch among `links` is done (state 2). */
function parentsDone(links: readonly number[], state: Uint8Array): boolean {
  for (const j of links) if (j >= 0 && state[j] !== 2) return false;
  return true;
}

/** Parents as given, first occurrence of each kept (the usual zero or one: no copy). */
function distinct(parents: readonly string[] | undefined): readonly string[] {
  if (!parents || parents.length < 2) return parents ?? [];
  return [...new Set(parents)];
}

/** The checked actor of `a`, one object per distinct actor of the batch (kind → commit → id). */
function sharedActor(
  cache: Map<string, Map<string, Map<string, Opinion['actor']>>>,
  a: OpinionInput['actor'],
  where: string,
): Opinion['actor'] {
  const commit = a.commit === undefined || a.commit === null ? '' : a.commit;
  if (typeof a.kind !== 'string' || typeof a.id !== 'string' || typeof commit !== 'string') {
    return actorOf(a, where);
  }
  let byCommit = cache.get(a.kind);
  if (!byCommit) cache.set(a.kind, (byCommit = new Map()));
  let byId = byCommit.get(commit);
  if (!byId) byCommit.set(commit, (byId = new Map()));
  let actor = byId.get(a.id);
  if (!actor) byId.set(a.id, (actor = actorOf(a, where)));
  return actor;
}

/** BAD_INPUT unless `child` and its parent are about the same subject and question. */
export function checkSameGraph(
  parent: Pick<Opinion, 'subjectSet' | 'subjectRow' | 'question'> & { id?: string },
  parentWhere: string,
  child: Pick<Opinion, 'subjectSet' | 'subjectRow' | 'question'>,
  childWhere: string,
): void {
  if (
    parent.subjectSet === child.subjectSet &&
    parent.subjectRow === child.subjectRow &&
    parent.question === child.question
  )
    return;
  refuse(
    'BAD_INPUT',
    childWhere,
    `it corrects ${parentWhere}, which is about ${parent.subjectSet} row ${parent.subjectRow}, question "${parent.question}", not ${child.subjectSet} row ${child.subjectRow}, question "${child.question}": a correction is about the same subject and question`,
  );
}

function cycleError(
  inputs: readonly OpinionInput[],
  stack: readonly { i: number }[],
  back: number,
): LakeError {
  const from = stack.findIndex((s) => s.i === back);
  const loop = stack.slice(from).map((s) => inputs[s.i]!);
  const last = loop[loop.length - 1]!;
  const first = inputs[back]!;
  const path = [...loop, first].map((x) => `"${x.ref}"`).join(' → ');
  return new LakeError(
    'OPINION_CYCLE',
    `${last.where}: opinion "${last.ref}" corrects opinion "${first.ref}" (${first.where}), which already leads back to it (${path}): corrections cannot form a cycle; nothing was written`,
    { detail: { where: last.where, opinions: [last.ref, first.ref] } },
  );
}
