/**
 * Parquet encoding on a thread of its own, under Node: ingest's fragments are encoded there
 * (parquet-wasm's ZSTD is most of a fragment's cost) while the main thread generates the next
 * rows, so that on a machine of two cores or more a fragment costs the reader little more than
 * its rows. The thread runs the same parquet-wasm with the same writer settings, so the bytes
 * are the same as encoding on the main thread (test/unit/parquet-thread.node.test.ts).
 *
 * Elsewhere (a browser, where ingest already runs in a worker of its own) there is no such
 * thread and `parquetThread()` gives null: the caller encodes in place.
 */
import type * as NodeModule from 'node:module';
import type * as NodeUrl from 'node:url';
import type * as NodeWorkers from 'node:worker_threads';
import { LakeError } from '../store/errors.ts';
import { joinPieces, type IpcPieces } from './ipc-pieces.ts';

/** How fragments are written: one place, read by both threads. */
export const PARQUET_SETTINGS = {
  compression: 'ZSTD',
  // Dictionary pages off: on ingest's fragments (many unique strings) parquet-wasm's
  // dictionary path was half the write time and gave larger files than ZSTD alone.
  dictionary: false,
  createdBy: 'croissant-lake',
} as const;

/** Parquet bytes and their sha256 (lowercase hex), computed where they were encoded. */
export interface Encoded {
  bytes: Uint8Array;
  sha256: string;
}

/**
 * Encodes an Arrow IPC stream, given in pieces (ipc-pieces.ts), as Parquet. The pieces are
 * copied once into a buffer that is handed over to the thread and back, and reused for the next
 * stream. The thread also hashes the bytes it wrote (node:crypto, native), so that storing them
 * as a chunk costs the caller's thread no hashing and no copy of them for WebCrypto.
 */
export type ParquetEncode = (ipc: IpcPieces) => Promise<Encoded>;

/** The thread's two jobs: encoding fragments, and hashing bytes lent to it (a pack). */
interface ParquetThread {
  encode: ParquetEncode;
  /** sha256 of `bytes`, whose buffer is handed over and back (`bytes` is detached meanwhile). */
  hash: (bytes: Uint8Array) => Promise<Encoded>;
}

/*
 * The thread's code, a CommonJS script (`eval`): it loads parquet-wasm from the paths the main
 * thread resolved, encodes each stream it is sent with PARQUET_SETTINGS and hashes the result.
 */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { glue, wasm, settings } = workerData;
import(glue).then(async (pq) => {
  await pq.default({ module_or_path: readFileSync(wasm) });
  parentPort.on('message', ({ id, ipc, lent }) => {
    try {
      if (lent) {
        const sha256 = createHash('sha256').update(lent).digest('hex');
        return parentPort.postMessage({ id, bytes: lent, sha256 }, [lent.buffer]);
      }
      const props = new pq.WriterPropertiesBuilder()
        .setCompression(pq.Compression[settings.compression])
        .setDictionaryEnabled(settings.dictionary)
        .setCreatedBy(settings.createdBy)
        .build();
      const bytes = pq.writeParquet(pq.Table.fromIPCStream(ipc), props);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      // The stream's buffer goes back to be reused (the table was copied into wasm memory).
      parentPort.postMessage({ id, bytes, sha256, back: ipc }, [bytes.buffer, ipc.buffer]);
    } catch (e) {
      parentPort.postMessage({ id, error: String((e && e.message) || e) });
    }
  });
  parentPort.postMessage({ ready: true });
}).catch((e) => parentPort.postMessage({ fatal: String((e && e.message) || e) }));
`;

interface Waiting {
  resolve: (e: Encoded) => void;
  reject: (e: unknown) => void;
}

let thread: Promise<ParquetThread | null> | undefined;

function isNode(): boolean {
  return (
    typeof process !== 'undefined' &&
    !!process.versions?.node &&
    typeof window === 'undefined' &&
    typeof self === 'undefined'
  );
}

/**
 * The encoding thread (started on first use, one per process), or null where there is none.
 * It does not keep the process alive while idle. If it dies, what it was encoding fails (IO)
 * and the next call starts another.
 */
export async function parquetThread(): Promise<ParquetEncode | null> {
  return (await started())?.encode ?? null;
}

function started(): Promise<ParquetThread | null> {
  thread ??= isNode() ? startThread() : Promise.resolve(null);
  return thread;
}

/**
 * The sha256 of `bytes`, computed on the Parquet thread so that this thread does not spend the
 * time (a pack, written in the background while records are made). `lend`: `bytes` are the
 * caller's alone (a pack just concatenated), so their buffer is handed over and back, not
 * copied; they are detached until the answer, which holds them. `copy`: others may read them
 * meanwhile (a pack of one object, still served from memory), so a copy is sent. Null where
 * there is no such thread: the caller hashes them itself.
 */
export async function hashOnThread(
  bytes: Uint8Array,
  how: 'lend' | 'copy',
): Promise<Encoded | null> {
  const t = await started();
  if (!t) return null;
  return t.hash(how === 'lend' ? transferable(bytes) : bytes.slice());
}

/**
 * `bytes` themselves when they are their whole (unshared) buffer, which can then be
 * transferred; else a copy that is.
 */
function transferable(bytes: Uint8Array): Uint8Array {
  const shared =
    typeof SharedArrayBuffer !== 'undefined' && bytes.buffer instanceof SharedArrayBuffer;
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return whole && !shared ? bytes : bytes.slice();
}

async function startThread(): Promise<ParquetThread> {
  // Variable specifiers keep Node built-ins out of the browser bundle.
  const [wt, mod, url] = (await Promise.all(
    ['node:worker_threads', 'node:module', 'node:url'].map((m) => import(/* @vite-ignore */ m)),
  )) as [typeof NodeWorkers, typeof NodeModule, typeof NodeUrl];
  const require = mod.createRequire(import.meta.url);
  const workerData = {
    glue: url.pathToFileURL(require.resolve('parquet-wasm/esm/parquet_wasm.js')).href,
    wasm: require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm'),
    settings: PARQUET_SETTINGS,
  };
  const worker = new wt.Worker(THREAD, { eval: true, workerData });
  const waiting = new Map<number, Waiting>();
  let next = 0;
  const failAll = (why: string) => {
    thread = undefined; // the next call starts a new thread
    const e = new LakeError('IO', `the Parquet encoding thread failed: ${why}`);
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
    void worker.terminate();
  };
  type Answer = {
    id?: number;
    bytes?: Uint8Array;
    sha256?: string;
    back?: Uint8Array;
    error?: string;
    fatal?: string;
  };
  worker.on('message', (m: Answer) => {
    if (m.fatal !== undefined) return failAll(m.fatal);
    if (m.id === undefined) return; // ready
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (!waiting.size) worker.unref();
    if (m.back) spare.give(m.back.buffer as ArrayBuffer);
    if (m.error !== undefined) w?.reject(new Error(m.error));
    else w?.resolve({ bytes: m.bytes!, sha256: m.sha256! });
  });
  worker.on('error', (e) => failAll(e.message));
  worker.on('exit', (code) => waiting.size && failAll(`it exited with code ${code}`));
  // After the listeners: adding a 'message' listener refs the worker's port again, so a thread
  // started and never given work kept the process alive (it ended only once an answer came).
  worker.unref();
  const send = (message: { ipc: Uint8Array } | { lent: Uint8Array }, bytes: Uint8Array) =>
    new Promise<Encoded>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      worker.ref(); // kept alive while it works on something
      worker.postMessage({ id, ...message }, [bytes.buffer as ArrayBuffer]);
    });
  const spare = new SpareBuffers();
  return {
    encode: (ipc) => {
      const bytes = joinPieces(ipc, new Uint8Array(spare.take(ipc.byteLength)));
      return send({ ipc: bytes }, bytes);
    },
    hash: (bytes) => send({ lent: bytes }, bytes),
  };
}

/**
 * Buffers for the streams sent to the thread, kept when they come back: a buffer written before
 * costs no page faults (a fresh one costs one per 4 KiB on these VMs). At most SPARE are kept;
 * one that is too small for a stream is dropped and a larger one made.
 */
const SPARE = 2;
class SpareBuffers {
  private kept: ArrayBuffer[] = [];

  take(byteLength: number): ArrayBuffer {
    const i = this.kept.findIndex((b) => b.byteLength >= byteLength);
    if (i >= 0) return this.kept.splice(i, 1)[0]!;
    this.kept.shift(); // the smallest: too small for this stream
    // A little room, so that the next fragment, a little larger, fits.
    return new ArrayBuffer(Math.ceil(byteLength * 1.125));
  }

  give(buffer: ArrayBuffer): void {
    this.kept.push(buffer);
    this.kept.sort((a, b) => a.byteLength - b.byteLength);
    if (this.kept.length > SPARE) this.kept.shift();
  }
}
