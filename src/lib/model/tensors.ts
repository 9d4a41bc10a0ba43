/**
 * Named float32 tensors as one byte string (a model's weights, a checkpoint's weights and
 * optimiser state), stored as one content-addressed chunk: a little-endian uint32 header
 * length, the header (JSON: `format`, `formatVersion`, and per tensor its name, dims and the
 * byte offset of its data after the header), then the float32 values, little-endian.
 * See docs/format.md, "Models".
 */
import { ModelError } from './errors.ts';

const FORMAT = 'croissant-lake/tensors';
const VERSION = 1;

/** A named tensor. */
export interface NamedTensor {
  dims: number[];
  data: Float32Array;
}

interface Header {
  format: string;
  formatVersion: number;
  tensors: { name: string; dims: number[]; offset: number }[];
}

/** Encodes tensors in the given (insertion) order. */
export function encodeTensors(tensors: ReadonlyMap<string, NamedTensor>): Uint8Array {
  const header: Header = { format: FORMAT, formatVersion: VERSION, tensors: [] };
  let offset = 0;
  for (const [name, t] of tensors) {
    const size = t.dims.reduce((a, b) => a * b, 1);
    if (size !== t.data.length) {
      throw new ModelError(
        'BAD_SPEC',
        `tensor ${name} has ${t.data.length} values for dims [${t.dims.join(', ')}]`,
      );
    }
    header.tensors.push({ name, dims: [...t.dims], offset });
    offset += size * 4;
  }
  const head = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(4 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, head.length, true);
  out.set(head, 4);
  let at = 4 + head.length;
  for (const t of tensors.values()) {
    for (let i = 0; i < t.data.length; i++, at += 4) view.setFloat32(at, t.data[i]!, true);
  }
  return out;
}

/**
 * Decodes {@link encodeTensors}' bytes; `what` names them in errors.
 * @throws ModelError BAD_DATA for bytes that are not such a file (or of a newer version).
 */
export function decodeTensors(bytes: Uint8Array, what: string): Map<string, NamedTensor> {
  const fail = (why: string): never => {
    throw new ModelError('BAD_DATA', `${what}: ${why}`);
  };
  if (bytes.length < 4) fail(`${bytes.length} bytes is too short for a tensor file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true);
  if (4 + n > bytes.length) fail(`the header says ${n} bytes but the file has ${bytes.length}`);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + n))) as Header;
  } catch (e) {
    return fail(`the header is not JSON (${(e as Error).message})`);
  }
  if (header?.format !== FORMAT) fail(`not a ${FORMAT} file`);
  if (header.formatVersion > VERSION) {
    fail(
      `format version ${header.formatVersion} is newer than this croissant-lake reads (${VERSION})`,
    );
  }
  const base = 4 + n;
  const out = new Map<string, NamedTensor>();
  for (const t of header.tensors) {
    const size = t.dims.reduce((a, b) => a * b, 1);
    const start = base + t.offset;
    if (start + size * 4 > bytes.length) fail(`tensor ${t.name} runs past the end of the file`);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = view.getFloat32(start + i * 4, true);
    out.set(t.name, { dims: t.dims, data });
  }
  return out;
}
