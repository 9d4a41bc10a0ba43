/**
 * The `imagestats` bench group (bench/README.md, "Image statistics"): per-item image statistics
 * (src/lib/analysis/image-stats.ts) over the bundled demo dataset public/examples/synthetic-lesions
 * (5,000 64×64 8-bit grayscale PNGs), against decoding the same images only, in one run:
 *
 *   (a) in memory, this thread: decode + statistics against decode only (goal ≥ 0.8×);
 *   (b) the `image_stats` record set written onto a branch (read, verify, decode, measure,
 *       write, commit), inline and over 2 Node worker threads, against a read + decode loop.
 *
 * Rounds alternate baseline and measured; medians of --runs after --warmup (bench/pipeline.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { writeImageStats } from '../src/lib/analysis/derive-lake.ts';
import { imageStats } from '../src/lib/analysis/image-stats.ts';
import { nodeResolver } from '../src/lib/io/node.ts';
import { decodeImage } from '../src/lib/pipeline/decode.ts';
import { openNodeBackend } from '../src/lib/store/node-fs.ts';
import { ingest } from '../src/lib/versions/ingest.ts';
import { Lake } from '../src/lib/versions/lake.ts';
import { readObject } from '../src/lib/versions/objects-read.ts';
import { readAllRows, recordSetOf } from '../src/lib/versions/read.ts';
import { fmtInt } from './measure.ts';
import { nodeDeriveLane } from './pipeline-lanes.ts';
import { compare, print, rounds, type Work } from './pipeline.ts';

const DATASET = 'lesions';
const RECORD_SET = 'images';
const IMAGE = 'images/image';

/** Runs the group; `failed` when a figure did not process every image. */
export async function runImageStatsFromArgv(
  _argv: string[],
  opts: { runs: number; warmup: number },
): Promise<{ json: unknown; failed: boolean }> {
  const dir = await mkdtemp(join(os.tmpdir(), 'croissant-lake-bench-imagestats-'));
  try {
    const lake = await Lake.open(await openNodeBackend(dir));
    const metadata = join(process.cwd(), 'public/examples/synthetic-lesions/metadata.json');
    await ingest(lake, metadata, { resolver: nodeResolver(), dataset: DATASET });
    await lake.createBranch(DATASET, 'stats', 'main');
    const commit = await lake.readCommit(await lake.resolve(DATASET, 'main'));
    const [, rs] = recordSetOf(commit, RECORD_SET);
    const index = await lake.readObjects(commit);
    const rows = await readAllRows(lake.chunks, rs, 'bench');
    const shas = rows.map((r) => (r.row[IMAGE] as { sha256: string }).sha256);
    const bytes = await Promise.all(shas.map((s) => readObject(lake.chunks, index, s)));
    const n = rows.length;
    console.log(`imagestats: synthetic-lesions, ${fmtInt(n)} images; ${os.cpus().length} CPU(s)`);

    let sink = 0;
    const decodeOnly: Work = async () => {
      for (const b of bytes) sink += (await decodeImage(b)).width;
      return n;
    };
    const withStats: Work = async () => {
      for (const b of bytes) sink += imageStats(await decodeImage(b)).mean;
      return n;
    };
    const a = await rounds(
      [
        ['decode only, in memory (baseline)', decodeOnly],
        ['decode + image statistics, in memory', withStats],
      ],
      opts,
    );
    compare(a[1]!, a[0]!, 0.8);
    print('(a) image statistics vs decode only (same images, this thread)', a);

    const readDecode: Work = async () => {
      for (const s of shas)
        sink += (await decodeImage(await readObject(lake.chunks, index, s))).width;
      return n;
    };
    const write =
      (workers: number): Work =>
      async () => {
        const r = await writeImageStats(lake, DATASET, {
          branch: 'stats',
          recordSet: RECORD_SET,
          ...(workers ? { workers, spawn: nodeDeriveLane } : {}),
        });
        return r.rows;
      };
    const b = await rounds(
      [
        ['read + decode loop (baseline)', readDecode],
        ['image_stats written inline', write(0)],
        ['image_stats written, 2 worker threads', write(2)],
      ],
      opts,
    );
    compare(b[1]!, b[0]!, 0.8);
    compare(b[2]!, b[0]!);
    print('(b) the image_stats record set onto a branch', b);
    console.log(
      '\nratio = items/s ÷ items/s of the row named in "vs"; worker lanes are Node worker_threads' +
        `\n(the real target is browser workers). checksum ${sink > 0 ? 'ok' : '0'}.`,
    );
    const all = [...a, ...b];
    return {
      json: { images: n, cpus: os.cpus().length, rows: all },
      failed: all.some((r) => r.items !== n),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
