/**
 * Cycles the reference does not report but cannot generate records from: a field sourced
 * from itself, record sets that read each other's records (through `source` or `references`,
 * directly or around a longer loop), and a `parentField` naming its own field. Each is an
 * error located at the field that closes the loop.
 */
import type { ReadCtx } from './read.ts';
import { uuidOf } from './nodes.ts';
import type { VField, VMetadata, VRecordSet } from './nodes.ts';

/** The stable code of these findings (the reference has none). */
export const CYCLE = 'CYCLE';

/** One dependency: `field` of record set `from` reads field `target` of record set `to`. */
interface Edge {
  from: VRecordSet;
  to: VRecordSet;
  field: VField;
  target: VField;
  via: 'source' | 'references';
}

/** Every field of a record set, sub-fields at any depth included (iteratively). */
function allFields(rs: VRecordSet): VField[] {
  const out: VField[] = [];
  const stack = [...rs.fields].reverse();
  for (let f = stack.pop(); f; f = stack.pop()) {
    out.push(f);
    for (let i = f.subFields.length - 1; i >= 0; i--) stack.push(f.subFields[i] as VField);
  }
  return out;
}

/** A path of record sets from `start` to `goal` following edges, or undefined. */
function pathBetween(
  edges: Map<VRecordSet, Edge[]>,
  start: VRecordSet,
  goal: VRecordSet,
): Edge[] | undefined {
  const cameBy = new Map<VRecordSet, Edge | null>([[start, null]]);
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const rs = queue[i] as VRecordSet;
    if (rs === goal) {
      const path: Edge[] = [];
      for (let e = cameBy.get(rs); e; e = cameBy.get(e.from)) path.unshift(e);
      return path;
    }
    for (const e of edges.get(rs) ?? []) {
      if (cameBy.has(e.to)) continue;
      cameBy.set(e.to, e);
      queue.push(e.to);
    }
  }
  return undefined;
}

/** Reports every field whose source or references leads back to its own record set. */
export function checkCycles(ctx: ReadCtx, meta: VMetadata): void {
  const { v0 } = ctx.vocab;
  const id = (f: VField) => uuidOf(v0, f);
  const fieldByUuid = new Map<string, { field: VField; rs: VRecordSet }>();
  const fieldsOf = new Map<VRecordSet, VField[]>();
  for (const rs of meta.recordSets) {
    const fields = allFields(rs);
    fieldsOf.set(rs, fields);
    for (const field of fields) {
      if (!fieldByUuid.has(field.id)) fieldByUuid.set(field.id, { field, rs });
      if (!fieldByUuid.has(id(field))) fieldByUuid.set(id(field), { field, rs });
    }
  }
  const edges = new Map<VRecordSet, Edge[]>();
  for (const [rs, fields] of fieldsOf) {
    for (const field of fields) {
      for (const via of ['source', 'references'] as const) {
        const uuid = field[via]?.uuid;
        const hit = uuid === undefined ? undefined : fieldByUuid.get(uuid);
        if (!hit) continue;
        const edge = { from: rs, to: hit.rs, field, target: hit.field, via };
        edges.set(rs, [...(edges.get(rs) ?? []), edge]);
      }
      if (field.parentFields?.some((s) => s.uuid === field.id || s.uuid === id(field))) {
        ctx.issues.error(`Field ${id(field)} names itself as its own parentField.`, field, CYCLE);
      }
    }
  }
  for (const list of edges.values()) {
    for (const e of list) {
      const back = pathBetween(edges, e.to, e.from);
      if (!back) continue;
      const rsName = (rs: VRecordSet) => uuidOf(v0, rs);
      let why: string;
      if (e.target === e.field) why = `its ${e.via} is the field itself`;
      else if (e.to === e.from)
        why = `its ${e.via} is ${id(e.target)}, a field of its own record set ${rsName(e.from)}`;
      else {
        const loop = [e, ...back].map((x) => `${id(x.field)} -> ${id(x.target)}`).join(', ');
        why = `its ${e.via} ${id(e.target)} belongs to record set ${rsName(e.to)}, which reads ${rsName(e.from)} in turn (${loop})`;
      }
      ctx.issues.error(
        `Field ${id(e.field)} is in a cycle: ${why}. Records cannot be generated from a cycle.`,
        e.field,
        CYCLE,
      );
    }
  }
}
