/**
 * Writes the demo imaging dataset (bench/gen/demo.ts), by default into
 * public/examples/synthetic-lesions/, the example the app lists first.
 *
 *   npm run make-demo -- [--seed S] [--count N] [--size PX] [--dicom-count D] [--out DIR]
 *     [--plant-degrade COLUMN=VALUE:KIND[+KIND] ...] [--plant-flip ANNOTATOR:RATE ...]
 *
 * Plantings (bench/gen/demo-plant.ts; repeat a flag for several, `none` for none): images whose
 * COLUMN (site, manufacturer, scanner_model, protocol, kvp, patient_sex, annotator_id) is VALUE
 * get KIND (noise: 6x, contrast: 40%, blur); ANNOTATOR flips RATE of their labels. Default:
 * `--plant-degrade "scanner_model=Orion R2:noise+contrast" --plant-flip ann_03:0.15`, the
 * bundled example's. The description documents what was planted.
 *
 * Defaults: seed 20240101, 5,000 images of 64x64, the first 800 also as DICOM (to keep the
 * bundled copy under 20 MB). `--dicom-count all` writes every image as DICOM too. Same flags ⇒
 * byte-identical files; memory stays flat for 50k+ images.
 */
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseIntFlag, parseStringFlag } from '../bench/generate.ts';
import { DEMO_DEFAULTS, generateDemo } from '../bench/gen/demo.ts';
import { parsePlanting } from '../bench/gen/demo-plant.ts';

const DEMO_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'public/examples/synthetic-lesions',
);

const USAGE =
  'usage: npm run make-demo -- [--seed S] [--count N] [--size PX] [--dicom-count D|all] [--out DIR]\n' +
  '    [--plant-degrade COLUMN=VALUE:noise|contrast|blur[+…] …|none] [--plant-flip ANNOTATOR:RATE …|none]';

/** Every value of a repeatable flag. */
function allFlags(argv: string[], name: string): string[] {
  const out: string[] = [];
  argv.forEach((a, i) => {
    if (a !== name) return;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${name} expects a value`);
    out.push(v);
  });
  return out;
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const seed = parseIntFlag(argv, '--seed') ?? DEMO_DEFAULTS.seed;
  const count = parseIntFlag(argv, '--count') ?? DEMO_DEFAULTS.count;
  const size = parseIntFlag(argv, '--size') ?? DEMO_DEFAULTS.size;
  if (size < 32 || size > 1024) throw new Error('--size expects 32 to 1024');
  const dicomFlag = parseStringFlag(argv, '--dicom-count');
  const dicomCount =
    dicomFlag === 'all'
      ? count
      : dicomFlag === '0'
        ? 0
        : (parseIntFlag(argv, '--dicom-count') ?? DEMO_DEFAULTS.dicomCount);
  const planting = parsePlanting(allFlags(argv, '--plant-degrade'), allFlags(argv, '--plant-flip'));
  const out = resolve(parseStringFlag(argv, '--out') ?? DEMO_DIR);
  // Only our own outputs are removed, so a stale larger run leaves nothing behind.
  rmSync(join(out, 'data'), { recursive: true, force: true });
  console.log(`make-demo: ${count} images of ${size}x${size}, seed ${seed} → ${out}`);
  const r = await generateDemo({ out, seed, count, size, dicomCount, planting, log: console.log });
  let total = 0;
  for (const [f, w] of Object.entries(r.files)) {
    total += w.bytes;
    console.log(`  ${f}: ${(w.bytes / 1e6).toFixed(2)} MB  sha256 ${w.sha256}`);
  }
  console.log(
    `make-demo: done in ${r.seconds.toFixed(1)} s, ${r.dicomCount} DICOM, ${(total / 1e6).toFixed(1)} MB of data`,
  );
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
