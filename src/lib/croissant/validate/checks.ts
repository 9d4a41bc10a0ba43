/**
 * Per-node checks, run once parents are known (issues are located by their parents):
 * names (0.8), mandatory properties, checksums, inline `data`, and the 1.1 field rules.
 */
import { SCHEMA } from '../jsonld.ts';
import { pySetRepr, pyTruthy, pyTypeName } from './issues.ts';
import type { ReadCtx } from './read.ts';
import { uuidOf } from './nodes.ts';
import type { VField, VFile, VNode, VRecordSet } from './nodes.ts';

const NAME_REGEX = /^[a-zA-Z0-9\-_.]+$/;
const MAX_NAME_LENGTH = 255;

/** Reports a missing mandatory property, printed by its IRI. */
export function mandatory(ctx: ReadCtx, node: VNode, value: unknown, iri: string): void {
  if (!pyTruthy(value))
    ctx.issues.error(`Property "${iri}" is mandatory, but does not exist.`, node);
}

/** Name rules: 0.8 restricts names to `[a-zA-Z0-9-_.]` and 255 characters; 1.0+ has none. */
export function checkName(ctx: ReadCtx, node: VNode): void {
  const name = node.name;
  if (!name || !ctx.vocab.v0) return;
  if (name.length > MAX_NAME_LENGTH) {
    ctx.issues.error(`The name "${name}" is too long (>${MAX_NAME_LENGTH} characters).`, node);
  }
  if (!NAME_REGEX.test(name))
    ctx.issues.error(`The name "${name}" contains forbidden characters.`, node);
}

/** The identifying property: `name` in 0.8 (the `@id` later always exists). */
function checkIdentifier(ctx: ReadCtx, node: VNode): void {
  if (ctx.vocab.v0) mandatory(ctx, node, node.name, SCHEMA + 'name');
}

/** FileObject and FileSet checks. */
export function checkFile(ctx: ReadCtx, file: VFile, isLive: boolean): void {
  checkName(ctx, file);
  mandatory(ctx, file, file.encodingFormat, SCHEMA + 'encodingFormat');
  checkIdentifier(ctx, file);
  if (file.kind === 'FileSet') {
    mandatory(ctx, file, file.includes, ctx.vocab.p.includes);
    return;
  }
  if (file.containedIn.length === 0) {
    mandatory(ctx, file, file.contentUrl, SCHEMA + 'contentUrl');
    if (!isLive && file.md5 === undefined && file.sha256 === undefined) {
      ctx.issues.error(
        "At least one of these properties should be defined: ['md5', 'sha256'].",
        file,
      );
    }
  }
}

/** RecordSet checks, including the shape of inline `data`. */
export function checkRecordSet(ctx: ReadCtx, rs: VRecordSet): void {
  checkName(ctx, rs);
  checkIdentifier(ctx, rs);
  const data = rs.data;
  if (data === undefined || data === null) return;
  const dataIri = ctx.vocab.p.data;
  if (!Array.isArray(data)) {
    ctx.issues.error(`${dataIri} should declare a list. Got: <class '${pyTypeName(data)}'>.`, rs);
    return;
  }
  if (data.length === 0) ctx.issues.error(`${dataIri} should declare a non empty list.`, rs);
  const expected = new Set(rs.fields.map((f) => (ctx.vocab.v0 ? f.name : f.id)));
  for (const [i, line] of data.entries()) {
    if (!line || typeof line !== 'object' || Array.isArray(line)) {
      ctx.issues.error(
        `${dataIri} should declare a list of dict. Got: a list of <class '${pyTypeName(line)}'>.`,
        rs,
      );
      return;
    }
    const keys = Object.keys(line);
    const same = keys.length === expected.size && keys.every((k) => expected.has(k));
    if (!same) {
      ctx.issues.error(
        `Line #${i} doesn't have the expected columns. Expected: ${pySetRepr(expected)}.` +
          ` Got: ${pySetRepr(keys)}.`,
        rs,
      );
    }
  }
}

/**
 * One dimension of `arrayShape` as Python's `int()` reads it: optional blanks and sign, digits
 * with single underscores between them. The reference parses
 * `tuple(int(dim) for dim in array_shape.split(","))`, so `(-1,)` is refused there too.
 */
const PY_INT = /^\s*[+-]?\p{Nd}+(?:_\p{Nd}+)*\s*$/u;

/**
 * Field checks (sub-fields included): `value` against `source`, and `isArray`/`arrayShape`,
 * with the messages of the reference's `Field.__post_init__` (mlcommons/croissant,
 * structure_graph/nodes/field.py), which reads these properties whatever the version.
 */
export function checkField(ctx: ReadCtx, field: VField): void {
  checkName(ctx, field);
  checkIdentifier(ctx, field);
  const uuid = uuidOf(ctx.vocab.v0, field);
  if (field.source?.uuid !== undefined && field.value !== undefined) {
    ctx.issues.error(
      `Field ${uuid} defines both \`source\` and \`value\`. Please specify exactly one of them.`,
      field,
    );
  }
  const shape = field.arrayShape;
  if (!pyTruthy(shape)) return;
  if (field.isArray !== true) {
    ctx.issues.error(`Field ${uuid} defines \`array_shape\`, but \`is_array\` is False.`, field);
  }
  if (typeof shape === 'string' && !shape.split(',').every((dim) => PY_INT.test(dim))) {
    ctx.issues.error(
      `Field ${uuid}'s attribute array_shape \`${shape}\` cannot be parsed as a tuple of` +
        ' comma-separated values.',
      field,
    );
  }
}
