/**
 * A batch of opinions as given (a file's lines, a mapped column, review resolutions), checked
 * and turned into stored opinions with their ids: values normalised to their question's type,
 * parents resolved (the batch's own ids, or opinion ids), ids computed in dependency order, and
 * a loop among the batch's opinions refused naming both ends (docs/opinions.md, "The rules of
 * the graph"). The fields' checks are in batch-fields.ts; checks against the lake (parents
 * stored, subjects) in write.ts.
 */
import { LakeError } from '../store/errors.ts';
import {
  checkSameGraph,
  confidenceOf,
  distinct,
  questionOf,
  sharedActor,
  text,
  typeOf,
} from './batch-fields.ts';
import { IdHasher } from './identity.ts';
import {
  isOpinionId,
  normalizeRegion,
  normalizeValue,
  parseTime,
  refuse,
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

/** `first` of an opinion without parents; -1 there is a parent that is an opinion id. */
const NONE = -2;
const EXTERNAL = -1;
/** The `external` of the opinions without one (most): shared, so frozen. */
const NO_EXTERNAL = Object.freeze([]) as unknown as string[];
/** The `parents` of originals: shared, so frozen (an opinion is never changed once built). */
const NO_PARENTS = Object.freeze([]) as unknown as string[];

/**
 * The batch's links: for each opinion its first parent (an index in the batch, EXTERNAL for
 * an opinion id of the lake, NONE), and all of them for the few with several. Typed arrays,
 * not an object and an array per opinion: a batch of millions kept them all alive until its
 * ids were done, and collecting them was a tenth of the import.
 */
class Links {
  readonly first: Int32Array;
  readonly several = new Map<number, Int32Array>();
  constructor(n: number) {
    this.first = new Int32Array(n).fill(NONE);
  }
  /** The links of `i` (a view of one, or its several). */
  of(i: number, one: Int32Array): Int32Array {
    const many = this.several.get(i);
    if (many) return many;
    if (this.first[i] === NONE) return one.subarray(0, 0);
    one[0] = this.first[i]!;
    return one;
  }
  /** True when every parent of `i` in the batch is done (state 2). */
  done(i: number, state: Uint8Array): boolean {
    const f = this.first[i]!;
    if (f === NONE) return true;
    const many = this.several.get(i);
    if (!many) return f < 0 || state[f] === 2;
    for (const j of many) if (j >= 0 && state[j] !== 2) return false;
    return true;
  }
}

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
  const n = inputs.length;
  const types = new Map(ctx.types);
  const byRef = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const inp = inputs[i]!;
    if (inp.ref === undefined || inp.ref === '') continue;
    const prev = byRef.get(inp.ref);
    if (prev !== undefined) {
      refuse('BAD_INPUT', inp.where, `id "${inp.ref}" is also the id of ${inputs[prev]!.where}`);
    }
    byRef.set(inp.ref, i);
  }
  // Questions and actors repeat across a batch: each distinct one is checked once.
  const questions = new Map<unknown, string>();
  const actors = new Map<string, Map<string, Map<string, Opinion['actor']>>>();
  // Everything that does not depend on the parents, in input order (first problem first): the
  // stored opinion itself, its keys in their order (id first, parents last), filled in once
  // its parents have ids.
  const opinions: Opinion[] = new Array(n);
  const links = new Links(n);
  for (let i = 0; i < n; i++) {
    const inp = inputs[i]!;
    const where = inp.where;
    let question = questions.get(inp.question);
    if (question === undefined) {
      question = questionOf(inp.question, where);
      if (typeof inp.question === 'string') questions.set(inp.question, question);
    }
    const valueType = typeOf(inp.valueType, question, types, where);
    if (types.get(question) !== valueType) types.set(question, valueType);
    const actor = sharedActor(actors, inp.actor, where);
    const given = distinct(inp.parents);
    if (actor.kind === 'consensus' && !given.length) {
      refuse('BAD_INPUT', where, 'a consensus opinion consolidates others: it needs parents');
    }
    // Each parent resolved once: the walk below follows indices, not refs.
    const many = given.length > 1 ? new Int32Array(given.length) : null;
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
      if (k === 0) links.first[i] = j ?? EXTERNAL;
      if (many) many[k] = j ?? EXTERNAL;
    }
    if (many) links.several.set(i, many);
    opinions[i] = {
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
      parents: NO_PARENTS,
    };
  }
  const out: BatchOpinion[] = [];
  const finish = (i: number) => {
    const o = opinions[i]!;
    const inp = inputs[i]!;
    let external: string[] | undefined;
    const first = links.first[i]!;
    if (first !== NONE) {
      const given = distinct(inp.parents);
      const parents: string[] = [];
      for (let k = 0; k < given.length; k++) {
        const j = k === 0 ? first : links.several.get(i)![k]!;
        if (j < 0) {
          parents.push(given[k]!);
          (external ??= []).push(given[k]!);
          continue;
        }
        // Done before its children (the walk below): its id is set.
        const parent = opinions[j]!;
        checkSameGraph(parent, inputs[j]!.where, o, inp.where);
        parents.push(parent.id);
      }
      o.parents = parents.length > 1 ? [...new Set(parents)].sort() : parents;
    }
    o.id = hasher.id(o);
    const ref = inp.ref;
    const ext = external ?? NO_EXTERNAL;
    const b: BatchOpinion = ref
      ? { opinion: o, where: inp.where, ref, external: ext }
      : { opinion: o, where: inp.where, external: ext };
    out.push(b);
  };
  // Ids in dependency order: an iterative depth-first walk (chains may be long). An opinion
  // whose parents in the batch are all done (a file in order: the usual case) is finished at
  // once; the walk's order is the same.
  const state = new Uint8Array(n); // 0 new, 1 on the path, 2 done
  const one = new Int32Array(1);
  for (let start = 0; start < n; start++) {
    if (state[start]) continue;
    if (links.done(start, state)) {
      state[start] = 2;
      finish(start);
      continue;
    }
    const stack: { i: number; next: number }[] = [{ i: start, next: 0 }];
    state[start] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const ls = links.of(top.i, one);
      if (top.next < ls.length) {
        const j = ls[top.next++]!;
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
