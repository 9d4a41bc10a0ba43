/**
 * The PNG fast path's inflate (decode-png.ts): Node's native zlib where the code runs in Node
 * (the CLI, the bench, Node's loader worker threads), fflate's one-shot `unzlibSync` elsewhere
 * (the page and its workers, where the app's loader decodes).
 *
 * Why: in Node, fflate's inflate is JavaScript that V8 must first run cold: a fresh worker
 * thread's first items took ~320 µs each to inflate against ~55 µs warm, and the first epoch of
 * a training run is where the loader's items are decoded. Native zlib has no warm-up (~75 µs a
 * 64×64 PNG on the first items of a process, 15–20 µs after, against fflate's 270–540 and 30–45
 * on the same streams) and allocates nothing in the JS heap besides its output; fflate allocates
 * its Huffman tables per stream (nine arrays a 64×64 PNG). Inflating a stream has one result,
 * so both give the same bytes (test/unit/decode-png.test.ts pins them against each other).
 *
 * Loaded with `process.getBuiltinModule` (Node ≥ 20.16; engines asks ≥ 20.19): synchronous, as
 * decoding is, and no import of `node:zlib` the browser bundle would have to resolve.
 */
import { unzlibSync } from 'fflate';
import type * as NodeZlib from 'node:zlib';

/** The inflate implementations, by name. */
export type Inflater = 'node:zlib' | 'fflate';

const nodeZlib: typeof NodeZlib | null = (() => {
  const isNode =
    typeof process !== 'undefined' &&
    !!process.versions?.node &&
    typeof window === 'undefined' &&
    typeof self === 'undefined';
  if (!isNode || typeof process.getBuiltinModule !== 'function') return null;
  return (process.getBuiltinModule('node:zlib') as typeof NodeZlib | undefined) ?? null;
})();

/** The implementation {@link inflateInto} uses here: native zlib in Node, fflate elsewhere. */
export const INFLATER: Inflater = nodeZlib ? 'node:zlib' : 'fflate';

/**
 * The bytes `stream` (a zlib stream) inflates to, at most `size` of them (fewer: the caller
 * checks the length). Throws when the stream does not inflate, or inflates to more than `size`
 * bytes (fflate alone would drop the excess of a compressed block and throw on a stored one; a
 * PNG whose data is too long is left to fast-png either way). `use` picks the implementation
 * (tests); native zlib also checks the stream's Adler-32, which fflate does not: a stream whose
 * checksum is wrong throws there and inflates here.
 */
export function inflateInto(
  stream: Uint8Array,
  size: number,
  use: Inflater = INFLATER,
): Uint8Array<ArrayBuffer> {
  let got: Uint8Array<ArrayBuffer>;
  if (use === 'node:zlib' && nodeZlib) {
    // One output chunk a byte larger than wanted (at least zlib's minimum): Node allocates a
    // further chunk whenever one ends full, so one that holds the output is its only allocation.
    const chunkSize = Math.max(size + 1, nodeZlib.constants.Z_MIN_CHUNK);
    const b = nodeZlib.inflateSync(stream, { chunkSize });
    // A plain Uint8Array over the Buffer's bytes (the caller's arrays are Uint8Arrays). A small
    // Buffer may lie in Node's shared pool: only its own bytes are the caller's.
    got = new Uint8Array(b.buffer as ArrayBuffer, b.byteOffset, b.length);
  } else {
    // A byte more than wanted, to tell a stream that fills `size` from one that overflows it.
    const out = new Uint8Array(size + 1);
    const view = unzlibSync(stream, { out }) as Uint8Array<ArrayBuffer>;
    // fflate hands back `out` itself (untouched) for a stream with no data, else a view of what
    // it wrote (no longer than `out`).
    got = view === out ? out.subarray(0, 0) : view;
  }
  if (got.length > size) throw new RangeError(`the stream inflates to more than ${size} bytes`);
  return got;
}
