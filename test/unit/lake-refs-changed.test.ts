/**
 * The Lake tab's signal that refs changed (LakeCatalog.refsChanged), over a stub lake client:
 * every operation that may add to a dataset's ref log raises it once it ends, whether it worked
 * or failed (a pull that failed midway may have moved a branch), and reads do not. The ref log
 * panel reads again on it (test/e2e/lake-safety.e2e.ts shows that in the page).
 */
import { describe, expect, it } from 'vitest';
import { LakeCatalog } from '../../src/app/lake-catalog.svelte.ts';
import { LakeError } from '../../src/lib/store/errors.ts';
import type { LakeClient } from '../../workers/api/lake-client.ts';

const REPLIES: Record<string, unknown> = {
  refLog: [],
  branches: [],
  datasets: { datasets: [], unfinished: [], running: [], totalBytes: 0 },
};

function stub(fail: ReadonlySet<string> = new Set()) {
  const calls: string[] = [];
  const client = {
    alive: true,
    call: (method: string) => {
      calls.push(method);
      return fail.has(method)
        ? Promise.reject(new LakeError('NON_FAST_FORWARD', `${method} refused`))
        : Promise.resolve(REPLIES[method] ?? {});
    },
    terminate: () => undefined,
  } as unknown as LakeClient;
  return { lake: new LakeCatalog(() => client), calls };
}

describe("the lake's refs-changed signal", () => {
  it('goes up after each ref change made from the page, not after reads', async () => {
    const { lake } = stub();
    expect(lake.refsChanged).toBe(0);
    await lake.call('createBranch', ['titanic', 'curated', 'main']);
    expect(lake.refsChanged).toBe(1);
    await lake.call('tag', ['titanic', 'v1', 'main']);
    await lake.call('protect', ['titanic', 'curated', true]);
    await lake.call('deleteBranch', ['titanic', 'curated']);
    await lake.call('restoreBranch', ['titanic', 'curated', null]);
    await lake.call('appendCsv', ['titanic', 'curated', 'passengers', new File(['a\n'], 'a.csv')]);
    await lake.call('pull', ['origin', 'titanic', 'fail']);
    await lake.call('clone', ['origin', 'iris']);
    expect(lake.refsChanged).toBe(8);
    await lake.call('refLog', ['titanic']);
    await lake.call('branches', ['titanic']);
    await lake.call('push', ['origin', 'titanic', null]);
    await lake.call('fetch', ['origin', 'titanic']);
    // Push and fetch move remote-tracking refs only: the ref log has nothing new.
    expect(lake.refsChanged).toBe(8);
  });

  it('goes up when the change failed too, and the failure still reaches the caller', async () => {
    const { lake } = stub(new Set(['pull']));
    await expect(lake.call('pull', ['origin', 'titanic', 'fail'])).rejects.toThrow('pull refused');
    expect(lake.refsChanged).toBe(1);
  });

  it('counts a save into the lake', async () => {
    const { lake, calls } = stub();
    const source = { kind: 'url', url: 'https://example.org/metadata.json' } as const;
    await lake.ingest(source, 'Example', undefined, false, 'example');
    // The save, then the catalog read again (a read: it does not count).
    expect(calls).toEqual(['ingest', 'datasets']);
    expect(lake.save.status).toBe('saved');
    expect(lake.refsChanged).toBe(1);
  });
});
