/**
 * The PNG fast path (src/lib/pipeline/decode-png.ts) against pixel values worked by hand and
 * against fast-png, the decoder it stands in for, on PNGs built here: every filter type, colour
 * type and bit depth, one or several IDAT chunks, stored and compressed deflate blocks. And the
 * PNGs it must leave to fast-png (which then decodes them, or fails, as before). Node (where
 * the fast path inflates with native zlib) and Chromium (with fflate).
 */
import { decode, encode } from 'fast-png';
import { zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/lib/pipeline/decode.ts';
import { decodePngFast } from '../../src/lib/pipeline/decode-png.ts';
import { INFLATER } from '../../src/lib/pipeline/inflate.ts';

/** PNG's CRC-32, bit by bit (ISO/IEC 15948 annex D), not the table the code under test uses. */
function crc(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array, badCrc = false): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, (crc(out.subarray(4, 8 + data.length)) ^ (badCrc ? 1 : 0)) >>> 0);
  return out;
}

interface Build {
  width: number;
  height: number;
  depth: number;
  colour: number;
  /** Each line: its filter type, then its filtered bytes. */
  lines: Uint8Array;
  interlace?: number;
  /** Split the zlib stream over this many IDAT chunks. */
  idats?: number;
  level?: 0 | 6 | 9;
  extra?: Uint8Array[];
  /** Spoil the zlib stream's Adler-32 (the chunk CRCs stay right). */
  badAdler?: boolean;
}

/** A PNG from filtered lines: the encoder side, written here (no PNG encoder filters lines). */
function png(b: Build): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, b.width);
  view.setUint32(4, b.height);
  ihdr.set([b.depth, b.colour, 0, 0, b.interlace ?? 0], 8);
  const z = zlibSync(b.lines, { level: b.level ?? 6 });
  if (b.badAdler) z[z.length - 1]! ^= 1;
  const n = b.idats ?? 1;
  const step = Math.ceil(z.length / n);
  const idats = Array.from({ length: n }, (_, i) =>
    chunk('IDAT', z.subarray(i * step, (i + 1) * step)),
  );
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...(b.extra ?? []),
    ...idats,
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A seeded byte source (mulberry32), so the random PNGs are the same on every run. */
function bytesFrom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) & 0xff;
  };
}

const plain = (p: {
  width: number;
  height: number;
  depth: number;
  channels: number;
  data: ArrayLike<number>;
}) => ({
  width: p.width,
  height: p.height,
  depth: p.depth,
  channels: p.channels,
  kind: p.data.constructor.name,
  data: Array.from(p.data),
});

describe('decodePngFast', () => {
  it('reverses each filter type to the pixels worked by hand', () => {
    // 3×4 gray, 8-bit; the pixels, and each line's filtered bytes (left a, above b, above-left c):
    // 10 20 30   sub:     10, 20−10, 30−20                       → 10 10 10
    // 15 25 200  up:      15−10, 25−20, 200−30                   → 5 5 170
    // 100 50 0   average: 100−⌊15/2⌋, 50−⌊(100+25)/2⌋, 0−⌊(50+200)/2⌋ → 93 244 131 (mod 256)
    // 255 0 128  Paeth:   255−100 (b), 0−255 (a), 128−0 (a)      → 155 1 128
    const lines = new Uint8Array([1, 10, 10, 10, 2, 5, 5, 170, 3, 93, 244, 131, 4, 155, 1, 128]);
    const got = decodePngFast(png({ width: 3, height: 4, depth: 8, colour: 0, lines }));
    expect(got && Array.from(got.data)).toEqual([10, 20, 30, 15, 25, 200, 100, 50, 0, 255, 0, 128]);
  });

  it('takes the line above the first as zeros (up, average and Paeth on line 0)', () => {
    // 7 9 on line 0: up → 7 9; average → 7, 9−⌊7/2⌋ = 6; Paeth predicts a (b = c = 0) → 7 2.
    for (const [filter, a, b] of [
      [2, 7, 9],
      [3, 7, 6],
      [4, 7, 2],
    ]) {
      const lines = new Uint8Array([filter!, a!, b!]);
      const got = decodePngFast(png({ width: 2, height: 1, depth: 8, colour: 0, lines }));
      expect(got && Array.from(got.data)).toEqual([7, 9]);
    }
  });

  it('gives fast-png’s result for every colour type, depth and filter', () => {
    const next = bytesFrom(14);
    const cases: [colour: number, depth: number, channels: number][] = [
      [0, 1, 1],
      [0, 2, 1],
      [0, 4, 1],
      [0, 8, 1],
      [0, 16, 1],
      [2, 8, 3],
      [2, 16, 3],
      [4, 8, 2],
      [4, 16, 2],
      [6, 8, 4],
      [6, 16, 4],
    ];
    let n = 0;
    for (const [colour, depth, channels] of cases) {
      for (const [width, height] of [
        [1, 5],
        [7, 6],
        [13, 10],
      ] as const) {
        const lineBytes = Math.ceil((width * channels * depth) / 8);
        const lines = new Uint8Array(height * (lineBytes + 1));
        for (let y = 0; y < height; y++) {
          lines[y * (lineBytes + 1)] = (y + n) % 5; // every filter, on the first line too
          for (let i = 1; i <= lineBytes; i++) lines[y * (lineBytes + 1) + i] = next();
        }
        const level = ([0, 6, 9] as const)[n % 3];
        const bytes = png({ width, height, depth, colour, lines, idats: 1 + (n % 3), level });
        n++;
        const got = decodePngFast(bytes);
        expect(got, `colour ${colour}, depth ${depth}, ${width}×${height}`).not.toBeNull();
        expect(plain(got!)).toEqual(plain(decode(bytes, { checkCrc: true })));
      }
    }
  });

  it('decodes what fast-png encodes, with unknown ancillary chunks skipped', async () => {
    const data = Uint16Array.from({ length: 5 * 3 * 3 }, (_, i) => i * 1000);
    const bytes = encode({ width: 5, height: 3, data, depth: 16, channels: 3 });
    expect(plain(decodePngFast(bytes)!)).toEqual(plain(decode(bytes)));
    const lines = new Uint8Array([0, 1, 2, 0, 3, 4]);
    const extra = [chunk('zzZz', new Uint8Array([1, 2, 3]))];
    const withExtra = png({ width: 2, height: 2, depth: 8, colour: 0, lines, extra });
    expect(Array.from(decodePngFast(withExtra)!.data)).toEqual([1, 2, 3, 4]);
    expect(Array.from((await decodeImage(withExtra)).data)).toEqual([1, 2, 3, 4]);
  });

  it('leaves to fast-png what it does not decode, and anything wrong', async () => {
    const lines = new Uint8Array([0, 1, 2, 0, 3, 4]);
    const base = { width: 2, height: 2, depth: 8, colour: 0, lines };
    const palette = encode({
      width: 2,
      height: 1,
      data: new Uint8Array([1, 0]),
      depth: 8,
      channels: 1,
      palette: [
        [1, 2, 3],
        [4, 5, 6],
      ],
    });
    const declined: [string, Uint8Array][] = [
      ['a palette', palette],
      ['interlaced', png({ ...base, interlace: 1 })],
      [
        'a chunk fast-png reads (tEXt)',
        png({ ...base, extra: [chunk('tEXt', new Uint8Array([97, 0, 98]))] }),
      ],
      ['a bad CRC', png({ ...base, extra: [chunk('zzZz', new Uint8Array(2), true)] })],
      ['an unknown filter type', png({ ...base, lines: new Uint8Array([5, 1, 2, 0, 3, 4]) })],
      ['too little data', png({ ...base, lines: lines.subarray(0, 5) })],
      ['a depth the colour type does not allow', png({ ...base, colour: 2, depth: 4 })],
    ];
    for (const [what, bytes] of declined) expect(decodePngFast(bytes), what).toBeNull();
    // fast-png still decodes the palette (as RGB) and still reports the damaged ones.
    expect(Array.from((await decodeImage(palette)).data)).toEqual([4, 5, 6, 1, 2, 3]);
    await expect(decodeImage(declined[3]![1])).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/^corrupt PNG: CRC mismatch for chunk zzZz/),
    });
  });
});

describe('decodePngFast with native zlib (Node) and fflate (browser)', () => {
  it('gives the same pixels for a stream whose Adler-32 is wrong, which only zlib checks', async () => {
    const lines = new Uint8Array([0, 1, 2, 0, 3, 4]);
    const bad = png({ width: 2, height: 2, depth: 8, colour: 0, lines, badAdler: true });
    // Native zlib refuses the stream and the PNG goes to fast-png (which does not check it
    // either); fflate inflates it on the fast path. Either way, the same image.
    expect(decodePngFast(bad) === null).toBe(INFLATER === 'node:zlib');
    expect(Array.from((await decodeImage(bad)).data)).toEqual([1, 2, 3, 4]);
  });
});

describe('decodeImage on damaged or unusual PNGs fast-png would take', () => {
  // The IHDR chunk is bytes 8–32, so the first IDAT starts at byte 33, or 51 after this PLTE (18).
  const plte = chunk('PLTE', new Uint8Array([1, 2, 3, 4, 5, 6]));

  it('refuses image data that ends early, naming the IDAT and both lengths', async () => {
    const gray = { width: 2, height: 2, depth: 8, colour: 0 };
    // 2 lines of 1 filter byte + 2 samples = 6 bytes; the last sample is missing.
    const short = png({ ...gray, lines: new Uint8Array([0, 1, 2, 0, 3]) });
    await expect(decodeImage(short)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message:
        'corrupt PNG: the image data (IDAT at byte 33) inflates to 5 bytes, 6 expected for ' +
        '2×2 at 8 bits a pixel: the image is truncated',
    });
    // A 3×3 interlaced image: Adam7's passes 1, 4, 5, 6 and 7 hold 1×1, 1×1, 2×1, 1×2 and
    // 3×1 pixels (passes 2 and 3 are empty, with no filter byte): 9 samples + 6 filter bytes.
    const interlaced = { width: 3, height: 3, depth: 8, colour: 0, interlace: 1 };
    const whole = png({ ...interlaced, lines: new Uint8Array(15).fill(0) });
    expect(Array.from((await decodeImage(whole)).data)).toEqual(new Array(9).fill(0));
    await expect(
      decodeImage(png({ ...interlaced, lines: new Uint8Array(14) })),
    ).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining(
        'inflates to 14 bytes, 15 expected for 3×3 at 8 bits a pixel, interlaced',
      ),
    });
    const palette = { width: 2, height: 1, depth: 8, colour: 3, extra: [plte] };
    await expect(
      decodeImage(png({ ...palette, lines: new Uint8Array([0, 1]) })),
    ).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining('(IDAT at byte 51) inflates to 2 bytes, 3 expected'),
    });
  });

  it('keeps a palette’s transparency (tRNS) as a fourth channel', async () => {
    // Entry 0 has alpha 128; entry 1 has none in tRNS, so it is opaque (255).
    const trns = chunk('tRNS', new Uint8Array([128]));
    const bytes = png({
      width: 2,
      height: 1,
      depth: 8,
      colour: 3,
      lines: new Uint8Array([0, 1, 0]),
      extra: [plte, trns],
    });
    const image = await decodeImage(bytes);
    expect(image.channels).toBe(4);
    expect(Array.from(image.data)).toEqual([4, 5, 6, 255, 1, 2, 3, 128]);
  });
});
