/**
 * Croissant records → lake rows: the column of each field, and each value as the lake stores
 * it. Image and binary values are stored as objects and referenced by sha256.
 */
import type { BytesValue, ImageValue, Value } from '../croissant/api.ts';
import type { Metadata, RecordSet } from '../croissant/model.ts';
import { toPlainJson } from '../croissant/plain.ts';
import { castTypeOf } from '../croissant/records/cast.ts';
import { leafFields } from '../croissant/records/generate.ts';
import type { Field } from '../croissant/model.ts';
import type { Cell, LakeRow } from './columns.ts';
import type { ColumnDef, ColumnType } from './manifest.ts';
import type { ObjectWriter } from './objects.ts';

function typeOf(f: Field, inline: boolean): ColumnType {
  if (inline || f.repeated || f.subFields.length) return 'utf8';
  switch (castTypeOf(f.dataTypes)) {
    case 'int':
      return 'int64';
    case 'float':
      return 'float64';
    case 'bool':
      return 'bool';
    case 'date':
      return 'timestamp';
    case 'image':
      return 'image';
    case 'audio':
    case 'bytes':
      return 'blob';
    default:
      return 'utf8';
  }
}

/** The columns of a record set, keyed as the reader keys its records. */
export function columnsOf(md: Metadata, rs: RecordSet): ColumnDef[] {
  const fields = md.version === '0.8' ? leafFields(rs.fields) : rs.fields;
  return fields.map((f) => ({
    name: md.version === '0.8' ? f.name : f.uuid,
    type: typeOf(f, !!rs.data),
    field: f.uuid,
    ...(!rs.data && (f.repeated || f.subFields.length || castTypeOf(f.dataTypes) === 'bbox')
      ? { json: true }
      : {}),
  }));
}

function isBinary(v: Value): v is ImageValue | BytesValue {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Date) &&
    (v.kind === 'image' || v.kind === 'bytes') &&
    v.bytes instanceof Uint8Array
  );
}

async function cell(t: ColumnType, v: Value, objects: ObjectWriter): Promise<Cell> {
  if (isBinary(v)) return binaryCell(t, v, await objects.putBytes(v.bytes));
  return plainCell(t, v);
}

/** The cell of an image or bytes value stored as object `sha`. */
function binaryCell(t: ColumnType, v: ImageValue | BytesValue, sha: string): Cell {
  if (v.kind === 'image' && t === 'image') {
    return { sha256: sha, format: v.format, mode: v.mode, width: v.width, height: v.height };
  }
  return sha;
}

/** A non-binary value as the lake stores it. */
function plainCell(t: ColumnType, v: Value): Cell {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.getTime();
  if (t === 'utf8' && typeof v !== 'string') {
    return typeof v === 'object' ? JSON.stringify(toPlainJson(v)) : String(v);
  }
  if (typeof v === 'object') return JSON.stringify(toPlainJson(v));
  return v;
}

/** Converts one record. */
export async function toLakeRow(
  columns: readonly ColumnDef[],
  record: Record<string, Value>,
  objects: ObjectWriter,
): Promise<LakeRow> {
  const row: LakeRow = {};
  for (const c of columns) {
    const v = record[c.name] ?? null;
    // Only binary values need the (async) object store; the rest convert synchronously,
    // which matters at millions of cells.
    row[c.name] = isBinary(v) ? await cell(c.type, v, objects) : plainCell(c.type, v);
  }
  return row;
}

/** Where `appendCells` puts cells: column j's next cell (a FragmentBuilder). */
export interface CellSink {
  push(j: number, cell: Cell): void;
  /** Pushes the values from column `from` on that are their own cells; returns where it stopped. */
  pushPlain?(record: Readonly<Record<string, unknown>>, from: number): number;
}

/**
 * Appends one record's cells to `cells`, column by column: the cells `toLakeRow` gives,
 * without an object per record. Returns a promise only when storing a value as an object (an
 * image, bytes) has to wait, so that the many records without one, and the images cut out of
 * an archive, cost no await each.
 */
export function appendCells(
  columns: readonly ColumnDef[],
  record: Record<string, Value>,
  objects: ObjectWriter,
  cells: CellSink,
): Promise<void> | undefined {
  // No closure here: this runs for every record.
  let j = cells.pushPlain ? cells.pushPlain(record, 0) : 0;
  while (j < columns.length) {
    const c = columns[j]!;
    const v = record[c.name] ?? null;
    if (isBinary(v)) {
      // An image cut out of an archive ingest holds is indexed at once, without a wait.
      const sha = objects.putSliceNow(v.bytes);
      if (sha === undefined) return appendFrom(j, columns, record, objects, cells);
      cells.push(j, binaryCell(c.type, v, sha));
    } else cells.push(j, plainCell(c.type, v));
    j = cells.pushPlain ? cells.pushPlain(record, j + 1) : j + 1;
  }
  return undefined;
}

async function appendFrom(
  from: number,
  columns: readonly ColumnDef[],
  record: Record<string, Value>,
  objects: ObjectWriter,
  cells: CellSink,
): Promise<void> {
  for (let j = from; j < columns.length; j++) {
    const c = columns[j]!;
    const v = record[c.name] ?? null;
    cells.push(j, isBinary(v) ? await cell(c.type, v, objects) : plainCell(c.type, v));
  }
}
