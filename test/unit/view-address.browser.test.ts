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
});
