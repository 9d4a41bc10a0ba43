/**
 * The free names a share link's replay takes (replay-lookup.ts `freeName`): when the link's
 * branch name or dataset id is taken, `-2`, `-3`… is added, and a name of the longest length
 * allowed is cut first so that the free name is still one the lake takes (ref-names.ts,
 * dataset-id.ts), never cut inside a character.
 */
import { describe, expect, it } from 'vitest';
import { createFreeBranch, freeName } from '../../src/lib/share/replay-lookup.ts';
import { MAX_DATASET_ID, checkDatasetId } from '../../src/lib/versions/dataset-id.ts';
import { MAX_REF_NAME, refNameProblem } from '../../src/lib/versions/ref-names.ts';
import { setup } from './lake-extend-fixture.ts';

/** `taken` for freeName: the names in `names`. */
const takenOf = (...names: string[]) => {
  const set = new Set(names);
  return async (n: string) => set.has(n);
};

describe('freeName', () => {
  it('adds -2, -3… to a name, cut to the longest length allowed', async () => {
    const long = 'x'.repeat(MAX_REF_NAME);
    expect(await freeName('main', takenOf('main', 'main-2'), MAX_REF_NAME)).toBe('main-3');
    expect(await freeName(long, takenOf(long), MAX_REF_NAME)).toBe(`${'x'.repeat(198)}-2`);
    // 100 characters of two UTF-16 code units each: cut to 99 of them, not inside one.
    const emoji = '😀'.repeat(100);
    const free = await freeName(emoji, takenOf(emoji), MAX_REF_NAME);
    expect(free).toBe(`${'😀'.repeat(99)}-2`);
    expect(refNameProblem(free)).toBeUndefined();
  });

  it('gives a dataset id of the longest length a free id ingest takes', async () => {
    const id = 'a'.repeat(MAX_DATASET_ID);
    const free = await freeName(id, takenOf(id, `${'a'.repeat(62)}-2`), MAX_DATASET_ID);
    expect(free).toBe(`${'a'.repeat(62)}-3`);
    expect(() => checkDatasetId(free)).not.toThrow();
  });
});

describe('createFreeBranch', () => {
  it('creates a branch when the link names one of 200 characters that is taken', async () => {
    const { lake, base } = await setup();
    const long = `${'y'.repeat(MAX_REF_NAME - 1)}z`;
    await lake.createBranch('d', long, 'main');
    const name = await createFreeBranch(lake, 'd', long, base);
    expect(name).toBe(`${'y'.repeat(198)}-2`);
    expect(await lake.resolve('d', name)).toBe(base);
  });
});
