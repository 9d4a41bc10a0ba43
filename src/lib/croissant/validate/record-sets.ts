/**
 * Builds the record sets of a document, their fields and sub-fields (nodes.ts), reporting
 * what the reference reports while parsing them: wrong `@type`s, values of the wrong type,
 * malformed sources, `data` that is not JSON.
 */
import { SCHEMA, values } from '../jsonld.ts';
import type { ExpandedNode } from '../jsonld.ts';
import { placeholder, unbuilt, type VField, type VNode, type VRecordSet } from './nodes.ts';
import {
  firstType,
  isNodeObject,
  nameOf,
  nodeId,
  pyGet,
  readLanguageTagged,
  readName,
  readOne,
  toPy,
} from './read.ts';
import type { ReadCtx } from './read.ts';
import { readSourceProperty } from './source.ts';
import type { VSource } from './source.ts';

/** Data types of a field or record set, as full IRIs. */
function dataTypes(raw: ExpandedNode, iri: string): string[] {
  return values(raw, iri).flatMap((v) => {
    const lit = toPy(v);
    if (typeof lit === 'string') return [lit];
    const id = isNodeObject(v) ? v['@id'] : undefined;
    return typeof id === 'string' ? [id] : [];
  });
}

function buildField(ctx: ReadCtx, raw: ExpandedNode, within: VNode): VField {
  const field: VField = {
    ...placeholder('Field', raw, within),
    subFields: [],
    dataTypes: [],
    value: undefined,
    isArray: undefined,
    arrayShape: undefined,
  };
  return ctx.issues.at(field, () => readField(ctx, raw, field));
}

function readField(ctx: ReadCtx, raw: ExpandedNode, field: VField): VField {
  const { p, v0 } = ctx.vocab;
  readLanguageTagged(ctx, raw, 'description', [SCHEMA + 'description']);
  readOne(ctx, raw, 'repeated', [p.repeated], 'Boolean');
  if (v0) readOne(ctx, raw, 'is_enumeration', [p.isEnumeration], 'Boolean');
  field.name = readName(ctx, raw);
  field.id = nodeId(ctx, raw);
  const references = readSourceProperty(ctx, raw, p.references, 'references');
  if (references) field.references = references;
  const source = readSourceProperty(ctx, raw, p.source, 'source');
  if (source) field.source = source;
  field.dataTypes = dataTypes(raw, p.dataType);
  const parentFields: VSource[] = [];
  ctx.issues.at(ctx.issues.property('parentField'), () => {
    for (const parent of values(raw, p.parentField).filter(isNodeObject)) {
      const r = readSourceProperty(ctx, parent, p.references, 'references');
      const s = readSourceProperty(ctx, parent, p.source, 'source');
      for (const x of [r, s]) if (x) parentFields.push(x);
    }
  });
  if (parentFields.length) field.parentFields = parentFields;
  // The reference's Field reads these in every version (no `versions=` on their fields).
  field.isArray = readOne(ctx, raw, 'is_array', [p.isArray], 'Boolean');
  field.arrayShape = readOne(ctx, raw, 'array_shape', [p.arrayShape], 'Text');
  field.value = pyGet(raw, ctx.vocab.value);
  // Sub-fields are type-checked by name and kept, unlike fields (see buildRecordSet).
  for (const sub of values(raw, p.subField).filter(isNodeObject)) {
    ctx.issues.at(unbuilt('Field', sub, field), () =>
      checkTypeByName(ctx, sub, ctx.vocab.fieldType),
    );
    field.subFields.push(buildField(ctx, sub, field));
  }
  return field;
}

/** The reference's `check_expected_type`: located by name, the node is kept. */
function checkTypeByName(ctx: ReadCtx, raw: ExpandedNode, expected: string): void {
  const type = firstType(raw);
  if (type !== expected) {
    const name = toPy(values(raw, SCHEMA + 'name')[0]);
    const shown = typeof name === 'string' ? name : '<unknown node>';
    ctx.issues.error(
      `"${shown}" should have an attribute "@type": "${expected}". Got ${type ?? 'None'} instead.`,
    );
  }
}

/** Reads `data`: inline JSON records (a JSON string is parsed like the reference does). */
function readData(ctx: ReadCtx, raw: ExpandedNode): unknown {
  let data = pyGet(raw, [ctx.vocab.p.data]);
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data) as unknown;
    } catch {
      ctx.issues.at(ctx.issues.property('data'), () =>
        ctx.issues.error(`${ctx.vocab.p.data} is not a proper list of JSON: ${String(data)}`),
      );
      return undefined;
    }
  }
  // `data` has cardinality MANY: a single record is boxed into a list.
  return data === undefined || data === null || Array.isArray(data) ? data : [data];
}

/** Builds the record set `raw` of the metadata `meta`, its fields and their sub-fields. */
export function buildRecordSet(ctx: ReadCtx, raw: ExpandedNode, meta: VNode): VRecordSet {
  const rs: VRecordSet = { ...placeholder('RecordSet', raw, meta), fields: [], data: undefined };
  return ctx.issues.at(rs, () => readRecordSet(ctx, raw, rs));
}

function readRecordSet(ctx: ReadCtx, raw: ExpandedNode, rs: VRecordSet): VRecordSet {
  const { vocab } = ctx;
  checkTypeByName(ctx, raw, vocab.recordSetType);
  readLanguageTagged(ctx, raw, 'description', [SCHEMA + 'description']);
  readOne(ctx, raw, 'is_enumeration', [vocab.p.isEnumeration], 'Boolean');
  for (const f of values(raw, vocab.p.field)) {
    if (!isNodeObject(f)) continue;
    const type = firstType(f);
    if (type === vocab.fieldType) {
      rs.fields.push(buildField(ctx, f, rs));
      continue;
    }
    // Fields of the wrong type are reported (by identifier) and dropped.
    const uuid = vocab.v0 ? (nameOf(f) ?? 'None') : nodeId(ctx, f);
    ctx.issues.at(unbuilt('Field', f, rs), () =>
      ctx.issues.error(
        `"${uuid}" should have an attribute "@type": "${vocab.fieldType}". Got ${type ?? 'None'} instead.`,
      ),
    );
  }
  rs.name = readName(ctx, raw);
  rs.id = nodeId(ctx, raw);
  rs.data = readData(ctx, raw);
  return rs;
}
