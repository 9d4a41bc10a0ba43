/**
 * The remote benchmark group (`npm run bench -- --only remote`; issue 17 §5; bench/README.md,
 * "Remote"), against s3rver on 127.0.0.1 started here (in a child process by default, as a real
 * server is never in its client's process; `server: 'in-process'` for the setup of the earlier
 * figures), with one lake of a 1M-row record set in memory (so the lake's own disk does not enter
 * the figures):
 *
 *   1. push MB/s against a plain PUT of the same bytes to the same server, and fetch (a clone into
 *      an empty lake, every chunk verified against its hash) MB/s against a plain GET of them.
 *      The baseline is aws4fetch's `AwsClient` alone (signed PUT/GET, nothing else), at the same
 *      concurrency (4), with the same precomputed payload hash as push sends. Goal ≥ 0.7×;
 *   2. a second push after a one-row commit: its bytes and time against the first push. It must
 *      move exactly the chunks that commit added (checked, not only shown);
 *   3. the floor of push on this server: the requests one push sent (recorded before the rounds),
 *      replayed by the plain client in the same order with nothing in between
 *      (bench/remote-plain.ts), against the plain PUT, and push against that replay.
 *
 * Each figure is the median of `runs` rounds after `warmup` untimed ones; every round uses fresh
 * key prefixes and alternates which side goes first. Quick mode (test/unit/bench-remote.node.test.ts)
 * runs the same code on a few thousand rows so the group cannot rot unnoticed.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { memoryBackend } from '../src/lib/store/memory.ts';
import { clone } from '../src/lib/sync/pull.ts';
import { push, type PushResult } from '../src/lib/sync/push.ts';
import { S3Remote } from '../src/lib/sync/s3.ts';
import { openRemote } from '../src/lib/sync/session.ts';
import { appendRows } from '../src/lib/versions/append.ts';
import { Lake } from '../src/lib/versions/lake.ts';
import { startS3rver } from '../test/s3/s3rver.ts';
import { parseIntFlag, parseStringFlag } from './generate.ts';
import { buildDataset } from './lake-ops.ts';
import { fmtMB, formatTable, gc, median } from './measure.ts';
import { countRequests, plainClient, recordingRemote, type Chunk } from './remote-plain.ts';

export const GOAL = 0.7;
export const DEFAULT_REMOTE_ROWS = 1_000_000;
const CONCURRENCY = 4;
const BUCKET = 'bench';
const KEY = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * Where s3rver runs: in a process of its own (`child`, the default: a real server never shares
 * its client's process or event loop), or in the bench's process (`in-process`, the setup of the
 * figures before 2026-12-05 14:00, kept to compare with them).
 */
export type ServerMode = 'child' | 'in-process';
export const SERVER_MODES: readonly ServerMode[] = ['child', 'in-process'];

export interface RemoteBenchOptions {
  rows: number;
  runs: number;
  warmup: number;
  /** Default `child`. */
  server?: ServerMode;
  /** Where progress goes (default stdout). */
  write?: (s: string) => void;
}

/** What the group measured; seconds are medians. */
export interface RemoteFigures {
  rows: number;
  server: ServerMode;
  chunks: number;
  bytes: number;
  putS: number;
  getS: number;
  pushS: number;
  fetchS: number;
  pushRatio: number;
  fetchRatio: number;
  /** The requests of one first push, replayed plainly (median seconds), and what they were. */
  replayS: number;
  replayed: Record<string, number>;
  /** Plain PUT time ÷ replay time: the most push ÷ PUT can reach with these requests here. */
  floorRatio: number;
  /** Replay time ÷ push time. */
  pushVsFloor: number;
  second: { s: number; bytes: number; chunks: number; addedChunks: number; addedBytes: number };
  /** Correctness checks that failed (empty when all passed). */
  problems: string[];
}

/** Seconds `fn` took. */
async function timed(fn: () => Promise<unknown>): Promise<number> {
  gc?.();
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

const SERVER_CHILD = fileURLToPath(new URL('child/s3rver.ts', import.meta.url));

/** s3rver with the bucket, where `mode` says; both sides of the bench talk to it alike. */
async function startServer(mode: ServerMode): Promise<{ endpoint: string; stop(): Promise<void> }> {
  if (mode === 'in-process') return startS3rver([{ name: BUCKET }]);
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER_CHILD, BUCKET], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout! });
  const first = await Promise.race([
    once(lines, 'line').then(([l]) => String(l)),
    exited.then(([code]) => {
      throw new Error(`the s3rver child process exited (code ${String(code)}) before listening`);
    }),
  ]);
  const { endpoint } = JSON.parse(first) as { endpoint: string };
  return {
    endpoint,
    async stop() {
      child.stdin!.end(); // the child stops its server and removes its folder
      await exited;
    },
  };
}

/** Runs the group; throws only when the server or the lake fails. */
export async function benchRemote(opts: RemoteBenchOptions): Promise<RemoteFigures> {
  const write = opts.write ?? ((s: string) => process.stdout.write(s));
  const problems: string[] = [];
  const mode = opts.server ?? 'child';
  const server = await startServer(mode);
  try {
    const where = (prefix: string) =>
      ({
        endpoint: server.endpoint,
        bucket: BUCKET,
        prefix,
        region: 'us-east-1',
        pathStyle: true,
      }) as const;
    const remote = (prefix: string) => new S3Remote(where(prefix), KEY);
    // One remote name per prefix: a lake takes what its tracking refs of a remote name reach
    // as present there, so two prefixes under one name would skip uploads.
    const session = (prefix: string, create = false) =>
      openRemote(prefix, remote(prefix), { create });
    const lake = await Lake.open(memoryBackend());
    const head = await buildDataset(lake, 'big', opts.rows);
    const chunks: Chunk[] = [];
    for await (const c of lake.chunks.list())
      chunks.push({ hash: c.hash, bytes: await lake.chunks.get(c.hash) });
    const total = chunks.reduce((n, c) => n + c.bytes.byteLength, 0);
    const plain = plainClient(server.endpoint, BUCKET, KEY, CONCURRENCY);
    // The requests of a first push, recorded on a push of its own, for the replay.
    const recording = recordingRemote(where('recorded'), KEY);
    const recorded = await openRemote('recorded', recording, { create: true });
    recording.sent.length = 0; // the remote's set-up (format file, probe) is not the push's
    await push(lake, recorded, 'big');
    const sent = [...recording.sent];

    const t = {
      put: [] as number[],
      get: [] as number[],
      replay: [] as number[],
      push: [] as number[],
      fetch: [] as number[],
    };
    const rounds = opts.warmup + opts.runs;
    write(`• remote rounds (put, get, replay, push, clone): `);
    for (let r = 0; r < rounds; r++) {
      const keep = r >= opts.warmup;
      let first: PushResult | undefined;
      const baseline = async () => {
        const put = await timed(() => plain.put(`plain${r}`, chunks));
        let got = 0;
        const get = await timed(async () => (got = await plain.get(`plain${r}`, chunks)));
        if (got !== total) problems.push(`round ${r}: plain GET read ${got} bytes of ${total}`);
        const replay = await timed(() => plain.replay(`replay${r}`, chunks, sent));
        if (keep) {
          t.put.push(put);
          t.get.push(get);
          t.replay.push(replay);
        }
      };
      const ours = async () => {
        const s = await session(`lake${r}`, true);
        const pushS = await timed(async () => (first = await push(lake, s, 'big')));
        const other = await Lake.open(memoryBackend());
        let got = 0;
        const fetchS = await timed(
          async () => (got = (await clone(other, await session(`lake${r}`), 'big')).bytes),
        );
        if (first!.bytes !== total)
          problems.push(`round ${r}: push moved ${first!.bytes} of ${total} bytes`);
        if (got !== total) problems.push(`round ${r}: clone fetched ${got} of ${total} bytes`);
        if ((await other.resolve('big', 'main')) !== head)
          problems.push(`round ${r}: the clone's main is not the pushed head`);
        if (keep) {
          t.push.push(pushS);
          t.fetch.push(fetchS);
        }
      };
      for (const side of r % 2 ? [ours, baseline] : [baseline, ours]) await side();
      write(keep ? `${r - opts.warmup + 1} ` : 'w ');
    }
    write('\n');

    // A one-row commit, then a push of it to each timed round's remote (all at the old head).
    const before = new Set(chunks.map((c) => c.hash));
    await appendRows(lake, 'big', { branch: 'main', recordSet: 't', rows: [oneRow()] });
    let addedChunks = 0;
    let addedBytes = 0;
    for await (const c of lake.chunks.list()) {
      if (before.has(c.hash)) continue;
      addedChunks++;
      addedBytes += c.size;
    }
    const seconds: number[] = [];
    let second: PushResult | undefined;
    for (let r = opts.warmup; r < rounds; r++) {
      const s = await session(`lake${r}`);
      seconds.push(await timed(async () => (second = await push(lake, s, 'big'))));
      if (second!.uploaded !== addedChunks || second!.bytes !== addedBytes)
        problems.push(
          `second push to round ${r}: moved ${second!.uploaded} chunks (${second!.bytes} B), ` +
            `the commit added ${addedChunks} (${addedBytes} B)`,
        );
    }
    const mbs = (s: number) => total / 1e6 / s;
    const [putS, getS, replayS, pushS, fetchS] = [t.put, t.get, t.replay, t.push, t.fetch].map(
      median,
    ) as number[];
    return {
      rows: opts.rows,
      server: mode,
      chunks: chunks.length,
      bytes: total,
      putS: putS!,
      getS: getS!,
      pushS: pushS!,
      fetchS: fetchS!,
      pushRatio: mbs(pushS!) / mbs(putS!),
      fetchRatio: mbs(fetchS!) / mbs(getS!),
      replayS: replayS!,
      replayed: countRequests(sent),
      floorRatio: putS! / replayS!,
      pushVsFloor: replayS! / pushS!,
      second: {
        s: median(seconds),
        bytes: second!.bytes,
        chunks: second!.uploaded,
        addedChunks,
        addedBytes,
      },
      problems,
    };
  } finally {
    await server.stop();
  }
}

/** The group's table. */
export function remoteTable(f: RemoteFigures): string {
  const mbs = (s: number) => (f.bytes / 1e6 / s).toFixed(1);
  const x = (r: number) => `${r.toFixed(r < 0.1 ? 5 : 2)}×`;
  return formatTable(
    ['figure', 'ours', 'baseline', 'ratio', 'goal'],
    [
      ['push MB/s vs plain PUT', mbs(f.pushS), mbs(f.putS), x(f.pushRatio), `≥ ${GOAL}×`],
      ['fetch MB/s vs plain GET', mbs(f.fetchS), mbs(f.getS), x(f.fetchRatio), `≥ ${GOAL}×`],
      [
        "plain replay of push's requests vs PUT",
        mbs(f.replayS),
        mbs(f.putS),
        x(f.floorRatio),
        'push ceiling',
      ],
      ['push MB/s vs that replay', mbs(f.pushS), mbs(f.replayS), x(f.pushVsFloor), ''],
      [
        'push after a 1-row commit: bytes',
        String(f.second.bytes),
        String(f.bytes),
        x(f.second.bytes / f.bytes),
        'O(change)',
      ],
      [
        'push after a 1-row commit: seconds',
        f.second.s.toFixed(3),
        f.pushS.toFixed(3),
        x(f.second.s / f.pushS),
        '',
      ],
    ],
  );
}

/** `npm run bench -- --only remote [--remote-rows N] [--remote-server child|in-process]`: prints the table; results.json's part. */
export async function runRemoteFromArgv(
  argv: string[],
  common: { runs: number; warmup: number },
): Promise<{ json: unknown; failed: boolean }> {
  const rows = parseIntFlag(argv, '--remote-rows') ?? DEFAULT_REMOTE_ROWS;
  const server = (parseStringFlag(argv, '--remote-server') ?? 'child') as ServerMode;
  if (!SERVER_MODES.includes(server))
    throw new Error(`--remote-server must be one of ${SERVER_MODES.join(', ')}, not ${server}`);
  const f = await benchRemote({ rows, server, ...common });
  const where = server === 'child' ? 'in a child process' : "in the bench's process";
  console.log(
    `remote (s3rver on 127.0.0.1 ${where}; ${rows.toLocaleString('en-US')} rows, ${fmtMB(f.bytes)} MB in ` +
      `${f.chunks} chunks; median of ${common.runs} after ${common.warmup} warm-up)`,
  );
  console.log(remoteTable(f));
  const replayed = Object.entries(f.replayed).map(([k, n]) => `${n} ${k}`);
  console.log(`replayed: the requests of one first push (${replayed.join(', ')}), in its order`);
  console.log(
    `second push: ${f.second.chunks} chunks, exactly what the one-row commit added ` +
      `(${f.second.addedChunks} chunks, ${f.second.addedBytes} B)` +
      (f.problems.length ? ' — NOT SO, see below' : ''),
  );
  for (const p of f.problems) console.log(`!! remote: ${p}`);
  for (const [name, r] of [
    ['push', f.pushRatio],
    ['fetch', f.fetchRatio],
  ] as const)
    if (r < GOAL) console.log(`  note — ${name} is below the goal of ${GOAL}× in this run`);
  return { json: f, failed: f.problems.length > 0 };
}

/** A row of bench/lake-ops.ts's record set `t` (its COLUMNS). */
function oneRow() {
  return { id: 999_999_999n, x: 0.5, label: 'added' };
}
