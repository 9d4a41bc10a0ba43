/**
 * The first screen's session (src/app/dataset-session.svelte.ts) holding its record previews
 * while the dataset is saved to the lake: the record set being generated finishes, the next ones
 * wait until the release, holds nest, and cancelling while held ends the previews as cancelled
 * rather than waiting for the release. The client is a stand-in whose calls the test settles by
 * hand; it keeps the real client's contract for an aborted call (a CroissantError ABORTED,
 * workers/api/croissant-client.ts).
 */
import { describe, expect, it } from 'vitest';
import { DatasetSession } from '../../src/app/dataset-session.svelte.ts';
import { CroissantError } from '../../src/lib/croissant/errors.ts';
import type { Metadata } from '../../src/lib/croissant/model.ts';
import type { CroissantClient } from '../../workers/api/croissant-client.ts';
import type { RecordsResult } from '../../workers/api/croissant.api.ts';

interface Call {
  recordSet: string;
  signal: AbortSignal | undefined;
  resolve: (r: RecordsResult) => void;
}

const SETS = ['a', 'b', 'c'];
const METADATA = {
  name: 'd',
  recordSets: SETS.map((uuid) => ({ uuid, name: uuid, fields: [], key: [] })),
} as unknown as Metadata;
const rows = (recordSet: string): RecordsResult => ({
  rows: [{ [`${recordSet}/x`]: { t: 'str', v: recordSet } }] as unknown as RecordsResult['rows'],
  more: false,
});

/** A session over a client whose `records` calls wait in `calls` until the test settles them. */
function setup() {
  const calls: Call[] = [];
  const client = {
    alive: true,
    open: async () => ({ handle: 1, source: 'x', metadata: METADATA, errors: [], warnings: [] }),
    records: (_h: number, recordSet: string, _limit: number, opts: { signal?: AbortSignal }) =>
      new Promise<RecordsResult>((resolve, reject) => {
        const fail = () => reject(new CroissantError('ABORTED', 'cancelled by the user'));
        if (opts.signal?.aborted) return fail();
        opts.signal?.addEventListener('abort', fail, { once: true });
        calls.push({ recordSet, signal: opts.signal, resolve });
      }),
    close: () => undefined,
    terminate: () => undefined,
  };
  const session = new DatasetSession(() => client as unknown as CroissantClient);
  const status = () => SETS.map((s) => session.recordSets[s]?.status);
  const open = () => session.open({ kind: 'url', url: 'https://example.org/d.json' });
  return { session, calls, status, open };
}

/** Lets the session's awaits run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('DatasetSession.hold', () => {
  it('lets the record set in flight finish, and holds the next ones until the release', async () => {
    const { session, calls, status, open } = setup();
    const opened = open();
    await settle();
    calls[0]!.resolve(rows('a'));
    await settle();
    expect(calls.map((c) => c.recordSet)).toEqual(['a', 'b']);

    const release = session.hold();
    expect(session.held).toBe(true);
    expect(calls[1]!.signal?.aborted).toBe(false);
    calls[1]!.resolve(rows('b'));
    await settle();
    await settle();
    // b finished and is shown; c waits, not asked for; the panel names no record set.
    expect(status()).toEqual(['ready', 'ready', 'waiting']);
    expect(session.recordSets['b']!.rows).toEqual(rows('b').rows);
    expect(calls).toHaveLength(2);
    expect(session.activeRecordSet).toBe(null);
    expect(session.status).toBe('records');

    release();
    expect(session.held).toBe(false);
    await settle();
    expect(calls.map((c) => c.recordSet)).toEqual(['a', 'b', 'c']);
    calls[2]!.resolve(rows('c'));
    await opened;
    expect(status()).toEqual(['ready', 'ready', 'ready']);
    expect(session.status).toBe('ready');
  });

  it('nests: previews go on after the last release, and a second release call does nothing', async () => {
    const { session, calls, status, open } = setup();
    const first = session.hold();
    const second = session.hold();
    const opened = open();
    await settle();
    await settle();
    expect(calls).toHaveLength(0);
    expect(status()).toEqual(['waiting', 'waiting', 'waiting']);
    first();
    first();
    await settle();
    expect(session.held).toBe(true);
    expect(calls).toHaveLength(0);
    second();
    await settle();
    for (const [i, s] of SETS.entries()) {
      expect(calls[i]?.recordSet).toBe(s);
      calls[i]!.resolve(rows(s));
      await settle();
    }
    await opened;
    expect(status()).toEqual(['ready', 'ready', 'ready']);
  });

  it('cancelling while held ends the previews as cancelled, without waiting for the release', async () => {
    const { session, calls, status, open } = setup();
    const opened = open();
    await settle();
    const release = session.hold();
    calls[0]!.resolve(rows('a'));
    await settle();
    session.cancel();
    await opened;
    expect(status()).toEqual(['ready', 'cancelled', 'cancelled']);
    expect(session.status).toBe('cancelled');
    release();
    await settle();
    expect(calls).toHaveLength(1);
  });
});
