/**
 * The remote's format file (`croissant-lake-remote.json`, docs/format.md): a reader refuses a
 * remote whose format, version, feature flags or ref mode it does not know, rather than misread
 * it, and a push there writes nothing (issue 17 §1, "the format version with its feature flags").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMAT_KEY } from '../../src/lib/sync/layout.ts';
import { push } from '../../src/lib/sync/push.ts';
import { openRemote } from '../../src/lib/sync/session.ts';
import { remoteAt, startTarget, type Target } from '../s3/targets.ts';
import { setup } from './lake-extend-fixture.ts';
import { freshPrefix, refused } from './remote-suite.ts';

let t: Target;
beforeAll(async () => {
  t = await startTarget(false);
});
afterAll(async () => {
  await t.stop();
});

const written = (o: Record<string, unknown>) => new TextEncoder().encode(JSON.stringify(o));
const ok = { format: 'croissant-lake/remote', formatVersion: 1, features: ['delta-log'] };

describe('a remote whose format this croissant-lake does not know', () => {
  it.each([
    [
      'a newer version',
      { ...ok, formatVersion: 2, refs: 'cas' },
      /format version 2.*reads version 1/,
    ],
    [
      'an unknown feature',
      { ...ok, features: ['delta-log', 'zorder'], refs: 'claims' },
      /feature\(s\) zorder/,
    ],
    [
      'another format',
      { ...ok, format: 'something-else', refs: 'cas' },
      /something else than a croissant-lake remote/,
    ],
    ['an unknown ref mode', { ...ok, refs: 'paxos' }, /unknown ref mode "paxos"/],
  ])('refuses %s, and a push there writes nothing', async (_what, format, message) => {
    const prefix = freshPrefix('format');
    const remote = remoteAt(t, prefix);
    await remote.put(FORMAT_KEY, written(format));
    const e = await refused(openRemote('origin', remote, { create: true }), 'UNSUPPORTED_FORMAT');
    expect(e.message).toMatch(message);
    const { lake } = await setup();
    await refused(
      (async () => push(lake, await openRemote('origin', remote, { create: true }), 'd'))(),
      'UNSUPPORTED_FORMAT',
    );
    const keys: string[] = [];
    for await (const o of remote.list('')) keys.push(o.key);
    expect(keys).toEqual([FORMAT_KEY]);
  });

  it('opens a remote in the format it knows', async () => {
    const remote = remoteAt(t, freshPrefix('format-ok'));
    await remote.put(FORMAT_KEY, written({ ...ok, refs: 'claims' }));
    expect((await openRemote('origin', remote)).format.refs).toBe('claims');
  });
});
