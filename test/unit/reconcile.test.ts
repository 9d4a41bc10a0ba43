/**
 * Ahead/behind (src/lib/sync/reconcile.ts) over a commit graph written out by hand: a branch on
 * both sides against its namesake; a branch on one side only as git counts it against a whole
 * remote (`git rev-list --count b --not --remotes=origin`): its commits no head of the other
 * side reaches, never a bare 0 for a branch with commits of its own.
 */
import { describe, expect, it } from 'vitest';
import { reconcile, type ParentGraph } from '../../src/lib/sync/reconcile.ts';

/**
 *   a ← b ← c          main (local) at c, main (remote) at b
 *        ↖ d ← e       feature (local only) at e
 *        ↖ f           shared (remote only) at f
 */
const GRAPH: ParentGraph = new Map([
  ['a', []],
  ['b', ['a']],
  ['c', ['b']],
  ['d', ['b']],
  ['e', ['d']],
  ['f', ['b']],
]);
const map = (o: Record<string, string>) => new Map(Object.entries(o));

describe('ahead/behind', () => {
  it('counts a branch on both sides against its namesake', () => {
    const [main] = reconcile(map({ main: 'c' }), map({ main: 'b' }), GRAPH);
    // c is the one commit of main the remote's main lacks.
    expect(main).toEqual({
      branch: 'main',
      local: 'c',
      remote: 'b',
      ahead: 1,
      behind: 0,
      state: 'ahead',
    });
  });

  it('counts a local-only branch by its commits that no remote head reaches', () => {
    const status = reconcile(map({ main: 'c', feature: 'e' }), map({ main: 'b' }), GRAPH);
    // feature reaches e, d, b, a; the remote's main reaches b, a: d and e are not there.
    expect(status.find((s) => s.branch === 'feature')).toEqual({
      branch: 'feature',
      local: 'e',
      remote: null,
      ahead: 2,
      behind: 0,
      state: 'local-only',
    });
  });

  it('counts against every remote head, not only one branch', () => {
    // The remote has `other` at e: feature's commits are all there, though no branch of its name.
    const status = reconcile(map({ feature: 'e' }), map({ main: 'b', other: 'e' }), GRAPH);
    expect(status.find((s) => s.branch === 'feature')).toMatchObject({
      ahead: 0,
      state: 'local-only',
    });
  });

  it('counts every commit of a branch pushed to a remote that has nothing yet', () => {
    const [main] = reconcile(map({ main: 'c' }), new Map(), GRAPH);
    // a, b, c: a push sends all three.
    expect(main).toMatchObject({ ahead: 3, behind: 0, state: 'local-only' });
  });

  it('counts a new branch with no commits of its own as 0', () => {
    const status = reconcile(map({ main: 'c', fresh: 'b' }), map({ main: 'c' }), GRAPH);
    expect(status.find((s) => s.branch === 'fresh')).toMatchObject({
      ahead: 0,
      behind: 0,
      state: 'local-only',
    });
  });

  it('counts what the lake has of a remote head that is not wholly fetched', () => {
    // The remote's `x` names a commit the lake lacks; its other head, main at b, still counts.
    const status = reconcile(map({ feature: 'e' }), map({ main: 'b', x: 'zz' }), GRAPH);
    expect(status.find((s) => s.branch === 'feature')).toMatchObject({
      ahead: 2,
      state: 'local-only',
    });
  });

  it('counts a remote-only branch by its commits that no local branch reaches', () => {
    const status = reconcile(map({ main: 'c' }), map({ main: 'c', shared: 'f' }), GRAPH);
    // shared reaches f, b, a; the lake's main reaches c, b, a: f is new here.
    expect(status.find((s) => s.branch === 'shared')).toEqual({
      branch: 'shared',
      local: null,
      remote: 'f',
      ahead: 0,
      behind: 1,
      state: 'remote-only',
    });
  });

  it('says unknown for a remote-only head the lake has not fetched, rather than 0', () => {
    const status = reconcile(map({ main: 'c' }), map({ main: 'c', later: 'zz' }), GRAPH);
    expect(status.find((s) => s.branch === 'later')).toMatchObject({
      ahead: 0,
      behind: 0,
      state: 'unknown',
    });
  });

  it('lists branches by name', () => {
    const status = reconcile(map({ main: 'c', feature: 'e' }), map({ shared: 'f' }), GRAPH);
    expect(status.map((s) => s.branch)).toEqual(['feature', 'main', 'shared']);
  });
});

describe('the order of branches', () => {
  it('is code point order, as the lake lists names (not UTF-16 code units)', () => {
    // By hand from the code points: Ä C4, U+FFFD, 😀 1F600 (UTF-16: D83D, before FFFD).
    const status = reconcile(map({ '😀': 'a', '\ufffd': 'a' }), map({ Ä: 'a', '😀': 'a' }), GRAPH);
    expect(status.map((s) => s.branch)).toEqual(['Ä', '\ufffd', '😀']);
  });
});
