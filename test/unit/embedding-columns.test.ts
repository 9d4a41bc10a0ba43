/**
 * The embeddings view's input (src/app/embedding-columns.ts): which columns are embeddings, and
 * their vectors from an Arrow result, as lists or as JSON text (the predictions record set's).
 */
import { tableFromJSON } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { isEmbeddingColumn, readVectors } from '../../src/app/embedding-columns.ts';

describe('embedding columns', () => {
  it('are float lists, or text columns named like embedding', () => {
    const yes = [
      { name: 'emb', type: 'FLOAT[]' },
      { name: 'v', type: 'DOUBLE[128]' },
      { name: 'embedding', type: 'VARCHAR' },
      { name: 'penultimate_embedding', type: 'JSON' },
    ];
    const no = [
      { name: 'tags', type: 'VARCHAR[]' },
      { name: 'name', type: 'VARCHAR' },
      { name: 'embedding', type: 'INTEGER' },
    ];
    for (const c of yes) expect(isEmbeddingColumn(c), c.name).toBe(true);
    for (const c of no) expect(isEmbeddingColumn(c), `${c.name} ${c.type}`).toBe(false);
  });

  it('reads JSON text vectors, skips nulls, and names a row that is not a vector', () => {
    const table = tableFromJSON([
      { embedding: '[1, 2.5]' },
      { embedding: null },
      { embedding: '[-3,4]' },
    ]);
    const result = { columns: [{ name: 'embedding', type: 'VARCHAR' }], table, rows: 3 };
    const { rows, vectors } = readVectors(result, 0);
    expect(rows).toEqual([0, 2]);
    expect(vectors.map((v) => Array.from(v))).toEqual([
      [1, 2.5],
      [-3, 4],
    ]);
    expect(readVectors(result, 0, 1).rows).toEqual([0]);

    const bad = tableFromJSON([{ embedding: '[1, 2]' }, { embedding: '{"a": 1}' }]);
    expect(() =>
      readVectors({ columns: [{ name: 'embedding', type: 'VARCHAR' }], table: bad, rows: 2 }, 0),
    ).toThrow('embedding, row 1: not a JSON array of numbers');
  });
  // Arrow list columns (FLOAT[]) from DuckDB: test/e2e/explore-data.e2e.ts.
});
