/**
 * Where a record set's rows come from, before its fields are extracted (./generate.ts): the
 * parent each source reads (a FileObject/FileSet, or another record set) and the column it
 * reads there, the rows of one parent in batches (file by file, with each column's dtype and
 * the file's constant columns), and the left join of several parents through `references`,
 * whose right-hand sides are held in memory.
 */
import type { RecordRow } from '../api.ts';
import { CroissantError, locate } from '../errors.ts';
import { readFileTable } from '../formats/read.ts';
import type { Field, Metadata, RecordSet, Source } from '../model.ts';
import type { FilesContext } from '../resources/files.ts';
import { filesOf, findResource } from '../resources/files.ts';
import type { Dtype } from './pandas.ts';
import { transformOf } from './guards.ts';

/**
 * The records of another record set, keyed by field uuid, for a source that reads it: the
 * caller's `generateBatches` (./generate.ts), passed in because that module imports this one.
 */
export type RecordSetBatches = (
  ctx: FilesContext,
  rs: RecordSet,
  chain: readonly string[],
) => AsyncGenerator<RecordRow[]>;

/** A batch of source rows, the dtype of each column, and per-file constant columns. */
export interface SourceBatch {
  rows: Record<string, unknown>[];
  dtypes: Map<string, Dtype>;
  constants: Record<string, unknown>;
  /** The file the rows were read from, when they come from one (for error locations). */
  file?: string;
}

export const NO_DTYPES = new Map<string, Dtype>();

/** What a source reads from: a FileObject/FileSet (resource) or another record set. */
export type Parent = { kind: 'resource' | 'recordSet'; uuid: string };

/** Finds a field anywhere in the document by uuid. */
function findField(md: Metadata, uuid: string): Field | undefined {
  const walk = (fs: readonly Field[]): Field | undefined => {
    for (const f of fs) {
      if (f.uuid === uuid) return f;
      const sub = walk(f.subFields);
      if (sub) return sub;
    }
    return undefined;
  };
  for (const rs of md.recordSets) {
    const hit = walk(rs.fields);
    if (hit) return hit;
  }
  return undefined;
}

/** The node a source reads from: a FileObject/FileSet, or another record set. */
export function parentOf(md: Metadata, src: Source): Parent | undefined {
  const res = src.fileObject ?? src.fileSet ?? src.distribution;
  if (res) return { kind: 'resource', uuid: res };
  if (src.field) {
    const f = findField(md, src.field);
    const rs = f?.recordSet ?? src.field.split('/')[0] ?? src.field;
    return { kind: 'recordSet', uuid: rs };
  }
  return undefined;
}

/** The column a source reads in its parent's rows (the reference's `get_column`). */
export function columnOf(src: Source): string {
  if (src.field && !src.fileObject && !src.fileSet && !src.distribution) return src.field;
  return src.extract.column ?? src.extract.jsonPath ?? src.extract.fileProperty ?? '';
}

/** A parent's identity, to tell parents apart. */
export const parentKey = (p: Parent) => `${p.kind}:${p.uuid}`;

/** Rows of one parent, as source rows. */
export async function* parentRows(
  ctx: FilesContext,
  p: Parent,
  fields: Field[],
  chain: readonly string[],
  records: RecordSetBatches,
): AsyncGenerator<SourceBatch> {
  if (p.kind === 'recordSet') {
    const rs = ctx.metadata.recordSets.find((r) => r.uuid === p.uuid || r.name === p.uuid);
    if (!rs) throw new CroissantError('UNKNOWN_RECORD_SET', `no record set "${p.uuid}"`);
    for await (const rows of records(ctx, rs, chain))
      yield { rows, dtypes: NO_DTYPES, constants: {} };
    return;
  }
  const resource = findResource(ctx.metadata, p.uuid);
  for await (const file of filesOf(ctx, resource)) {
    try {
      const table = await readFileTable(file, fields);
      const constants = table.constants ?? {};
      for await (const rows of table.rows)
        yield { rows, dtypes: table.dtypes, constants, file: file.filepath };
    } catch (e) {
      throw locate(e, { file: file.filepath });
    }
  }
}

const joinKey = (v: unknown) =>
  typeof v === 'number' || typeof v === 'bigint' ? `n${v}` : `${typeof v}:${String(v)}`;

/** The left-joined rows of several parents, following every `references` join. */
export async function* joinedRows(
  ctx: FilesContext,
  rs: RecordSet,
  leaves: Field[],
  parents: Parent[],
  chain: readonly string[],
  records: RecordSetBatches,
): AsyncGenerator<SourceBatch> {
  const joins = leaves.flatMap((f) => {
    const l = f.source && parentOf(ctx.metadata, f.source);
    const r = f.references && parentOf(ctx.metadata, f.references);
    return l && r && parentKey(l) !== parentKey(r) ? [{ field: f, left: l, right: r }] : [];
  });
  const first = joins[0];
  if (!first) {
    throw new CroissantError(
      'INVALID',
      `record set "${rs.uuid}" reads from ${parents.map((p) => p.uuid).join(', ')} without a join: declare one with references`,
      { location: { recordSet: rs.uuid } },
    );
  }
  const usedBy = (p: Parent) =>
    leaves.filter((f) => {
      const from = f.source && parentOf(ctx.metadata, f.source);
      return !!from && parentKey(from) === parentKey(p);
    });
  const lookups = [];
  for (const j of joins) {
    const index = new Map<string, Record<string, unknown>[]>();
    const rightColumn = columnOf(j.field.references as Source);
    const missing: Record<string, unknown> = {};
    for await (const batch of parentRows(ctx, j.right, usedBy(j.right), chain, records)) {
      for (const source of batch.rows) {
        const row = { ...batch.constants, ...source };
        for (const k of Object.keys(row)) missing[k] = null;
        const k = joinKey(row[rightColumn]);
        const list = index.get(k) ?? [];
        list.push(row);
        index.set(k, list);
      }
    }
    lookups.push({ ...j, index, missing, leftColumn: columnOf(j.field.source as Source) });
  }
  const transformCtx = { isDate: false };
  for await (const batch of parentRows(ctx, first.left, usedBy(first.left), chain, records)) {
    let rows = batch.rows;
    for (const j of lookups) {
      const next: Record<string, unknown>[] = [];
      for (const r of rows) {
        const cell = j.leftColumn in r ? r[j.leftColumn] : batch.constants[j.leftColumn];
        const transforms = j.field.source?.transforms ?? [];
        const transformed = transformOf(rs, j.field, cell, transforms, transformCtx);
        r[j.leftColumn] = transformed;
        // A left join: no match gives missing values (pandas' NaN) on the right; on a name
        // clash the left side wins.
        const matches = j.index.get(joinKey(transformed)) ?? [j.missing];
        matches.forEach((m, i) => {
          const out = i === matches.length - 1 ? r : { ...r };
          for (const k in m) if (!(k in out)) out[k] = m[k];
          next.push(out);
        });
      }
      rows = next;
    }
    yield { rows, dtypes: batch.dtypes, constants: batch.constants };
  }
}

/** The one empty row of a record set whose fields read no source (constant values). */
export async function* constantRow(): AsyncGenerator<SourceBatch> {
  yield { rows: [{}], dtypes: NO_DTYPES, constants: {} };
}
