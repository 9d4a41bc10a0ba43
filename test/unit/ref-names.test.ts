/**
 * The names a new branch or tag may have, and the one order names are listed in. The refusals
 * are git's, from its documentation (https://git-scm.com/docs/git-check-ref-format, rules
 * numbered as there), plus the lake's own (src/lib/versions/ref-names.ts); a lake holding names
 * an older version accepted still lists, deletes and restores them.
 */
import { describe, expect, it } from 'vitest';
import { LakeError } from '../../src/lib/store/errors.ts';
import { checkRefName, compareRefNames, refNameProblem } from '../../src/lib/versions/ref-names.ts';
import { appendRows } from '../../src/lib/versions/append.ts';
import { refKey } from '../../src/lib/versions/refs.ts';
import { row, setup } from './lake-extend-fixture.ts';

/** Names git accepts as branch names (`git check-ref-format --branch`), and so does the lake. */
const ACCEPTED = [
  'main',
  'feature/x',
  'v1.0',
  'a-b_c',
  'x.locked', // rule 1 is about the end of a component
  'x.lock.y',
  'lock',
  'a@b', // rule 8 is about "@{" only
  '@x', // rule 9 is about "@" alone
  'a{b}',
  '#7',
  'Ä',
  'naïve/über',
  '東京',
  'x'.repeat(200),
  'a@fork', // the lake's rule is about "@fork<n>" at the end
  'head', // git's HEAD is upper case; it refuses that one name only
  'HEADS',
  'x/HEAD',
  'HEAD/x',
];

/** Names refused, with the rule (git's number, or "lake") and what the reason must say. */
const REFUSED: [name: string, rule: string, reason: RegExp][] = [
  ['x.lock', '1', /part "x\.lock" ends with "\.lock"/],
  ['a/b.lock', '1', /part "b\.lock" ends with "\.lock"/],
  ['a.lock/b', '1', /part "a\.lock" ends with "\.lock"/],
  ['.hidden', '1', /part "\.hidden" starts with "\."/],
  ['a/.b', '1', /part "\.b" starts with "\."/],
  ['.lock', '1', /part "\.lock" starts with "\."/],
  ['a..b', '3', /contains "\.\."/],
  ['a\u0001b', '4', /control character U\+0001/],
  ['a\u007fb', '4', /control character U\+007F/],
  ['a\tb', '4', /control character U\+0009/],
  ['a b', '4', /contains a space/],
  ['a~b', '4', /contains "~"/],
  ['a^b', '4', /contains "\^"/],
  ['a:b', '4', /contains ":"/],
  ['a?b', '5', /contains "\?"/],
  ['a*b', '5', /contains "\*"/],
  ['a[b', '5', /contains "\["/],
  ['/a', '6', /starts with "\/"/],
  ['a/', '6', /ends with "\/"/],
  ['a//b', '6', /contains "\/\/"/],
  ['a.', '7', /ends with "\."/],
  ['a/b.', '7', /ends with "\."/],
  ['a@{1}', '8', /contains "@\{"/],
  ['@', '9', /"@" alone/],
  ['a\\b', '10', /contains "\\"/],
  ['', 'lake', /is empty/],
  ['-x', 'lake', /starts with "-"/],
  ['a\u00a0b', 'lake', /contains U\+00A0, a space/],
  ['x'.repeat(201), 'lake', /longer than 200 characters/],
  ['refs/heads/x', 'lake', /starts with "refs\/"/],
  ['refs/remotes/origin/main', 'lake', /starts with "refs\/"/],
  ['main@fork1', 'lake', /ends with "@fork1"/],
  ['HEAD', 'lake', /is "HEAD", which git keeps for the checked-out commit/],
];

describe('ref names (git check-ref-format, plus the lake rules)', () => {
  it.each(ACCEPTED)('accepts %j', (name) => {
    expect(refNameProblem(name)).toBeUndefined();
    expect(() => checkRefName(name)).not.toThrow();
  });

  it.each(REFUSED)('refuses %j (rule %s)', (name, _rule, reason) => {
    expect(refNameProblem(name)).toMatch(reason);
  });

  it('"." breaks rule 1 and rule 7; either is named', () => {
    expect(refNameProblem('.')).toMatch(/ends with "\."|part "\." starts with "\."/);
  });

  it('says which name and which rule, as BAD_INPUT', () => {
    const e = (() => {
      try {
        checkRefName('x.lock');
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(LakeError);
    expect((e as LakeError).code).toBe('BAD_INPUT');
    expect((e as LakeError).message).toMatch(
      /^branch "x\.lock" is not a valid branch name: its part "x\.lock" ends with "\.lock"\. .*git check-ref-format/,
    );
    expect(() => checkRefName('v1.', 'tag')).toThrow(
      /^tag "v1\." is not a valid tag name: it ends/,
    );
    // A control character is shown escaped, not raw.
    expect(() => checkRefName('a\u0001b')).toThrow('branch "a\\u0001b" is not a valid branch');
  });
});

describe('the order of ref names', () => {
  it('is code point order (UTF-8 byte order, as git lists refs), not the locale', () => {
    // Written by hand from the code points: Z 5A, a 61, m 6D, z 7A, Ä C4, é E9, � FFFD, 😀 1F600.
    const expected = ['Z', 'a', 'a/b', 'ab', 'main', 'zeta', 'Ä', 'é', '\ufffd', '😀'];
    const shuffled = ['é', 'main', '😀', 'Ä', 'ab', 'zeta', '\ufffd', 'a/b', 'Z', 'a'];
    expect([...shuffled].sort(compareRefNames)).toEqual(expected);
    expect(compareRefNames('a', 'a')).toBe(0);
  });

  it("is the order of a dataset's branches, whatever order the store lists keys in", async () => {
    // Stores list keys in UTF-16 code-unit order (IndexedDB's), where 😀 (D83D DE00) comes
    // before U+FFFD; by code point it comes after.
    const { lake } = await setup();
    for (const name of ['😀', '\ufffd', 'Ä']) await lake.createBranch('d', name, 'main');
    expect((await lake.branches('d')).map((b) => b.name)).toEqual(['main', 'Ä', '\ufffd', '😀']);
  });
});

describe('names an older version accepted', () => {
  it('are listed, read, written, deleted and restored; a new one is refused', async () => {
    const { lake, base } = await setup();
    const odd = ['x.lock', 'refs/heads/old', '.hidden'];
    for (const name of odd) {
      // As an older version wrote them: the entry, without today's name check.
      await lake.backend.refs.cas(refKey('d', 'branch', name), 0, {
        commit: base,
        protected: false,
        updatedAt: new Date().toISOString(),
      });
    }
    expect((await lake.branches('d')).map((b) => b.name)).toEqual([
      '.hidden',
      'main',
      'refs/heads/old',
      'x.lock',
    ]);
    expect(await lake.resolve('d', 'x.lock')).toBe(base);
    const appended = await appendRows(lake, 'd', {
      branch: 'x.lock',
      recordSet: 'people',
      rows: [row('Eve', 9n, 9, true, 9)],
    });
    expect(await lake.resolve('d', 'x.lock')).toBe(appended.hash);

    await expect(lake.createBranch('d', 'y.lock', 'x.lock')).rejects.toThrow(
      /branch "y\.lock" is not a valid branch name: its part "y\.lock" ends with "\.lock"/,
    );
    await expect(lake.tag('d', 'refs/tags/v1', 'x.lock')).rejects.toThrow(
      /tag "refs\/tags\/v1" is not a valid tag name: it starts with "refs\/"/,
    );

    await lake.deleteBranch('d', 'x.lock');
    await lake.deleteBranch('d', 'refs/heads/old');
    expect((await lake.branches('d')).map((b) => b.name)).toEqual(['.hidden', 'main']);
    // Restored under its own name (not a new name), but not under another odd one.
    expect((await lake.restoreBranch('d', 'x.lock')).commit).toBe(appended.hash);
    await expect(lake.restoreBranch('d', 'refs/heads/old', 'z.lock')).rejects.toThrow(
      /branch "z\.lock" is not a valid branch name/,
    );
    expect((await lake.restoreBranch('d', 'refs/heads/old', 'old')).name).toBe('old');
    expect((await lake.branches('d')).map((b) => b.name)).toEqual([
      '.hidden',
      'main',
      'old',
      'x.lock',
    ]);
  });
});
