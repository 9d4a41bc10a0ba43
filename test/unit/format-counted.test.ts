/** Counts in words (src/app/format.ts `counted`): one and many, with thousands separated. */
import { expect, it } from 'vitest';
import { counted } from '../../src/app/format.ts';

it('says "1 record set" and "3 record sets", never "1 record sets"', () => {
  expect(counted(1, 'record set')).toBe('1 record set');
  expect(counted(3, 'record set')).toBe('3 record sets');
  expect(counted(0, 'raw file')).toBe('0 raw files');
  expect(counted(1315, 'record')).toBe('1,315 records');
  expect(counted(2, 'leaf', 'leaves')).toBe('2 leaves');
  expect(counted(1, 'leaf', 'leaves')).toBe('1 leaf');
});
