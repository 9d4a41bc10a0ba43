/**
 * Record generation for one record set, following the reference's operation graph: read the
 * source files (or the records of another record set), left-join through `references`, then
 * extract, transform and cast every leaf field. Rows stream; only join right-hand sides and
 * sorted archive members are held in memory. Where the rows come from (parents, joins) is
 * ./source-rows.ts.
 */
import type { RecordRow, Value } from '../api.ts';
import { CroissantError, locate, throwIfAborted } from '../errors.ts';
import type { Field, Json, RecordSet } from '../model.ts';
import type { FilesContext } from '../resources/files.ts';
import { castTypeOf, castValue } from './cast.ts';
import type { CastType } from './cast.ts';
import type { Dtype } from './pandas.ts';
import { enter, transformOf } from './guards.ts';
import {
  columnOf,
  constantRow,
  joinedRows,
  parentKey,
  parentOf,
  parentRows,
  type Parent,
  type RecordSetBatches,
} from './source-rows.ts';

export type GenerateContext = FilesContext;

/** All leaf fields (sub-fields replace their parent). */
export function leafFields(fields: readonly Field[]): Field[] {
  return fields.flatMap((f) => (f.subFields.length ? leafFields(f.subFields) : [f]));
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

/** Another record set's records, keyed by uuid, for a source that reads it. */
const byUuid: RecordSetBatches = (ctx, rs, chain) =>
  generateBatches(ctx, rs, { keyBy: 'uuid', chain });

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
    if (p && !parents.some((q) => parentKey(q) === parentKey(p))) parents.push(p);
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
        ? parentRows(ctx, parents[0], leaves, chain, byUuid)
        : constantRow()
      : joinedRows(ctx, rs, leaves, parents, chain, byUuid);
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
                      record: rowIndex + 1,
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
            throw locate(e, {
              ...(file === undefined ? {} : { file }),
              recordSet: rs.uuid,
              field: f.uuid,
              record: rowIndex + 1,
            });
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
