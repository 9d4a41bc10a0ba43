/**
 * Opinions from a Label Studio JSON export (the "JSON" export: a list of tasks, each with its
 * `data`, `annotations` and `predictions`). Each annotation not cancelled and each prediction
 * gives one opinion per result item: `from_name` is the question; `choices` a class (several
 * choices: JSON), `rating`/`number` a number, `rectanglelabels`/`rectangle` a box, anything else
 * its `value` as JSON. `parent_annotation` / `parent_prediction` become parents: the parent's
 * opinions about the same question. Errors name the file and the JSON path of the bad part.
 */
import type { ByteSource } from '../io/source.ts';
import { readAll } from '../io/source.ts';
import { LakeError } from '../store/errors.ts';
import { sha256 } from '../store/hash.ts';
import type { OpinionInput } from './batch.ts';
import type { ReadOpinions } from './import-table.ts';
import { refuse } from './model.ts';

/** How Label Studio tasks name their subjects. */
export interface LabelStudioOptions {
  /** The record set subjects are rows of. */
  subjectSet: string;
  /** The column of the subject record set holding the key. */
  subjectKey: string;
  /** The field of `task.data` holding the key (default: the key column's last part). */
  taskField?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** The typed value of one result item. */
function valueOf(item: Obj, at: string): { valueType: string; value: unknown } {
  const v = item.value;
  if (!isObj(v)) refuse('BAD_INPUT', at, 'a result has no "value" object');
  const type = String(item.type ?? '');
  if (type === 'choices' || Array.isArray(v.choices)) {
    const c = v.choices;
    if (!Array.isArray(c) || !c.length)
      refuse('BAD_INPUT', at, '"choices" is not a list of choices');
    return c.length === 1
      ? { valueType: 'class', value: c[0] }
      : { valueType: 'json', value: [...(c as unknown[])].map(String).sort() };
  }
  if (type === 'rating' || 'rating' in v) return { valueType: 'number', value: v.rating };
  if (type === 'number' || 'number' in v) return { valueType: 'number', value: v.number };
  if (type === 'rectanglelabels' || type === 'rectangle') {
    const labels = v.rectanglelabels;
    const label = Array.isArray(labels) && labels.length ? String(labels[0]) : undefined;
    return {
      valueType: 'box',
      value: { box: [v.x, v.y, v.width, v.height], ...(label ? { label } : {}) },
    };
  }
  return { valueType: 'json', value: v };
}

function actorOfUser(u: unknown, at: string): string {
  const id = isObj(u)
    ? (u.email ?? (u.id !== undefined ? `user_${String(u.id)}` : undefined))
    : u === undefined || u === null || u === ''
      ? undefined
      : `user_${String(u)}`;
  if (id === undefined) refuse('BAD_INPUT', at, 'has no "completed_by" (who annotated)');
  return String(id);
}

interface Entry {
  kind: 'a' | 'p';
  id: string;
  at: string;
  /** Refs of its opinions by question. */
  byQuestion: Map<string, string[]>;
}

/** Reads a Label Studio JSON export. */
export async function readLabelStudio(
  file: ByteSource,
  opts: LabelStudioOptions,
  signal?: AbortSignal,
): Promise<ReadOpinions> {
  const bytes = await readAll(file, signal);
  let tasks: unknown;
  try {
    tasks = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new LakeError(
      'BAD_INPUT',
      `${file.name} is not a Label Studio JSON export: it is not JSON (${(e as Error).message})`,
    );
  }
  if (!Array.isArray(tasks)) {
    throw new LakeError(
      'BAD_INPUT',
      `${file.name} is not a Label Studio JSON export: it must be a list of tasks (use the "JSON" export, not "JSON-MIN")`,
    );
  }
  const field = opts.taskField ?? opts.subjectKey.split('/').pop()!;
  const opinions: OpinionInput[] = [];
  const entries = new Map<string, Entry>();
  const pending: { input: OpinionInput; parent: string; question: string; at: string }[] = [];
  tasks.forEach((task, t) => {
    const tat = `${file.name}: [${t}]`;
    if (!isObj(task) || !isObj(task.data)) refuse('BAD_INPUT', tat, 'a task has no "data" object');
    const key = task.data[field];
    if (key === undefined || key === null || key === '') {
      refuse(
        'BAD_INPUT',
        `${tat}.data`,
        `no "${field}" to name the subject by; the task's data has: ${Object.keys(task.data).join(', ') || 'nothing'}`,
      );
    }
    const lists: ['a' | 'p', string][] = [
      ['a', 'annotations'],
      ['p', 'predictions'],
    ];
    for (const [kind, listName] of lists) {
      const list = task[listName] ?? [];
      if (!Array.isArray(list)) refuse('BAD_INPUT', `${tat}.${listName}`, 'must be a list');
      list.forEach((e: unknown, k) => {
        const eat = `${tat}.${listName}[${k}]`;
        if (!isObj(e)) refuse('BAD_INPUT', eat, 'must be an object');
        if (kind === 'a' && e.was_cancelled === true) return;
        if (e.id === undefined || e.id === null) refuse('BAD_INPUT', eat, 'needs an "id"');
        const result = e.result ?? [];
        if (!Array.isArray(result)) refuse('BAD_INPUT', `${eat}.result`, 'must be a list');
        const entry: Entry = { kind, id: String(e.id), at: eat, byQuestion: new Map() };
        if (entries.has(`${kind}${entry.id}`)) {
          refuse(
            'BAD_INPUT',
            eat,
            `${listName === 'annotations' ? 'annotation' : 'prediction'} id ${entry.id} appears twice`,
          );
        }
        entries.set(`${kind}${entry.id}`, entry);
        const parent =
          kind === 'a' && e.parent_annotation !== null && e.parent_annotation !== undefined
            ? `a${String(e.parent_annotation)}`
            : kind === 'a' && e.parent_prediction !== null && e.parent_prediction !== undefined
              ? `p${String(e.parent_prediction)}`
              : null;
        const actor =
          kind === 'a'
            ? { kind: 'human', id: actorOfUser(e.completed_by, eat) }
            : { kind: 'model', id: String(e.model_version ?? '') || 'unnamed model' };
        result.forEach((item: unknown, r) => {
          const at = `${eat}.result[${r}]`;
          if (!isObj(item)) refuse('BAD_INPUT', at, 'must be an object');
          const question = item.from_name;
          if (typeof question !== 'string' || !question) {
            refuse('BAD_INPUT', at, 'has no "from_name" (the question)');
          }
          const ref = `${kind}${entry.id}:${question}:${r}`;
          const refs = entry.byQuestion.get(question) ?? [];
          refs.push(ref);
          entry.byQuestion.set(question, refs);
          const score = item.score ?? (kind === 'p' ? e.score : undefined);
          const input: OpinionInput = {
            where: at,
            ref,
            subject: { set: opts.subjectSet, key: String(key), keyColumn: opts.subjectKey },
            question,
            ...valueOf(item, at),
            actor,
            ...(score === undefined || score === null ? {} : { confidence: score }),
            ...(e.created_at ? { createdAt: e.created_at } : {}),
          };
          opinions.push(input);
          if (parent) pending.push({ input, parent, question, at });
        });
      });
    }
  });
  for (const p of pending) {
    const parent = entries.get(p.parent);
    const what = p.parent.startsWith('a') ? 'annotation' : 'prediction';
    if (!parent) {
      refuse(
        'UNKNOWN_PARENT',
        p.at,
        `its parent ${what} ${p.parent.slice(1)} is not in this file (nor cancelled in it)`,
      );
    }
    p.input.parents = parent.byQuestion.get(p.question) ?? [];
  }
  if (!opinions.length)
    throw new LakeError('BAD_INPUT', `${file.name} has no annotations or predictions`);
  return {
    opinions,
    source: { kind: 'label-studio', name: file.name, sha256: await sha256(bytes) },
  };
}
