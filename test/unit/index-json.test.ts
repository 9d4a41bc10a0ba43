/**
 * The object index's fast canonical JSON is canonicalJson's text for any index: the usual one
 * (entries `{size, parts}` as writers make them, keys in any order) and odd ones that take
 * canonicalJson's path (extra keys, objects inside parts, integer-like keys, keys named
 * `parts` and `size` that JSON does not see).
 */
import { describe, expect, it } from 'vitest';
import { objectIndexJson } from '../../src/lib/versions/index-json.ts';
import {
  canonicalJson,
  objectEntry,
  type ObjectEntry,
  type ObjectIndex,
} from '../../src/lib/versions/manifest.ts';

const sha = (i: number) => i.toString(16).padStart(64, 'a');

function index(n: number): ObjectIndex {
  const objects: ObjectIndex['objects'] = {};
  // Inserted out of order, entries with their keys as ObjectWriter writes them (size first).
  for (let i = n - 1; i >= 0; i--) {
    objects[sha((i * 7919) % n)] = { size: i + 1, parts: [[sha(n + (i & 3)), i * 100, i + 1]] };
  }
  return {
    formatVersion: 1,
    objects,
    format: 'croissant-lake/objects',
    files: [{ source: 'b.csv', id: 'f', name: 'b.csv', sha256: sha(1), size: 2 }],
  };
}

describe('objectIndexJson', () => {
  it('writes the text canonicalJson writes for an index of thousands of blobs', () => {
    const i = index(5000);
    const text = objectIndexJson(i);
    expect(text).toBe(canonicalJson(i));
    // Written out: keys sorted at every level.
    expect(text.startsWith('{"files":[{"id":"f","name":"b.csv","sha256":')).toBe(true);
    expect(text).toContain(`"${sha(0)}":{"parts":[["${sha(5000)}",`);
  });

  it('writes entries made by objectEntry, taken as they are, as canonicalJson does', () => {
    const i = index(2000);
    const objects = i.objects as Record<string, ObjectEntry>;
    for (const [k, sha] of Object.keys(objects).entries()) {
      if (k % 2) continue;
      const o = objects[sha]!;
      objects[sha] = objectEntry(o.parts, o.size);
    }
    objects[sha(1)] = objectEntry(
      [
        [sha(2), 0, 10],
        [sha(3), 5, 6],
      ],
      16,
    );
    expect(objectIndexJson(i)).toBe(canonicalJson(i));
  });

  it('writes the same text for entries that are not plain', () => {
    const i = index(20);
    const objects = i.objects as Record<string, unknown>;
    objects[sha(3)] = { size: 4, parts: [[sha(9), 0, 4]], note: 'extra key' };
    objects[sha(4)] = { parts: [[{ z: 1, a: 2 }, 0, 4]], size: 4 };
    objects['10'] = { size: 1, parts: [] };
    objects['9'] = { size: 1, parts: [] };
    objects[sha(5)] = { size: undefined, parts: [[sha(9), 0, 4]] };
    // Own keys `parts` and `size` that are not enumerable: JSON writes `a` and `b` alone.
    objects[sha(6)] = Object.defineProperties(
      { a: 1, b: 2 },
      { size: { value: 4 }, parts: { value: [] } },
    );
    const text = objectIndexJson(i);
    expect(text).toBe(canonicalJson(i));
    expect(text).toContain('"note":"extra key"');
    expect(text).toContain('[{"a":2,"z":1},0,4]');
  });

  it('writes the index with the entries not yet in it (`more`) as if they were', async () => {
    const whole = index(3000);
    const part = index(3000);
    const more = new Map<string, ObjectEntry>();
    for (const [i, sha] of Object.keys(part.objects).entries()) {
      if (i % 3) continue;
      more.set(sha, part.objects[sha]!);
      delete part.objects[sha];
    }
    expect(more.size).toBeGreaterThan(500);
    expect(objectIndexJson(part, more)).toBe(canonicalJson(whole));
  });
});
