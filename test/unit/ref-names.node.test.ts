/**
 * Ref names on the Node filesystem lake, through the CLI and the lake worker's catalog: a branch
 * an older version let be called `x.lock` is an ordinary entry file (no lock file of the
 * backend is named after a branch), still listed and deleted, while a new one is refused with
 * the rule it breaks; the CLI's `branch` list, the lake's branches (the Lake tab's branch bar)
 * and the catalog list names in one order.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { refKey } from '../../src/lib/versions/refs.ts';
import type { Catalog } from '../../workers/api/lake.api.ts';
import { createLakeService } from '../../workers/api/lake-service.ts';
import { captureCliOutput } from './cli-output.ts';
import { setup } from './lake-extend-fixture.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'ref-names-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const { out, err } = captureCliOutput();

let n = 0;
/** Dataset `d` in a fresh Node lake folder, and a runner of CLI commands on it. */
async function nodeLake() {
  const dir = path.join(tmp, `lake-${n++}`);
  const { lake, base } = await setup(await openNodeBackend(dir));
  return { dir, lake, base, run: (...args: string[]) => main([...args, '--lake', dir]) };
}

/** The names the CLI's `branch <dataset>` printed, in order. */
const listed = () => out.map((l) => l.split('\t')[0]);

describe('ref names on the Node filesystem lake', () => {
  it('keeps an older x.lock branch apart from lock files, lists and deletes it, refuses a new one', async () => {
    const { dir, lake, base, run } = await nodeLake();
    await lake.backend.refs.cas(refKey('d', 'branch', 'x.lock'), 0, {
      commit: base,
      protected: false,
      updatedAt: new Date().toISOString(),
    });
    // An entry file like any ref's; the backend's lock files are entries.lock and
    // locks/<encoded lock name>.lock (src/lib/store/node-fs.ts), never a branch's name.
    expect(readdirSync(path.join(dir, 'entries'))).toContain('ref%2Fd%2Fbranch%2Fx.lock.json');

    expect(await run('branch', 'd')).toBe(0);
    expect(listed()).toEqual(['main', 'x.lock']);

    out.length = 0;
    expect(await run('branch', 'd', 'y.lock')).toBe(1);
    expect(err.join('\n')).toMatch(
      /branch "y\.lock" is not a valid branch name: its part "y\.lock" ends with "\.lock"/,
    );
    expect(await run('tag', 'd', 'v1.lock')).toBe(1);
    expect(err.join('\n')).toMatch(/tag "v1\.lock" is not a valid tag name/);

    // Deleting takes the dataset's lock and the entries' lock: the branch is no obstacle.
    expect(await run('branch', 'd', '--delete', 'x.lock')).toBe(0);
    out.length = 0;
    expect(await run('branch', 'd')).toBe(0);
    expect(listed()).toEqual(['main']);
    expect(readdirSync(path.join(dir, 'locks')).filter((f) => f.endsWith('.lock'))).toEqual([]);
  });

  it('lists branches in one order: the CLI, the branch bar and the catalog', async () => {
    const { dir, lake, run } = await nodeLake();
    for (const name of ['zeta', 'Ä', 'a', 'Zed', 'é']) await lake.createBranch('d', name, 'main');
    // By code point (written by hand): Z 5A, a 61, m 6D, z 7A, Ä C4, é E9.
    const expected = ['Zed', 'a', 'main', 'zeta', 'Ä', 'é'];

    expect(await run('branch', 'd')).toBe(0);
    expect(listed()).toEqual(expected);

    const service = createLakeService(async () => Lake.open(await openNodeBackend(dir)));
    const bar = await service.call(1, 'branches', ['d']);
    expect(bar.ok && (bar.value as { name: string }[]).map((b) => b.name)).toEqual(expected);
    const catalog = await service.call(2, 'datasets', []);
    expect(catalog.ok).toBe(true);
    const [entry] = (catalog as { value: Catalog }).value.datasets;
    expect(entry!.branches.map((b) => b.name)).toEqual(expected);
    // Every branch is at the import commit: the newest head is main's, as before.
    expect(entry!.lastCommit?.branch).toBe('main');
  });
});
