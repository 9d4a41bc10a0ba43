/**
 * An image column's cells in the Query view's rows grid (imageCellText): the image in words,
 * not its struct as JSON; other columns and cells are left to formatCell.
 */
import { describe, expect, it } from 'vitest';
import { imageCellText } from '../../src/app/image-source.ts';

const IMAGE = 'STRUCT(format VARCHAR, "mode" VARCHAR, width BIGINT, height BIGINT, sha256 VARCHAR)';
const sha = 'ab'.repeat(32);

describe('imageCellText', () => {
  it('writes an image cell as format, size, mode and the start of its sha256', () => {
    const cell = { format: 'PNG', mode: 'L', width: 64, height: 48, sha256: sha };
    expect(imageCellText(cell, IMAGE)).toBe(`PNG 64×48 L · sha256 ${sha.slice(0, 12)}…`);
    // As Arrow gives a struct: a row object whose toJSON is the plain value.
    expect(imageCellText({ toJSON: () => cell }, IMAGE)).toBe(
      `PNG 64×48 L · sha256 ${sha.slice(0, 12)}…`,
    );
  });

  it('leaves other columns, and cells that are not images, to the usual text', () => {
    expect(imageCellText('img_000001.png', 'VARCHAR')).toBeNull();
    expect(imageCellText({ a: 1 }, 'STRUCT(a INTEGER)')).toBeNull();
    expect(imageCellText(null, IMAGE)).toBeNull();
  });
});
