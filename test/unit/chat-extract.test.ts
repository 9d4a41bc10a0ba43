/** Taking the SQL out of a model's answer, and the chart a result's shape suggests. */
import { describe, expect, it } from 'vitest';
import { suggestChart } from '../../src/lib/chat/chart.ts';
import { extractSql } from '../../src/lib/chat/extract.ts';

describe('extractSql', () => {
  it('takes the first ```sql block, without its trailing ;', () => {
    expect(extractSql('Here:\n```sql\nSELECT 1;\n```\nand\n```sql\nSELECT 2\n```')).toBe(
      'SELECT 1',
    );
    expect(extractSql('```SQL\nSELECT 1\n```')).toBe('SELECT 1');
    expect(extractSql('```duckdb\nWITH a AS (SELECT 1) SELECT * FROM a\n```')).toBe(
      'WITH a AS (SELECT 1) SELECT * FROM a',
    );
  });

  it('takes an unlabelled block only when it reads as a statement', () => {
    expect(extractSql('```\npip install x\n```\n```\nSELECT 3\n```')).toBe('SELECT 3');
    expect(extractSql('```python\nprint(1)\n```')).toBeNull();
  });

  it('takes a bare statement up to a blank line or a final ;', () => {
    expect(extractSql('SELECT a,\n  b\nFROM t;\nThis counts rows.')).toBe('SELECT a,\n  b\nFROM t');
    expect(extractSql('Try this:\nSELECT 1\n\nIt is simple.')).toBe('SELECT 1');
  });

  it('skips reasoning blocks, closed or not', () => {
    expect(extractSql('<think>maybe SELECT 0</think>\n```sql\nSELECT 1\n```')).toBe('SELECT 1');
    expect(extractSql('<think>SELECT 0 is wrong')).toBeNull();
  });

  it('keeps a write statement so that the engine refuses it in view of the user', () => {
    expect(extractSql('```sql\nDELETE FROM t\n```')).toBe('DELETE FROM t');
  });

  it('takes a block cut before its closing fence', () => {
    expect(extractSql('```sql\nSELECT 1')).toBe('SELECT 1');
  });

  it('finds none in prose', () => {
    expect(extractSql('I cannot answer that from these tables.')).toBeNull();
    expect(extractSql('')).toBeNull();
  });
});

describe('suggestChart', () => {
  it('bars for a number per category, whichever column comes first', () => {
    const cat = { name: 'gender', type: 'VARCHAR' };
    const n = { name: 'n', type: 'BIGINT' };
    expect(suggestChart([cat, n], 2)).toEqual({ kind: 'bar', x: 'gender', y: 'n' });
    expect(suggestChart([n, cat], 2)).toEqual({ kind: 'bar', x: 'gender', y: 'n' });
    expect(suggestChart([{ name: 'pclass', type: 'BIGINT' }, n], 3)).toEqual({
      kind: 'bar',
      x: 'pclass',
      y: 'n',
    });
  });

  it('a line for a number over time', () => {
    const day = { name: 'day', type: 'DATE' };
    const ts = { name: 'at', type: 'TIMESTAMP_MS' };
    const v = { name: 'v', type: 'DOUBLE' };
    expect(suggestChart([day, v], 500)).toEqual({ kind: 'line', x: 'day', y: 'v' });
    expect(suggestChart([ts, v], 5)).toEqual({ kind: 'line', x: 'at', y: 'v' });
  });

  it('none for other shapes', () => {
    const cat = { name: 'c', type: 'VARCHAR' };
    const n = { name: 'n', type: 'BIGINT' };
    expect(suggestChart([cat, n], 51)).toBeNull();
    expect(suggestChart([cat, n], 0)).toBeNull();
    expect(suggestChart([cat, cat], 3)).toBeNull();
    expect(suggestChart([cat, n, n], 3)).toBeNull();
    expect(suggestChart([n], 3)).toBeNull();
  });
});
