/**
 * The remote benchmark group (bench/remote.ts, issue 17 §5) in quick mode: the same code as
 * `npm run bench -- --only remote`, on a few thousand rows, one round, so the group cannot rot
 * between the rare full runs. It checks what the figures rest on, never how fast anything was:
 * both sides moved every byte, the clone is the pushed head, and the push after a one-row commit
 * moved exactly the chunks that commit added.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { benchRemote, remoteTable, runRemoteFromArgv } from '../../bench/remote.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('bench: remote group, quick mode', () => {
  it('measures push/fetch against plain PUT/GET and a one-row push, all checks passing', async () => {
    // s3rver in this process here; the next case runs the default, s3rver in a child process.
    const f = await benchRemote({
      rows: 3_000,
      runs: 2,
      warmup: 0,
      server: 'in-process',
      write: () => undefined,
    });
    expect(f.problems).toEqual([]);
    expect(f.rows).toBe(3_000);
    expect(f.server).toBe('in-process');
    expect(f.chunks).toBeGreaterThan(0);
    // A one-row append adds its commit and one fragment (the remote suite counts the same).
    expect(f.second.addedChunks).toBe(2);
    expect(f.second.chunks).toBe(f.second.addedChunks);
    expect(f.second.bytes).toBe(f.second.addedBytes);
    expect(f.second.bytes).toBeLessThan(f.bytes);
    for (const s of [f.putS, f.getS, f.replayS, f.pushS, f.fetchS, f.second.s])
      expect(Number.isFinite(s) && s > 0).toBe(true);
    // The replay is of what a first push of one record set to an empty remote sends
    // (docs/format.md, "Remotes"): every chunk once; a listing of the remote and the claim's
    // listing of its position; PUTs of the ref-log entry, the claim, its confirmation, the
    // catalog entry, the branch's Croissant document and the record set's Delta log version.
    expect(f.replayed).toEqual({ 'chunk PUTs': f.chunks, ListObjectsV2: 2, PutObject: 6 });
    const lines = remoteTable(f).split('\n');
    expect(lines).toHaveLength(8);
    expect(lines[2]).toMatch(/^push MB\/s vs plain PUT/);
    expect(lines[3]).toMatch(/^fetch MB\/s vs plain GET/);
    expect(lines[4]).toMatch(/^plain replay of push's requests vs PUT/);
    expect(lines[5]).toMatch(/^push MB\/s vs that replay/);
  });

  it('runs from the bench CLI flags and reports into results.json', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const r = await runRemoteFromArgv(['--only', 'remote', '--remote-rows', '2000'], {
      runs: 1,
      warmup: 0,
    });
    expect(r.failed).toBe(false);
    expect((r.json as { rows: number }).rows).toBe(2_000);
    expect((r.json as { server: string }).server).toBe('child');
    const printed = log.mock.calls.map((c) => String(c[0])).join('\n');
    expect(printed).toContain('in a child process; 2,000 rows');
    expect(printed).toMatch(
      /replayed: the requests of one first push \(\d+ chunk PUTs, 2 ListObjectsV2, 6 PutObject\)/,
    );
    expect(printed).not.toContain('!!');
  });
});
