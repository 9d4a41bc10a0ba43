/**
 * Shared pieces of the benchmark data generator (bench/generate.ts): defaults, the seeded PRNG,
 * a streaming writer that hashes what it writes, and the per-dataset manifest.json.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GENERATOR_VERSION = 1;
export const DEFAULT_ROWS = 1_000_000;
export const DEFAULT_IMAGES = 10_000;
export const DEFAULT_SEED = 42;

const HERE = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_OUT = join(HERE, '..', 'out');

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** mulberry32: tiny, fast, good enough 32-bit PRNG. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}

// ---------------------------------------------------------------------------------------------
// Streaming file writer that hashes what it writes

export interface Written {
  path: string;
  bytes: number;
  sha256: string;
}

export class HashingWriter {
  private readonly ws;
  private readonly hash = createHash('sha256');
  private pending: string[] = [];
  private pendingLen = 0;
  bytes = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.ws = createWriteStream(path, { highWaterMark: 1 << 20 });
  }

  /** Buffers text; flushes in ~256 KiB chunks, honouring back-pressure. */
  async text(s: string): Promise<void> {
    this.pending.push(s);
    this.pendingLen += s.length;
    if (this.pendingLen >= 1 << 18) await this.flushText();
  }

  private async flushText(): Promise<void> {
    if (!this.pending.length) return;
    const buf = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingLen = 0;
    await this.bytesOut(buf);
  }

  async bytesOut(buf: Uint8Array): Promise<void> {
    if (this.pending.length) await this.flushText();
    this.hash.update(buf);
    this.bytes += buf.byteLength;
    if (!this.ws.write(buf)) await once(this.ws, 'drain');
  }

  async close(): Promise<Written> {
    await this.flushText();
    this.ws.end();
    await once(this.ws, 'finish');
    return { path: this.path, bytes: this.bytes, sha256: this.hash.digest('hex') };
  }
}

// ---------------------------------------------------------------------------------------------
// Output files

export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}

export interface Manifest {
  generator: number;
  seed: number;
  rows?: number;
  images?: number;
  /** titanic-xN: how many times the passengers CSV is repeated. */
  repeat?: number;
  seconds: number;
  files: Record<string, { bytes: number; sha256: string }>;
}

export function readManifest(dir: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

/** Whether `dir` holds complete data from this generator version, the default seed and `want`. */
export function dataIsCurrent(
  dir: string,
  m: Manifest | undefined,
  key: 'rows' | 'images' | 'repeat',
  want: number,
): boolean {
  if (!m || m.generator !== GENERATOR_VERSION || m.seed !== DEFAULT_SEED || m[key] !== want)
    return false;
  if (!existsSync(join(dir, 'metadata.json'))) return false;
  return Object.entries(m.files).every(([f, info]) => {
    try {
      return statSync(join(dir, f)).size === info.bytes;
    } catch {
      return false;
    }
  });
}
