/**
 * A worker lane batches its messages: the tasks handed to a lane in one turn of the event loop
 * travel to the worker in one message (their bytes transferred), and come back as one result
 * each, in order, errors as data. Tasks handed in a later turn go in the next message. Bytes of
 * two tasks that share one buffer are transferred once (listing it twice would throw).
 */
import { describe, expect, it } from 'vitest';
import type { ItemTask } from '../../src/lib/pipeline/loader-item.ts';
import { encodePng } from '../../src/lib/pipeline/decode.ts';
import { sha256 } from '../../src/lib/store/hash.ts';
import { LoaderWorkerClient } from '../../workers/api/loader-client.ts';

/** A 4×4 grayscale PNG whose samples are all `v`. */
function png(v: number): Uint8Array<ArrayBuffer> {
  const data = new Float32Array(16).fill(v);
  return new Uint8Array(encodePng({ width: 4, height: 4, channels: 1, bitDepth: 8, data }));
}

/** A loader worker lane, and the number of messages the page has posted to its worker. */
function countingLane(): { lane: LoaderWorkerClient; posted: () => number } {
  const worker = new Worker(new URL('../../workers/loader.worker.ts', import.meta.url), {
    type: 'module',
  });
  let posted = 0;
  const post = worker.postMessage.bind(worker) as (...a: unknown[]) => void;
  worker.postMessage = ((...args: unknown[]) => {
    posted++;
    post(...args);
  }) as Worker['postMessage'];
  return { lane: new LoaderWorkerClient(worker), posted: () => posted };
}

async function task(bytes: Uint8Array<ArrayBuffer>, rowId: bigint, sha?: string) {
  return {
    job: { augment: [], seed: 1, epoch: 0 },
    rowId,
    sha256: sha ?? (await sha256(bytes)),
    bytes,
  } satisfies ItemTask;
}

describe('LaneClient', () => {
  it('sends the tasks of one turn in one message and resolves each in order', async () => {
    const { lane, posted } = countingLane();
    try {
      const a = await task(png(10), 1n);
      const bad = await task(new Uint8Array([1, 2, 3]), 2n, 'f'.repeat(64));
      const b = await task(png(200), 3n);
      const got = await Promise.all([lane.process(a), lane.process(bad), lane.process(b)]);
      expect(posted()).toBe(1);
      expect(a.bytes.byteLength).toBe(0); // transferred, not copied
      expect(got.map((r) => r.ok)).toEqual([true, false, true]);
      // Decode only: each item's samples come back as they were stored.
      expect(got[0]!.ok && [...got[0]!.data]).toEqual(new Array(16).fill(10));
      expect(got[2]!.ok && [...got[2]!.data]).toEqual(new Array(16).fill(200));
      expect(!got[1]!.ok && got[1]!.code).toBe('CORRUPT_CHUNK');

      // A later turn: the next message.
      const c = await lane.process(await task(png(7), 4n));
      expect(posted()).toBe(2);
      expect(c.ok && c.data[0]).toBe(7);
    } finally {
      lane.close();
    }
  });

  it('transfers a buffer shared by two tasks once', async () => {
    const { lane, posted } = countingLane();
    try {
      const [p, q] = [png(1), png(2)];
      const shared = new Uint8Array(p.length + q.length);
      shared.set(p);
      shared.set(q, p.length);
      const first = await task(shared.subarray(0, p.length), 1n);
      const second = await task(shared.subarray(p.length), 2n);
      const got = await Promise.all([lane.process(first), lane.process(second)]);
      expect(posted()).toBe(1);
      expect(got.map((r) => r.ok && r.data[0])).toEqual([1, 2]);
    } finally {
      lane.close();
    }
  });
});
