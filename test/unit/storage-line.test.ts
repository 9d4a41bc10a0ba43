/**
 * The Lake tab's storage line (lake-format.ts, storageLine): the browser's usage is shown as the
 * site's only when it is at least what the lake holds. Headless Chromium reported 6 kB of file
 * system for a 36 MB lake, and "36 MB stored in the lake · this site uses 58 kB" contradicted
 * itself.
 */
import { describe, expect, it } from 'vitest';
import { storageLine } from '../../src/app/lake-format.ts';

describe('the storage line', () => {
  it("shows the browser's usage when it covers the lake", () => {
    expect(storageLine(36_000_000, 40_000_000, 10_700_000_000)).toBe(
      '36 MB stored in the lake · this site uses 40 MB of the 11 GB the browser allows it',
    );
    expect(storageLine(0, 2_200, 10_700_000_000)).toBe(
      '0 B stored in the lake · this site uses 2.2 kB of the 11 GB the browser allows it',
    );
  });

  it('never says the site uses less than its lake', () => {
    expect(storageLine(36_000_000, 57_920, 10_700_000_000)).toBe(
      "36 MB stored in the lake · this site uses at least that of the 11 GB the browser allows it (the browser counts 58 kB, leaving out some of the lake's files)",
    );
  });

  it('shows the lake alone when the browser gives no figures', () => {
    expect(storageLine(1_500, null, null)).toBe('1.5 kB stored in the lake');
    expect(storageLine(1_500, 2_000, null)).toBe('1.5 kB stored in the lake');
  });
});
