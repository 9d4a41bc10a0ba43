/**
 * A bucket whose CORS rules do not expose ETag, in Chromium (where the page cannot read it).
 * On a server that honours conditional writes, refs move by If-Match on the ETag each was read
 * with: with the ETag hidden the move went out with no If-Match at all, an overwrite that lets
 * two writers both "win". The push is refused before anything is written, naming the rule the
 * bucket needs. On s3rver as it is (refs by claims, no ETag needed) the same bucket works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { clone } from '../../src/lib/sync/pull.ts';
import { push } from '../../src/lib/sync/push.ts';
import { openRemote } from '../../src/lib/sync/session.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { remoteAt, type Target } from '../s3/target.ts';
import { setup } from '../unit/lake-extend-fixture.ts';
import { refused } from '../unit/remote-suite.ts';
import { browserTarget } from './s3-target.ts';

const started: Target[] = [];
afterAll(async () => {
  for (const t of started) await t.stop();
});

async function target(conditional: boolean): Promise<Target> {
  const t = await browserTarget(conditional, [{ name: 'lake', cors: 'no-etag' }]);
  started.push(t);
  return t;
}

async function keysUnder(t: Target, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of remoteAt(t, prefix).list('')) keys.push(o.key);
  return keys;
}

describe('a bucket that hides ETag from the page', () => {
  let cas: Target;
  let claims: Target;
  beforeAll(async () => {
    cas = await target(true);
    claims = await target(false);
  });

  it('with conditional writes: the push is refused before anything is written, naming the rule', async () => {
    const { lake } = await setup();
    const e = await refused(
      (async () =>
        push(lake, await openRemote('origin', remoteAt(cas, 'p'), { create: true }), 'd'))(),
      'REMOTE_CORS',
    );
    expect(e.message).toMatch(/ETag header is hidden from this page/);
    expect(e.message).toMatch(/ExposeHeaders: ETag/);
    expect(await keysUnder(cas, 'p')).toEqual([]);
    expect(await lake.resolve('d', 'main')).toBeTruthy(); // the lake is as it was
  });

  it('without them (refs by claims, no ETag needed): push and clone work', async () => {
    const { lake } = await setup();
    await push(lake, await openRemote('origin', remoteAt(claims, 'q'), { create: true }), 'd');
    const b = await Lake.open(memoryBackend(), { actor: 'b@test' });
    await clone(b, await openRemote('origin', remoteAt(claims, 'q')), 'd');
    expect(await b.resolve('d', 'main')).toBe(await lake.resolve('d', 'main'));
  });
});
