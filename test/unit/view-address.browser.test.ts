/**
 * The Query view's address names `<dataset>@<rev>` (view-address.ts); a branch name may hold `@`
 * (`a@b`) and a dataset id may not (dataset-id.ts), so the address splits at the first `@` and
 * reads back the branch it was written with.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { setViewAddress, viewAddress } from '../../src/app/view-address.ts';

const start = window.location.href;
afterEach(() => window.history.replaceState(null, '', start));

describe('the Query view address', () => {
  it('keeps a branch whose name holds @', () => {
    for (const rev of ['a@b', 'fix@2', '@x', 'main']) {
      setViewAddress({ kind: 'query', target: { dataset: 'titanic', rev, recordSet: 'people' } });
      expect(new URL(window.location.href).searchParams.get('query')).toBe(`titanic@${rev}`);
      expect(viewAddress()).toEqual({
        kind: 'query',
        target: { dataset: 'titanic', rev, recordSet: 'people' },
      });
    }
  });

  it('reads a dataset version pasted as SQL names it, quotes and all', () => {
    const read = (query: string, rs?: string) => {
      const u = new URL(start);
      u.search = '';
      u.searchParams.set('query', query);
      if (rs) u.searchParams.set('rs', rs);
      window.history.replaceState(null, '', u);
      return viewAddress();
    };
    const at = (dataset: string, rev: string | null, recordSet: string | null) => ({
      kind: 'query',
      target: { dataset, rev, recordSet },
    });
    expect(read('"titanic"')).toEqual(at('titanic', null, null));
    expect(read('"titanic@main"')).toEqual(at('titanic', 'main', null));
    expect(read('"titanic@main".passengers')).toEqual(at('titanic', 'main', 'passengers'));
    expect(read('"titanic@say ""hi"""."pass""engers"')).toEqual(
      at('titanic', 'say "hi"', 'pass"engers'),
    );
    // The address's own record set wins over the pasted table.
    expect(read('"titanic@main".passengers', 'genders')).toEqual(at('titanic', 'main', 'genders'));
    // Not a quoted name: read as it stands (the view then says there is no such dataset).
    expect(read('"titanic')).toEqual(at('"titanic', null, null));
    expect(read('titanic@main')).toEqual(at('titanic', 'main', null));
    // A link cut after its `@` names an empty version (refused by the lake, by name), not main.
    expect(read('titanic@')).toEqual(at('titanic', '', null));
    expect(read('"titanic@"')).toEqual(at('titanic', '', null));
  });
});
