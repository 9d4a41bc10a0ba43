/**
 * The Compare view's cells (lake-format.ts, diffCellText): NULL is SQL's `NULL`, not Python's
 * `None`, and not empty text either (a change from '' to NULL must show).
 */
import { describe, expect, it } from 'vitest';
import { diffCellText } from '../../src/app/lake-format.ts';

describe('diffCellText', () => {
  it('shows NULL as NULL, apart from the empty text', () => {
    expect(diffCellText(null)).toBe('NULL');
    expect(diffCellText(undefined)).toBe('NULL');
    expect(diffCellText('')).toBe('');
  });

  it('shows values as they are, false and 0 included, and an image by format, size and hash', () => {
    expect(diffCellText('None')).toBe('None');
    expect(diffCellText(0)).toBe('0');
    expect(diffCellText(false)).toBe('false');
    expect(diffCellText(2.5)).toBe('2.5');
    const image = { sha256: 'abcdef0123456789', format: 'png', mode: 'L', width: 28, height: 14 };
    expect(diffCellText(image)).toBe('png 28×14 abcdef0123');
  });
});
