/**
 * The requests a push sends to s3rver (a server that ignores conditional writes: refs by claims),
 * counted at `fetch`: a first push and a push after a one-row commit (issue 17 §5; bench/README.md,
 * "Remote"). Every request beyond the chunks is named below, so that one more (or a chunk sent
 * twice) fails here and has to be accounted for.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { push } from '../../src/lib/sync/push.ts';
import { openRemote } from '../../src/lib/sync/session.ts';
import { appendRows } from '../../src/lib/versions/append.ts';
import type { Lake } from '../../src/lib/versions/lake.ts';
import { remoteAt } from '../s3/target.ts';
import { startTarget, type Target } from '../s3/targets.ts';
import { row, setup } from './lake-extend-fixture.ts';

let t: Target;
beforeAll(async () => {
  t = await startTarget(false);
});
afterAll(async () => {
  await t.stop();
});

/**
 * Each request `fetch` is handed while `fn` runs, as "METHOD key" (the key under `prefix`) or
 * "list prefix", with the random parts of ref-log and claim names as `*`.
 */
async function requestsOf(prefix: string, fn: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const real = globalThis.fetch;
  vi.stubGlobal('fetch', (input: Request, init?: RequestInit) => {
    const url = new URL(input.url);
    const listed = url.searchParams.get('prefix');
    const key = (k: string) =>
      k
        .slice(prefix.length + 1)
        .replace(/^reflog\/d\/\d+-[0-9a-f]+\.json$/, 'reflog/d/*.json')
        .replace(/\/(\d{12})-[0-9a-f]+\.(json|ok)$/, '/$1-*.$2');
    sent.push(
      listed !== null
        ? `list ${key(listed)}`
        : `${input.method} ${key(decodeURIComponent(url.pathname).slice('/lake/'.length))}`,
    );
    return real(input, init);
  });
  try {
    await fn();
  } finally {
    vi.unstubAllGlobals();
  }
  return sent;
}

async function chunksOf(lake: Lake): Promise<Set<string>> {
  const out = new Set<string>();
  for await (const c of lake.chunks.list()) out.add(c.hash);
  return out;
}

const chunkKey = (h: string) => `chunks/${h.slice(0, 2)}/${h}`;
const isChunk = (r: string) => / chunks\//.test(r);
// The fixture's dataset has two record sets, people and other: two Delta tables.
const TABLES = ['people', 'other'];

describe('push to s3rver (claims)', () => {
  it('a first push sends each chunk once and 9 requests more; a one-row push its chunks and 14 more', async () => {
    const { lake } = await setup();
    const prefix = `count-${Date.now()}`;
    const remote = remoteAt(t, prefix);
    const session = await openRemote('origin', remote, { create: true });
    const first = await requestsOf(prefix, () => push(lake, session, 'd'));
    const all = await chunksOf(lake);
    expect(first.filter(isChunk).sort()).toEqual([...all].map((h) => `PUT ${chunkKey(h)}`).sort());
    expect(first.filter((r) => !isChunk(r)).sort()).toEqual(
      [
        'list ', // the whole remote, once: its chunks, the refs and the Delta logs (it is small)
        'PUT reflog/d/*.json', // the ref log entry
        'PUT refs/d/branch/main/000000000001-*.json', // the claim
        'list refs/d/branch/main/000000000001-', // the claims at its position
        'PUT refs/d/branch/main/000000000001-*.ok', // its confirmation: the move
        'PUT datasets/d.json', // the catalog entry (new on this remote)
        ...TABLES.map((rs) => `PUT delta/d/main/${rs}/_delta_log/00000000000000000000.json`),
        'PUT d@main.croissant.json',
      ].sort(),
    );

    await appendRows(lake, 'd', {
      branch: 'main',
      recordSet: 'people',
      rows: [row('N', 9n, 1, true, 1)],
    });
    const added = [...(await chunksOf(lake))].filter((h) => !all.has(h));
    const again = await openRemote('origin', remote);
    const second = await requestsOf(prefix, () => push(lake, again, 'd'));
    // Which of the commit's chunks the remote has: a HEAD each (fewer than a listing would take).
    expect(second.filter(isChunk).sort()).toEqual(
      [
        ...added.map((h) => `HEAD ${chunkKey(h)}`),
        ...added.map((h) => `PUT ${chunkKey(h)}`),
      ].sort(),
    );
    expect(second.filter((r) => !isChunk(r)).sort()).toEqual(
      [
        'list refs/d/', // the dataset's refs (the lake tracks the remote's branch now)
        'GET refs/d/branch/main/000000000001-*.json', // main's head entry
        'PUT reflog/d/*.json',
        'PUT refs/d/branch/main/000000000002-*.json',
        'list refs/d/branch/main/000000000002-',
        'PUT refs/d/branch/main/000000000002-*.ok',
        // no catalog entry: unchanged, and the remote has it
        ...TABLES.map((rs) => `list delta/d/main/${rs}/_delta_log/`),
        ...TABLES.map((rs) => `PUT delta/d/main/${rs}/_delta_log/00000000000000000001.json`),
        'PUT d@main.croissant.json',
      ].sort(),
    );
  });
});
