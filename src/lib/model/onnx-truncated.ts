/**
 * Tells a cut-off ONNX file from bytes that are not ONNX at all, when protobuf decoding fails:
 * the top level of a ModelProto is walked field by field (tag, then a varint, 8 or 4 bytes, or
 * a length and that many bytes). A truncated export reads as ModelProto fields of the right
 * wire types, its IR version among them, until one runs past the end of the file. Random bytes
 * or a CSV soon meet a field number or wire type a ModelProto does not have.
 */

/** ModelProto's fields (onnx.proto): number → [name, wire type]. */
const FIELDS: ReadonlyMap<number, readonly [string, number]> = new Map([
  [1, ['ir_version', 0]],
  [2, ['producer_name', 2]],
  [3, ['producer_version', 2]],
  [4, ['domain', 2]],
  [5, ['model_version', 0]],
  [6, ['doc_string', 2]],
  [7, ['graph', 2]],
  [8, ['opset_import', 2]],
  [14, ['metadata_props', 2]],
  [20, ['training_info', 2]],
  [25, ['functions', 2]],
]);

/** Where a truncated model's bytes run out. */
export interface Truncation {
  /** The field that runs past the end. */
  field: string;
  /** The byte offset its tag starts at. */
  offset: number;
  /** The bytes it needs (tag, length and content), when its length could be read. */
  needs: number | null;
}

/** A varint at `pos`: its value and the offset after it, or null if the bytes end inside it. */
function varint(b: Uint8Array, pos: number): { value: number; next: number } | null {
  let value = 0;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= b.length) return null;
    const byte = b[pos + i]!;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) return { value, next: pos + i + 1 };
  }
  return { value: NaN, next: pos + 10 }; // longer than a varint can be
}

/**
 * Where `bytes` look like an ONNX model cut short, or null when they do not (they then are
 * not ONNX, or the failure is elsewhere).
 */
export function findTruncation(bytes: Uint8Array): Truncation | null {
  let pos = 0;
  let irVersion = false;
  while (pos < bytes.length) {
    const at = pos;
    const tag = varint(bytes, pos);
    if (!tag) return irVersion ? { field: 'a field tag', offset: at, needs: null } : null;
    const known = FIELDS.get(Math.floor(tag.value / 8));
    if (!known || known[1] !== tag.value % 8) return null;
    const [field, wire] = known;
    const len = varint(bytes, tag.next);
    if (!len) return irVersion ? { field, offset: at, needs: null } : null;
    if (!Number.isFinite(len.value)) return null;
    if (wire === 0) {
      if (field === 'ir_version') {
        if (len.value < 1 || len.value > 100) return null;
        irVersion = true;
      }
      pos = len.next;
      continue;
    }
    const end = len.next + len.value;
    if (end > bytes.length) {
      return irVersion ? { field, offset: at, needs: end - at } : null;
    }
    pos = end;
  }
  return null;
}
