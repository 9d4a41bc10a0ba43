/**
 * Reading small raw files ahead of the reader (src/lib/versions/read-ahead.ts): a folder of
 * files is read a few files ahead, within the limits, and stored exactly as when every file is
 * streamed when the reader asks for it (same commit); a file that fails to read fails the
 * ingest naming it, and no read is left running once the ingest has returned.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeResolver } from '../../src/lib/io/node.ts';
import type { ByteSource, Resolver } from '../../src/lib/io/source.ts';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { PACK_THRESHOLD } from '../../src/lib/versions/objects.ts';
import {
  READ_AHEAD_BYTES,
  READ_AHEAD_FILES,
  ReadAhead,
  type PlannedFile,
} from '../../src/lib/versions/read-ahead.ts';
import { png } from './archive-dataset-fixture.ts';
import { dataset, field, recordSet } from './doc-fixture.ts';
import { tempDirs } from './temp-dirs.ts';

const temp = tempDirs();
const tempLake = async () => Lake.open(await openNodeBackend(temp('lake-read-ahead-')));
const TIME = '2024-01-01T00:00:00Z';

/**
 * A folder of 24 PNGs read as a FileSet: small ones, ones over 128 KiB and one over
 * PACK_THRESHOLD (streamed, never read ahead).
 */
let folder: { file: string; names: string[] } | undefined;
function folderDataset(): { file: string; names: string[] } {
  if (folder) return folder;
  const dir = temp('read-ahead-doc-');
  mkdirSync(path.join(dir, 'data'));
  const names: string[] = [];
  for (let i = 0; i < 24; i++) {
    const side = i === 7 ? 2100 : i % 3 === 0 ? 420 : 24;
    const name = `img_${String(i).padStart(2, '0')}.png`;
    writeFileSync(path.join(dir, 'data', name), png(side, side, i, true));
    names.push(name);
  }
  const fromFiles = (name: string, dataType: string, fileProperty: string) =>
    field('images', name, {
      dataType,
      source: { fileSet: { '@id': 'files' }, extract: { fileProperty } },
    });
  const doc = dataset(
    [
      {
        '@type': 'cr:FileSet',
        '@id': 'files',
        name: 'files',
        encodingFormat: 'image/png',
        includes: 'data/*.png',
      },
    ],
    [
      recordSet('images', [
        fromFiles('image', 'sc:ImageObject', 'content'),
        fromFiles('name', 'sc:Text', 'filename'),
      ]),
    ],
  );
  const file = path.join(dir, 'metadata.json');
  writeFileSync(file, JSON.stringify(doc));
  folder = { file, names };
  return folder;
}

/**
 * The Node resolver, counting the streams of raw files open at once (the document itself is
 * read through `resolve`, not counted). `sizes: false`: its sources cannot tell their size, so
 * nothing is read ahead. `fail`: a file whose read fails; `slow`: each file's read waits 4 ms
 * per place in the folder; `abortAt` is called as img_03's read starts.
 */
function counting(opts: { sizes: boolean; fail?: string; slow?: boolean; abortAt?: () => void }) {
  const inner = nodeResolver();
  const seen = { open: 0, most: 0, streamed: new Map<string, number>(), openAfter: -1 };
  const wrap = (s: ByteSource): ByteSource => ({
    name: s.name,
    size: (signal) => (opts.sizes ? s.size(signal) : Promise.resolve(undefined)),
    async *stream(signal, hint) {
      seen.open++;
      seen.most = Math.max(seen.most, seen.open);
      seen.streamed.set(s.name, (seen.streamed.get(s.name) ?? 0) + 1);
      if (s.name.endsWith('img_03.png')) opts.abortAt?.();
      try {
        // Later files take longer: reads ahead are still running when an earlier one fails.
        const at = Number(/img_(\d+)/.exec(s.name)?.[1] ?? 0);
        if (opts.slow) await new Promise((r) => setTimeout(r, 4 * at));
        if (opts.fail && s.name.endsWith(opts.fail))
          throw new Error(`disk error reading ${s.name}`);
        yield* s.stream(signal, hint);
      } finally {
        seen.open--;
      }
    },
  });
  const resolver: Resolver = {
    resolve: (ref, base) => inner.resolve(ref, base),
    async *list(base, signal) {
      for await (const f of inner.list!(base, signal))
        yield { path: f.path, source: wrap(f.source) };
    },
  };
  return { resolver, seen };
}

describe('ingest reads small files ahead', () => {
  it('stores what an ingest streaming each file stores, reading a few files at once', async () => {
    const { file, names } = folderDataset();
    const ahead = counting({ sizes: true });
    const streamed = counting({ sizes: false });
    const opts = { time: TIME, packSize: 256 * 1024 };
    const a = await ingest(await tempLake(), file, { ...opts, resolver: ahead.resolver });
    const b = await ingest(await tempLake(), file, { ...opts, resolver: streamed.resolver });
    expect(a.records.images).toBe(24);
    // The same commit: the same packs, holding the same files at the same places.
    expect(a.commit).toBe(b.commit);
    // Streamed one at a time without sizes; read ahead, within the limit, with them.
    expect(streamed.seen.most).toBe(1);
    expect(ahead.seen.most).toBeGreaterThan(1);
    expect(ahead.seen.most).toBeLessThanOrEqual(READ_AHEAD_FILES + 1);
    // Every file read from its source exactly once either way.
    for (const seen of [ahead.seen, streamed.seen]) {
      expect(seen.streamed.size).toBe(names.length);
      expect([...seen.streamed.values()].every((n) => n === 1)).toBe(true);
    }
  });

  it('fails naming a file that could not be read, with no read left running', async () => {
    const { file } = folderDataset();
    const c = counting({ sizes: true, fail: 'img_05.png', slow: true });
    const lake = await tempLake();
    await expect(ingest(lake, file, { resolver: c.resolver })).rejects.toThrow(/img_05\.png/);
    expect(c.seen.open).toBe(0);
    expect(await lake.datasets()).toEqual([]);
  });

  it('stops reading ahead when cancelled, with no read left running', async () => {
    const { file } = folderDataset();
    const ctl = new AbortController();
    const c = counting({ sizes: true, slow: true, abortAt: () => ctl.abort() });
    const lake = await tempLake();
    const run = ingest(lake, file, { resolver: c.resolver, signal: ctl.signal });
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
    expect(c.seen.open).toBe(0);
    expect(c.seen.streamed.size).toBeLessThan(24);
  });
});

/**
 * A source of `size` bytes of `fill` (`actual`: what it really holds, when its size is wrong)
 * that records when it is read, and when a read of it was stopped (`stopped`).
 */
function source(
  name: string,
  size: number | undefined,
  log: string[],
  opts: { actual?: number; slow?: boolean } = {},
): PlannedFile {
  const bytes = new Uint8Array(opts.actual ?? size ?? 10).fill(1);
  return {
    size,
    source: {
      name,
      size: () => Promise.resolve(size),
      async *stream(signal) {
        log.push(name);
        if (name === 'bad') throw new Error('bad read');
        try {
          if (opts.slow) {
            await new Promise((resolve) => signal?.addEventListener('abort', resolve));
            throw new Error(`read of ${name} stopped`);
          }
          // In two pieces: a read ahead can stop between them.
          yield bytes.subarray(0, bytes.length >> 1);
          yield bytes.subarray(bytes.length >> 1);
        } finally {
          log.push(`${name} ended`);
        }
      },
    },
  };
}

describe('ReadAhead', () => {
  // A read starts (opens its source) as it is asked for: the log shows it at once.
  const started = (log: string[]) => log.filter((l) => !l.endsWith(' ended'));

  it('reads the files after the one captured, up to READ_AHEAD_FILES', async () => {
    const log: string[] = [];
    const files = Array.from({ length: 20 }, (_, i) => source(`f${i}`, 1000, log));
    const r = new ReadAhead(files, () => false);
    r.after('f0');
    expect(started(log)).toEqual(Array.from({ length: READ_AHEAD_FILES }, (_, i) => `f${i + 1}`));
    // Taking one frees its place: the next file is read.
    const got = (await r.take('f1'))!;
    expect([got.byteLength, got[0]]).toEqual([1000, 1]);
    expect(r.take('f1')).toBeUndefined(); // handed over once
    r.after('f1');
    expect(started(log).at(-1)).toBe(`f${READ_AHEAD_FILES + 1}`);
    expect(started(log)).toHaveLength(READ_AHEAD_FILES + 1);
    await r.close();
  });

  it('holds at most READ_AHEAD_BYTES, and skips large, unsized and skipped files', async () => {
    const log: string[] = [];
    const size = 3.5 * 1024 * 1024; // under PACK_THRESHOLD
    const fit = Math.floor(READ_AHEAD_BYTES / size);
    const sized = Array.from({ length: fit + 1 }, (_, i) => source(`s${i}`, size, log));
    const files = [
      source('a', 10, log),
      source('big', PACK_THRESHOLD, log),
      source('unsized', undefined, log),
      source('done', 10, log),
      ...sized,
    ];
    const r = new ReadAhead(files, (name) => name === 'done');
    r.after('a');
    const first = sized.slice(0, fit).map((f) => f.source.name);
    expect(started(log)).toEqual(first);
    const s0 = (await r.take('s0'))!;
    expect(Buffer.from(s0).equals(Buffer.alloc(size, 1))).toBe(true);
    r.after('s0');
    expect(started(log)).toEqual([...first, `s${fit}`]);
    await r.close();
  });

  it('gives up a file larger than its size said, to be read as usual', async () => {
    const log: string[] = [];
    const grew = PACK_THRESHOLD + 2; // past PACK_THRESHOLD in its second piece
    const r = new ReadAhead(
      [source('a', 10, log), source('grew', 10, log, { actual: grew })],
      () => false,
    );
    r.after('a');
    expect(await r.take('grew')).toBeUndefined();
    expect(log).toEqual(['grew', 'grew ended']); // closed, not read to its end
  });

  it('throws a failed read to whoever takes the file; reads nothing once aborted', async () => {
    const log: string[] = [];
    const ctl = new AbortController();
    const r = new ReadAhead(
      [source('a', 10, log), source('bad', 10, log)],
      () => false,
      ctl.signal,
    );
    r.after('a');
    await expect(r.take('bad')!).rejects.toThrow('bad read');
    const r2 = new ReadAhead([source('x', 10, log), source('y', 10, log)], () => false, ctl.signal);
    ctl.abort();
    r2.after('x');
    expect(log).toEqual(['bad']);
  });

  it('close() stops the reads still running and waits for them', async () => {
    const log: string[] = [];
    const r = new ReadAhead(
      [source('a', 10, log), source('slow', 10, log, { slow: true })],
      () => false,
    );
    r.after('a');
    expect(log).toEqual(['slow']);
    await r.close();
    expect(log).toEqual(['slow', 'slow ended']);
    r.after('a'); // reads nothing once closed
    expect(log).toHaveLength(2);
  });
});
