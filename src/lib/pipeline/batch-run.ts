/**
 * The batch pipeline's engine: reading source images in windows (in chunk order, through the
 * loader's ObjectReader, the next window read while the current one is processed), handing
 * them to the pool's lanes, and storing the results in row order — so the packs written, and
 * therefore everything after, are the same whatever the worker count or timing. Stored results
 * are journaled at checkpoints (every `checkpointEvery` items, and when a run stops) so an
 * interrupted run resumes where it was.
 */
import { checkAborted } from '../store/errors.ts';
import type { ChunkStore } from '../store/types.ts';
import type { ObjectEntry, ObjectIndex } from '../versions/manifest.ts';
import { ObjectWriter } from '../versions/objects.ts';
import { modeOf, type BatchOk, type BatchPool, type BatchResult } from './batch-item.ts';
import type { BatchJournal, DoneRow } from './batch-journal.ts';
import type { PipelineSpec } from './image.ts';
import type { ObjectReader } from './loader-read.ts';

/** One row to transform: its id and source image object. */
export interface RunItem {
  rowId: bigint;
  sha256: string;
  format?: string;
}

/** How {@link runItems} processes. */
export interface RunItemsOptions {
  reader: ObjectReader;
  pool: BatchPool;
  spec: PipelineSpec;
  seed: number;
  /** Items read and processed together. */
  window: number;
  signal?: AbortSignal;
  /** Called for each item in `items` order; ABORTED is checked after each. */
  onResult(item: RunItem, result: BatchResult): Promise<void>;
}

/**
 * Processes `items`; each result goes to `onResult` in order. Throws ABORTED when the signal
 * fires (no result after that is delivered), or what a lane or `onResult` threw.
 */
export async function runItems(items: readonly RunItem[], o: RunItemsOptions): Promise<void> {
  const w = Math.max(1, o.window);
  const read = (at: number) => {
    const p = o.reader.read(items.slice(at, at + w).map((i) => i.sha256));
    p.catch(() => undefined); // awaited in turn; must not go unhandled when the run stops first
    return p;
  };
  let next = items.length ? read(0) : null;
  for (let at = 0; next; at += w) {
    checkAborted(o.signal);
    const got = await next;
    next = at + w < items.length ? read(at + w) : null;
    const slice = items.slice(at, at + w);
    const pending = slice.map((item, k): Promise<BatchResult> => {
      const r = got[k]!;
      if (!r.ok) return Promise.resolve({ ok: false, code: r.code, message: r.message });
      return o.pool.run({
        spec: o.spec,
        seed: o.seed,
        rowId: item.rowId,
        sha256: item.sha256,
        bytes: r.bytes,
        verified: r.verified,
        ...(item.format ? { format: item.format } : {}),
      });
    });
    for (const p of pending) p.catch(() => undefined);
    for (let k = 0; k < slice.length; k++) {
      checkAborted(o.signal);
      await o.onResult(slice[k]!, await pending[k]!);
    }
  }
}

/**
 * Stores results as new objects in `index` (an ObjectWriter over it) and journals them: a row
 * is journaled only once its object is stored. {@link done} holds every row done, resumed
 * ones included.
 */
export class ResultSink {
  readonly done: Map<bigint, DoneRow>;
  readonly #writer: ObjectWriter;
  /** Rows whose object waits in the open pack, by object. */
  readonly #waiting = new Map<string, [bigint, DoneRow][]>();
  /** Rows whose object was stored already (another row's identical result). */
  #ready: [bigint, DoneRow][] = [];
  #sinceCheckpoint = 0;

  constructor(
    store: ChunkStore,
    readonly index: ObjectIndex,
    private readonly journal: BatchJournal,
    private readonly checkpointEvery: number,
  ) {
    this.done = new Map(journal.done);
    this.#writer = new ObjectWriter(store, index, (shas) => this.#stored(shas));
  }

  /** Stores one row's result; checkpoints every `checkpointEvery` rows. */
  async add(rowId: bigint, r: BatchOk): Promise<void> {
    const d: DoneRow = {
      sha256: r.sha256,
      width: r.width,
      height: r.height,
      mode: modeOf(r.channels, r.bitDepth),
    };
    this.done.set(rowId, d);
    if (r.sha256 in this.index.objects) {
      this.#ready.push([rowId, d]);
    } else {
      const list = this.#waiting.get(r.sha256) ?? [];
      list.push([rowId, d]);
      this.#waiting.set(r.sha256, list);
      await this.#writer.putBytes(r.png, r.sha256);
    }
    if (++this.#sinceCheckpoint >= this.checkpointEvery) await this.checkpoint();
  }

  /** Writes the open pack and journals every row done so far. */
  async checkpoint(): Promise<void> {
    this.#sinceCheckpoint = 0;
    await this.#writer.flush();
    if (this.#ready.length) await this.#stored([]);
  }

  async #stored(shas: string[]): Promise<void> {
    const objects: Record<string, ObjectEntry> = {};
    const rows = this.#ready;
    this.#ready = [];
    for (const sha of shas) {
      objects[sha] = this.index.objects[sha]!;
      rows.push(...(this.#waiting.get(sha) ?? []));
      this.#waiting.delete(sha);
    }
    await this.journal.record(rows, objects);
  }
}
