/**
 * The checks of an opinion's fields as given (docs/opinions.md, "Writing opinions"), each
 * refusing with its place: text, question, confidence, actor, value type; and the rule that a
 * correction is about its parent's subject and question. Used by batch.ts.
 */
import {
  ACTOR_KINDS,
  VALUE_TYPES,
  refuse,
  type ActorKind,
  type Opinion,
  type ValueType,
} from './model.ts';
import type { OpinionInput } from './batch.ts';

const MAX_TEXT = 10_000;

export function text(v: unknown, what: string, where: string, max = MAX_TEXT): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v !== 'string') refuse('BAD_INPUT', where, `${what} must be text, not ${String(v)}`);
  if (v.length > max) refuse('BAD_INPUT', where, `${what} is longer than ${max} characters`);
  return v;
}

export function questionOf(v: unknown, where: string): string {
  const s = typeof v === 'string' ? v.trim() : '';
  if (!s) refuse('BAD_INPUT', where, 'the question is missing');
  if (s.length > 200 || /[\r\n]/.test(s))
    refuse('BAD_INPUT', where, 'a question is at most 200 characters, on one line');
  return s;
}

export function confidenceOf(v: unknown, where: string): number | null {
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

export function typeOf(v: unknown, question: string, ctx: Map<string, ValueType>, where: string) {
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

/** Parents as given, first occurrence of each kept (the usual zero or one: no copy). */
export function distinct(parents: readonly string[] | undefined): readonly string[] {
  if (!parents || parents.length < 2) return parents ?? [];
  return [...new Set(parents)];
}

/** The checked actor of `a`, one object per distinct actor of the batch (kind → commit → id). */
export function sharedActor(
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
