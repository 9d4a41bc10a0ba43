/**
 * Record generation for one record set, following the reference's operation graph: read the
 * source files (or the records of another record set), left-join through `references`, then
 * extract, transform and cast every leaf field. Rows stream; only join right-hand sides and
 * sorted archive members are held in memory.
 */
import type { RecordRow, Value } from '../api.ts';
import { CroissantError, locate, throwIfAborted } from '../errors.ts';
import { readFileTable } from '../formats/read.ts';
import type { Field, Json, Metadata, RecordSet, Source } from '../model.ts';
import type { FilesContext } from '../resources/files.ts';
import { filesOf, findResource } from '../resources/files.ts';
import { castTypeOf, castValue } from './cast.ts';
import type { CastType } from './cast.ts';
import type { Dtype } from './pandas.ts';
import { enter, transformOf } from './guards.ts';

/** A batch of source rows, the dtype of each column, and per-file constant columns. */
interface SourceBatch {
  rows: Record<string, unknown>[];
  dtypes: Map<string, Dtype>;
  constants: Record<string, unknown>;
  /** The file the rows were read from, when they come from one (for error locations). */
  file?: string;
}

const NO_DTYPES = new Map<string, Dtype>();

export type GenerateContext = FilesContext;

type Parent = { kind: 'resource' | 'recordSet'; uuid: string };

/** All leaf fields (sub-fields replace their parent). */
export function leafFields(fields: readonly Field[]): Field[] {
  return fields.flatMap((f) => (f.subFields.length ? leafFields(f.subFields) : [f]));
}

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
function parentOf(md: Metadata, src: Source): Parent | undefined {
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
function columnOf(src: Source): string {
  if (src.field && !src.fileObject && !src.fileSet && !src.distribution) return src.field;
  return src.extract.column ?? src.extract.jsonPath ?? src.extract.fileProperty ?? '';
}

const key = (p: Parent) => `${p.kind}:${p.uuid}`;

/** Rows of one parent, as source rows. */
async function* parentRows(
  ctx: GenerateContext,
  p: Parent,
  fields: Field[],
  chain: readonly string[],
): AsyncGenerator<SourceBatch> {
  if (p.kind === 'recordSet') {
    const rs = ctx.metadata.recordSets.find((r) => r.uuid === p.uuid || r.name === p.uuid);
    if (!rs) throw new CroissantError('UNKNOWN_RECORD_SET', `no record set "${p.uuid}"`);
    for await (const rows of generateBatches(ctx, rs, { keyBy: 'uuid', chain }))
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
async function* joinedRows(
  ctx: GenerateContext,
  rs: RecordSet,
  leaves: Field[],
  parents: Parent[],
  chain: readonly string[],
): AsyncGenerator<SourceBatch> {
  const joins = leaves.flatMap((f) => {
    const l = f.source && parentOf(ctx.metadata, f.source);
    const r = f.references && parentOf(ctx.metadata, f.references);
    return l && r && key(l) !== key(r) ? [{ field: f, left: l, right: r }] : [];
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
      return !!from && key(from) === key(p);
    });
  const lookups = [];
  for (const j of joins) {
    const index = new Map<string, Record<string, unknown>[]>();
    const rightColumn = columnOf(j.field.references as Source);
    const missing: Record<string, unknown> = {};
    for await (const batch of parentRows(ctx, j.right, usedBy(j.right), chain)) {
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
  for await (const batch of parentRows(ctx, first.left, usedBy(first.left), chain)) {
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

export interface GenerateOptions {
  /** Key rows by field uuid (internal, for joins) or as the reference prints them. */
  keyBy: 'uuid' | 'output';
  /** Record sets whose generation reads this one (internal: a cycle is refused). */
  chain?: readonly string[];
}

/** Converts inline `data` JSON to values. */
function jsonToValue(v: Json): Value {
  return v as Value;
}

/** Streams the records of `rs`, one at a time. */
export async function* generateRows(
  ctx: GenerateContext,
  rs: RecordSet,
  opts: GenerateOptions,
): AsyncGenerator<RecordRow> {
  for await (const batch of generateBatches(ctx, rs, opts)) yield* batch;
}

/** Streams the records of `rs` in batches (one async step per batch of source rows). */
export async function* generateBatches(
  ctx: GenerateContext,
  rs: RecordSet,
  opts: GenerateOptions,
): AsyncGenerator<RecordRow[]> {
  const chain = enter(rs, opts.chain ?? []);
  if (rs.data) {
    // 0.8 keys inline data by field name; joins address fields by `recordSet/name`.
    const rename = opts.keyBy === 'uuid' && ctx.metadata.version === '0.8';
    const out: RecordRow[] = [];
    for (const row of rs.data) {
      const record: RecordRow = {};
      for (const [k, v] of Object.entries(row))
        record[rename && !k.includes('/') ? `${rs.uuid}/${k}` : k] = jsonToValue(v);
      out.push(record);
    }
    yield out;
    return;
  }
  const leaves = leafFields(rs.fields);
  const parents: Parent[] = [];
  for (const f of leaves) {
    const p = f.source && parentOf(ctx.metadata, f.source);
    if (p && !parents.some((q) => key(q) === key(p))) parents.push(p);
  }
  const v0 = ctx.metadata.version === '0.8';
  const top = new Set(rs.fields.map((f) => f.uuid));
  const plans = leaves.map((f) => {
    const castType = castTypeOf(f.dataTypes) as CastType;
    const plan = {
      field: f,
      column: f.source ? columnOf(f.source) : '',
      castType,
      /** The source column's dtype in the batch at hand. */
      dtype: 'object' as Dtype,
      hasTransforms: !!f.source?.transforms.length,
      /** The record's key for the value, or null for a sub-field nested under its parent. */
      key:
        opts.keyBy === 'uuid' ? f.uuid : v0 ? f.name : top.has(f.uuid) || !f.parent ? f.uuid : null,
      noMatch: 0,
      transforms: { isDate: castType === 'date', onNoMatch: () => void plan.noMatch++ },
    };
    return plan;
  });
  const reportNoMatch = () => {
    for (const p of plans) {
      if (p.noMatch)
        ctx.warn(
          `[RecordSet(${rs.uuid}) > Field(${p.field.uuid})] regex matched nothing in ${p.noMatch} value(s); the values were kept unchanged, as the reference does`,
        );
    }
  };
  const source =
    parents.length <= 1
      ? parents[0]
        ? parentRows(ctx, parents[0], leaves, chain)
        : constantRow()
      : joinedRows(ctx, rs, leaves, parents, chain);
  let rowIndex = 0;
  try {
    for await (const { rows, dtypes, constants, file } of source) {
      throwIfAborted(ctx.signal);
      // Looked up once per batch, not once per cell: this loop runs for every cell.
      for (const plan of plans) plan.dtype = dtypes.get(plan.column) ?? 'object';
      const records: RecordRow[] = new Array<RecordRow>(rows.length);
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r] as Record<string, unknown>;
        const out: RecordRow = {};
        for (const plan of plans) {
          const f = plan.field;
          let raw: unknown;
          if (f.source) {
            let cell = row[plan.column];
            if (cell === undefined) {
              const present = plan.column in row;
              if (!present && !(plan.column in constants)) {
                const has = Object.keys(row);
                throw new CroissantError(
                  'BAD_DATA',
                  `column "${plan.column}" does not exist in the source of field ${f.uuid}; ` +
                    `its columns are: ${has.slice(0, 20).join(', ')}${has.length > 20 ? ', …' : ''}`,
                  {
                    location: {
                      ...(file === undefined ? {} : { file }),
                      recordSet: rs.uuid,
                      field: f.uuid,
                      row: rowIndex,
                    },
                  },
                );
              }
              cell = present ? undefined : constants[plan.column];
            }
            raw = plan.hasTransforms
              ? transformOf(rs, f, cell, f.source.transforms, plan.transforms)
              : cell;
          } else raw = f.value ?? null;
          let value: Value;
          try {
            value = castValue(raw, plan.castType, plan.dtype);
          } catch (e) {
            throw locate(e, { recordSet: rs.uuid, field: f.uuid, row: rowIndex });
          }
          if (plan.key !== null) out[plan.key] = value;
          else nest(out, f, value);
        }
        rowIndex++;
        records[r] = out;
      }
      yield records;
    }
  } finally {
    reportNoMatch();
  }
}

/** Places a sub-field value under its parent: a dict, or a list of dicts for repeated parents. */
function nest(out: RecordRow, f: Field, value: Value): void {
  const parentId = f.parent as string;
  const existing = out[parentId];
  if (existing && typeof existing === 'object' && !Array.isArray(existing)) {
    (existing as Record<string, Value>)[f.uuid] = value;
  } else if (Array.isArray(existing)) {
    const vals = Array.isArray(value) ? value : [];
    existing.forEach((item, i) => ((item as Record<string, Value>)[f.uuid] = vals[i] ?? null));
  } else out[parentId] = { [f.uuid]: value };
}

async function* constantRow(): AsyncGenerator<SourceBatch> {
  yield { rows: [{}], dtypes: NO_DTYPES, constants: {} };
}
