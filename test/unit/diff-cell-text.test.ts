/**
 * The Compare view's cells (lake-format.ts, diffCellText): NULL is an empty cell, as the Query
 * grid shows it (formatCell), not Python's `None`.
 */
import { describe, expect, it } from 'vitest';
import { diffCellText } from '../../src/app/lake-format.ts';
import { formatCell } from '../../src/app/query-format.ts';

describe('diffCellText', () => {
  it('shows NULL as the Query grid does', () => {
    expect(diffCellText(null)).toBe(formatCell(null, 'VARCHAR'));
    expect(diffCellText(null)).toBe('');
    expect(diffCellText(undefined)).toBe('');
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
