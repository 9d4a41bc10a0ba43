import { gzipSync, zipSync } from 'fflate';
import { packTar } from 'modern-tar';
import { describe, expect, it } from 'vitest';
import { readArchive } from '../../src/lib/croissant/resources/archive.ts';
import { createVerifier } from '../../src/lib/croissant/resources/checksum.ts';
import { selected, translate } from '../../src/lib/croissant/resources/fnmatch.ts';
import { pyFloatRepr } from '../../src/lib/croissant/records/pandas.ts';

const enc = new TextEncoder();
async function* chunked(bytes: Uint8Array, size = 7) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
async function members(bytes: Uint8Array, name = 'x') {
  const out: [string, string][] = [];
  for await (const m of readArchive(chunked(bytes), name))
    out.push([m.path, new TextDecoder().decode(m.bytes)]);
  return out;
}

describe('fnmatch (Python semantics)', () => {
  it('lets * cross directory separators', () => {
    expect(selected(['*.jpg'], [], 'train2014/a.jpg')).toBe(true);
    expect(selected(['data/file*.txt'], [], 'data/file1.txt')).toBe(true);
    expect(selected(['data/file*.txt'], [], 'data/other.txt')).toBe(false);
  });
  it('supports ?, sets and negated sets, anchored at both ends', () => {
    expect(translate('a?c').test('abc')).toBe(true);
    expect(translate('a?c').test('abcd')).toBe(false);
    expect(translate('[ab]x').test('bx')).toBe(true);
    expect(translate('[!ab]x').test('bx')).toBe(false);
    expect(translate('[!ab]x').test('cx')).toBe(true);
    expect(translate('a.b').test('axb')).toBe(false);
  });
  it('drops excluded paths', () => {
    expect(selected(['*.jpg'], ['val/*'], 'val/a.jpg')).toBe(false);
    expect(selected(['*.jpg'], ['val/*'], 'train/a.jpg')).toBe(true);
  });
});

describe('Python float repr', () => {
  it.each([
    [1, '1.0'],
    [0.1, '0.1'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [1e16, '1e+16'],
    [123456789012345680, '1.2345678901234568e+17'],
    [211.3375, '211.3375'],
    [-0.5, '-0.5'],
    [1234567890123456, '1234567890123456.0'],
  ])('%s → %s', (n, s) => expect(pyFloatRepr(n)).toBe(s));
});

describe('archives, detected by content and streamed', () => {
  const files = { 'a/one.txt': enc.encode('one'), 'b.txt': enc.encode('two') };
  it('reads zip', async () => {
    expect(await members(zipSync(files), 'data.bin')).toEqual([
      ['a/one.txt', 'one'],
      ['b.txt', 'two'],
    ]);
  });
  it('reads tar and tar.gz', async () => {
    const tar = await packTar(
      Object.entries(files).map(([name, data]) => ({
        header: { name, size: data.length },
        body: data,
      })),
    );
    expect(await members(tar)).toEqual([
      ['a/one.txt', 'one'],
      ['b.txt', 'two'],
    ]);
    expect(await members(gzipSync(tar), 'x.tgz')).toHaveLength(2);
  });
  it('gives each tar member a buffer of its own, not a view of the archive', async () => {
    const tar = await packTar(
      Object.entries(files).map(([name, data]) => ({
        header: { name, size: data.length },
        body: data,
      })),
    );
    async function* whole() {
      yield tar; // one chunk: the decoder could hand out views into it
    }
    for await (const m of readArchive(whole(), 'x.tar')) {
      expect(m.bytes.byteLength).toBe(3);
      expect(m.bytes.buffer.byteLength).toBe(3);
    }
  });
  it('reads a plain gzip file as one member named without .gz', async () => {
    expect(await members(gzipSync(enc.encode('a,b\n1,2\n')), 'dir/t.csv.gz')).toEqual([
      ['t.csv', 'a,b\n1,2\n'],
    ]);
  });
  it('reports a truncated zip with the file and byte offset', async () => {
    const zip = zipSync({ 'big.txt': enc.encode('x'.repeat(5000)) }, { level: 0 });
    await expect(members(zip.subarray(0, 2000), 'cut.zip')).rejects.toThrow(
      /cut\.zip.*(truncated|byte offset)/,
    );
  });
  it('reports a truncated tar and non-archives', async () => {
    const tar = await packTar([
      { header: { name: 'f.txt', size: 4000 }, body: new Uint8Array(4000) },
    ]);
    await expect(members(tar.subarray(0, 1500), 'cut.tar')).rejects.toThrow(/cut\.tar/);
    await expect(members(enc.encode('hello world'), 'notes.zip')).rejects.toThrow(
      /notes\.zip is not a zip, tar or gzip/,
    );
  });
  // A file's source closes its handle when it ends; left suspended, Node closes it when it is
  // collected, with a warning (DEP0137).
  it('ends its source however reading ends: a non-archive, a reader that stops early', async () => {
    let open = 0;
    async function* source(bytes: Uint8Array) {
      open++;
      try {
        yield* chunked(bytes, 600);
      } finally {
        open--;
      }
    }
    const consume = async (bytes: Uint8Array, name: string, stopAfter = Infinity) => {
      let n = 0;
      for await (const _ of readArchive(source(bytes), name)) if (++n >= stopAfter) break;
    };
    await expect(consume(new Uint8Array(2000).fill(65), 'notes.zip')).rejects.toThrow(
      /not a zip, tar or gzip/,
    );
    expect(open).toBe(0);
    const files = Array.from({ length: 3 }, (_, i) => ({
      header: { name: `f${i}.txt`, size: 1000 },
      body: new Uint8Array(1000).fill(i),
    }));
    const tar = await packTar(files);
    for (const [bytes, name] of [
      [tar, 'x.tar'],
      [gzipSync(tar), 'x.tar.gz'],
      [zipSync({ 'a.txt': new Uint8Array(3000), 'b.txt': new Uint8Array(3000) }), 'x.zip'],
    ] as const) {
      await consume(bytes, name, 1);
      expect(open, name).toBe(0);
      await consume(bytes, name);
      expect(open, name).toBe(0);
    }
  });
});

describe('checksums', () => {
  const data = enc.encode('abc');
  const sha = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
  it('accepts sha256 and md5 in hex or base64', async () => {
    for (const expected of [
      { sha256: sha },
      { sha256: sha.toUpperCase() },
      { md5: '900150983cd24fb0d6963f7d28e17f72' },
      { md5: 'kAFQmDzST7DWlj99KOF/cg==' },
    ]) {
      const v = await createVerifier(expected, 'f');
      v!.update(data);
      expect(() => v!.finish()).not.toThrow();
    }
  });
  it('names the file and both digests on a mismatch', async () => {
    const v = await createVerifier({ sha256: sha }, 'data/x.csv');
    v!.update(enc.encode('abd'));
    expect(() => v!.finish()).toThrow(
      /sha256 mismatch for data\/x\.csv: the document declares ba78.* hash to /,
    );
  });
});
