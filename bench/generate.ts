/**
 * Deterministic generator for the benchmark datasets (see bench/README.md).
 *
 *   tsx bench/generate.ts [--rows N] [--images N] [--titanic-repeat N]
 *                         [--only csv|images|titanic] [--out DIR] [--seed S]
 *
 * Writes, under DIR (default bench/out/, gitignored):
 *   csv-join/    data/patients.csv (N rows, default 1,000,000), data/sites.csv (50 rows),
 *                metadata.json (Croissant 1.0: RecordSets "sites" and "patients", joined on site)
 *   images-tar/  data/images.tar (N 32x32 RGB JPEGs, default 10,000, under train/ and val/),
 *                data/labels.csv, metadata.json (Croissant 1.0: FileSet in the tar, RecordSet
 *                "images")
 *   titanic-x200/ the corpus's titanic with data/titanic.csv's rows repeated N times (default
 *                200: 261,800 records) and its sha256 updated (no randomness)
 *
 * Same flags + same seed ⇒ byte-identical files (and so identical sha256). Everything is
 * written as a stream, so memory stays flat whatever N is.
 *
 * The generators live in bench/gen/: common.ts (defaults, PRNG, hashing writer, manifest),
 * croissant.ts (metadata helpers), csv-join.ts and images-tar.ts. This file is the CLI.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_IMAGES, DEFAULT_OUT, DEFAULT_ROWS, DEFAULT_SEED } from './gen/common.ts';
import { generateCsvJoin } from './gen/csv-join.ts';
import { generateImagesTar } from './gen/images-tar.ts';
import { DEFAULT_REPEAT, generateTitanicRepeat } from './gen/titanic-repeat.ts';

export {
  DEFAULT_IMAGES,
  DEFAULT_OUT,
  DEFAULT_ROWS,
  DEFAULT_SEED,
  GENERATOR_VERSION,
  type Manifest,
  mulberry32,
  readManifest,
} from './gen/common.ts';
export { type CsvJoinResult, generateCsvJoin, SITE_COUNT } from './gen/csv-join.ts';
export { generateImagesTar, type ImagesTarResult, makeImage, tarHeader } from './gen/images-tar.ts';

// ---------------------------------------------------------------------------------------------
// CLI

export function parseIntFlag(argv: string[], name: string): number | undefined {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const raw = argv[i + 1];
  const n = Number(String(raw).replaceAll('_', ''));
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${name} expects a positive integer, got ${raw}`);
  return n;
}

export function parseStringFlag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const raw = argv[i + 1];
  if (raw === undefined || raw.startsWith('--')) throw new Error(`${name} expects a value`);
  return raw;
}

const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(
      'usage: tsx bench/generate.ts [--rows N] [--images N] [--titanic-repeat N]\n' +
        '                             [--only csv|images|titanic] [--out DIR] [--seed S]',
    );
    return;
  }
  const rows = parseIntFlag(argv, '--rows') ?? DEFAULT_ROWS;
  const images = parseIntFlag(argv, '--images') ?? DEFAULT_IMAGES;
  const seed = parseIntFlag(argv, '--seed') ?? DEFAULT_SEED;
  const out = resolve(parseStringFlag(argv, '--out') ?? DEFAULT_OUT);
  const only = parseStringFlag(argv, '--only');
  if (only && only !== 'csv' && only !== 'images' && only !== 'titanic')
    throw new Error('--only expects csv, images or titanic');
  const repeat = parseIntFlag(argv, '--titanic-repeat') ?? DEFAULT_REPEAT;
  const log = (s: string) => console.log(s);

  if (!only || only === 'csv') {
    console.log(`csv-join: ${rows} patient rows, seed ${seed} → ${join(out, 'csv-join')}`);
    const r = await generateCsvJoin({ out, rows, seed, log });
    console.log(
      `csv-join: done in ${r.seconds.toFixed(2)} s — patients.csv ${mb(r.patients.bytes)}, ` +
        `sites.csv ${r.sites.bytes} B`,
    );
  }
  if (!only || only === 'images') {
    console.log(`images-tar: ${images} images, seed ${seed} → ${join(out, 'images-tar')}`);
    const r = await generateImagesTar({ out, images, seed, log });
    console.log(
      `images-tar: done in ${r.seconds.toFixed(2)} s — images.tar ${mb(r.tar.bytes)} ` +
        `(${mb(r.jpegBytes)} of JPEG, ${(r.jpegBytes / r.images).toFixed(0)} B/image), ` +
        `labels.csv ${mb(r.labels.bytes)}`,
    );
  }
  if (!only || only === 'titanic') {
    const r = await generateTitanicRepeat({ out, repeat });
    console.log(
      `titanic-x${repeat}: done in ${r.seconds.toFixed(2)} s — ${r.records} records, ` +
        `titanic.csv ${mb(r.passengers.bytes)} → ${r.dir}`,
    );
  }
  // maxRSS is in KiB: the process's true peak resident set.
  console.log(`peak RSS: ${mb(process.resourceUsage().maxRSS * 1024)}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
