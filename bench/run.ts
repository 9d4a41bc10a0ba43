/**
 * The benchmark (`npm run bench`; see bench/README.md).
 *
 *   tsx bench/run.ts [--rows N] [--images N] [--runs 3] [--warmup 1]
 *                    [--only csv,images,cli,lake,remote,query,loader,pipeline,dicom,opinions,imagestats,
 *                    sliceline,model] [--quick] [--sliceline-scale X]
 *                    [--batch-size N] [--no-verify]
 *                    [--baseline-only] [--regen] [--lake-rows N] [--lake-slices N] [--lake-big N]
 *                    [--lake-reps N]
 *                    [--query-rows N] [--query-runs N] [--query-timeout S] [--remote-rows N]
 *                    [--remote-server child|in-process]
 *                    [--loader-workers N] [--loader-batch N] [--loader-timeout S]
 *                    [--quick] [--titanic-repeat N] [--start-runs N] [--no-npx]
 *
 * Groups `csv` and `images` (record generation): for each dataset it times, in the same process,
 * a plain baseline over the same bytes and our record generation, and reports records/s, MB/s
 * (input bytes, 1 MB = 10^6 B), the ratio ours/baseline and the peak RSS. Each figure is the
 * median of --runs timed runs after --warmup untimed ones. Group `lake` (bench/lake.ts): ingest,
 * branch, commit, diff and storage figures of the versioned lake, each against a baseline of
 * the same run. Group `query` (bench/query.ts, in headless Chromium): query latency over a
 * branch, first load of a branch and column statistics, each against a baseline of the same run.
 * Group `cli` (bench/cli.ts): the CPU time of `croissant-lake records` on titanic ×200 against
 * a plain parse + JSON.stringify, and the CLI's start against `node -e 0`; `--quick` is its
 * smoke-test mode. Group `remote` (bench/remote.ts): push and fetch to s3rver on 127.0.0.1
 * (in a child process; `--remote-server in-process` for the bench's own) against a plain PUT
 * and GET of the same bytes, and a second push after a one-row commit.
 * Group `loader` (bench/loader.ts, in headless Chromium with a real OPFS lake and real workers):
 * the dataloader on the demo study, augmented against decode only, against the CPU ceiling of
 * the same item work, and its reads against one read per image; `--quick` is its smoke-test mode
 * too. Group `opinions` (bench/opinions.ts): consolidation in DuckDB-WASM in Chromium against
 * native DuckDB on the same Parquet files, import against a plain Parquet write, peak memory
 * (--opinions-scale X, 1 = 10M opinions; --opinions-import N; --opinions-import-only: the
 * import figure alone; --opinions-ab: DuckDB-WASM's threaded build too, in the same page;
 * --opinions-timeout S). Group
 * `imagestats` (bench/imagestats.ts): per-image statistics against decode only, and the
 * `image_stats` record set written onto a branch. Group
 * `sliceline` (bench/sliceline.ts): SliceLine on 100k × 20 and 1M × 20 generated features against
 * a single-level brute-force count of the same run and the Python reference's published times
 * (--sliceline-scale X shrinks both sizes). Group
 * `model` (bench/model.ts): the training step of each zoo model against its forward pass, on
 * 1 and 2 wasm threads; loader + training against training on decoded tensors; predict() over
 * a branch against a bare onnxruntime session (--model-rows N, --model-steps N). Results
 * also go to bench/out/results.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { runGroups } from './groups.ts';
import { csvBaseline, tarBaselineHeaderWalk, tarBaselineModernTar } from './baselines.ts';
import { parseIntFlag, parseStringFlag } from './generate.ts';
import {
  dataIsCurrent,
  DEFAULT_IMAGES,
  DEFAULT_OUT,
  DEFAULT_ROWS,
  DEFAULT_SEED,
  readManifest,
} from './gen/common.ts';
import { generateCsvJoin } from './gen/csv-join.ts';
import { generateImagesTar } from './gen/images-tar.ts';
import { fmtInt, fmtMB, gc, measure, type Result, table } from './measure.ts';
import { loadReader, oursRunner, type ReaderApi } from './reader.ts';

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(
      'usage: tsx bench/run.ts [--rows N] [--images N] [--runs 3] [--warmup 1]\n' +
        '                        [--only csv,images,cli,lake,remote,query,loader,pipeline,dicom,opinions,\n' +
        '                               imagestats,sliceline,model] [--sliceline-scale X]\n' +
        '                        [--quick] [--batch-size N] [--no-verify]\n' +
        '                        [--baseline-only] [--regen] [--lake-rows N] [--lake-slices N]\n' +
        '                        [--lake-big N] [--lake-reps N] [--query-rows N] [--query-runs N]\n' +
        '                        [--query-timeout S] [--loader-workers N] [--loader-batch N]\n' +
        '                        [--loader-timeout S] [--quick] [--titanic-repeat N] [--start-runs N]\n' +
        '                        [--no-npx] [--remote-rows N] [--remote-server child|in-process]',
    );
    return 0;
  }
  const rows = parseIntFlag(argv, '--rows') ?? DEFAULT_ROWS;
  const images = parseIntFlag(argv, '--images') ?? DEFAULT_IMAGES;
  const runs = parseIntFlag(argv, '--runs') ?? 3;
  const warmupIdx = argv.indexOf('--warmup');
  const warmup = warmupIdx >= 0 ? Number(argv[warmupIdx + 1]) : 1;
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error('--warmup expects an integer ≥ 0');
  const batchSize = parseIntFlag(argv, '--batch-size');
  const verifyChecksums = !argv.includes('--no-verify');
  const baselineOnly = argv.includes('--baseline-only');
  const regen = argv.includes('--regen');
  const onlyFlag = parseStringFlag(argv, '--only');
  const all = [
    'csv',
    'images',
    'cli',
    'lake',
    'remote',
    'query',
    'loader',
    'pipeline',
    'dicom',
    'opinions',
    'imagestats',
    'sliceline',
    'model',
  ];
  const groups = new Set(onlyFlag ? onlyFlag.split(',') : all);
  for (const g of groups) {
    if (!all.includes(g))
      throw new Error(`--only expects ${all.join(', ')} (comma-separated), got ${g}`);
  }
  const recordGroups = groups.has('csv') || groups.has('images');
  const out = DEFAULT_OUT;
  const opts = { runs, warmup };

  console.log(
    `croissant-lake benchmark (${[...groups].join(', ')}) — node ${process.version}, ${os.cpus().length}x ` +
      `${os.cpus()[0]?.model ?? 'cpu'}, ${fmtMB(os.totalmem())} MB RAM${gc ? '' : ' (no gc())'}`,
  );
  console.log(`median of ${runs} run(s) after ${warmup} warm-up; 1 MB = 10^6 bytes\n`);

  const api: ReaderApi | { error: string } = baselineOnly
    ? { error: 'skipped (--baseline-only)' }
    : recordGroups
      ? await loadReader()
      : { error: 'not run (no csv or images group)' };
  const readerError = recordGroups && 'error' in api ? api.error : undefined;
  if (readerError && !baselineOnly) {
    console.log(`!! Cannot benchmark our reader: ${readerError}`);
    console.log('!! Running the baselines only.\n');
  }

  const results: Result[] = [];
  const samples: Record<string, unknown> = {};
  const datasets: Record<string, unknown> = {};

  // ---- CSV with a join ------------------------------------------------------------------------
  if (groups.has('csv')) {
    const dir = join(out, 'csv-join');
    if (regen || !dataIsCurrent(dir, readManifest(dir), 'rows', rows)) {
      console.log(`generating ${dir} (${fmtInt(rows)} rows)…`);
      const g = await generateCsvJoin({ out, rows });
      console.log(`  done in ${g.seconds.toFixed(1)} s\n`);
    }
    const patients = join(dir, 'data/patients.csv');
    const sites = join(dir, 'data/sites.csv');
    const inputBytes = statSync(patients).size + statSync(sites).size;
    datasets['csv-join'] = {
      rows,
      patientsBytes: statSync(patients).size,
      sitesBytes: statSync(sites).size,
    };
    console.log(
      `csv-join: patients.csv ${fmtMB(statSync(patients).size)} MB + sites.csv, ${fmtInt(rows)} rows`,
    );

    const base = await measure(
      'csv: Papa Parse stream (baseline)',
      'baseline',
      'csv-join',
      () => csvBaseline([patients, sites]),
      opts,
    );
    results.push(base);
    if (base.records !== rows + 50) base.note = `expected ${rows + 50} rows`;

    if (!readerError) {
      try {
        const ours = await measure(
          'csv: recordBatches("patients")',
          'ours',
          'csv-join',
          oursRunner(
            api as ReaderApi,
            join(dir, 'metadata.json'),
            'patients',
            inputBytes,
            { batchSize, verifyChecksums },
            (row) => {
              samples.patients = row;
            },
          ),
          opts,
        );
        ours.baseline = base.name;
        ours.ratio = ours.mbPerSecond / base.mbPerSecond;
        ours.ratioRecords = ours.recordsPerSecond / base.recordsPerSecond;
        if (ours.records !== rows) ours.note = `!! expected ${rows} records, got ${ours.records}`;
        results.push(ours);
      } catch (e) {
        console.log(
          `\n!! csv: our reader failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
        );
        samples.patientsError = String(e);
      }
    }
    console.log();
  }

  // ---- Image FileSet in a tar -----------------------------------------------------------------
  if (groups.has('images')) {
    const dir = join(out, 'images-tar');
    if (regen || !dataIsCurrent(dir, readManifest(dir), 'images', images)) {
      console.log(`generating ${dir} (${fmtInt(images)} images)…`);
      const g = await generateImagesTar({ out, images });
      console.log(`  done in ${g.seconds.toFixed(1)} s\n`);
    }
    const tar = join(dir, 'data/images.tar');
    const inputBytes = statSync(tar).size;
    datasets['images-tar'] = { images, tarBytes: inputBytes };
    console.log(`images-tar: images.tar ${fmtMB(inputBytes)} MB, ${fmtInt(images)} JPEGs`);

    const walk = await measure(
      'tar: 512-byte header walk (floor)',
      'baseline',
      'images-tar',
      () => tarBaselineHeaderWalk(tar),
      opts,
    );
    const base = await measure(
      'tar: modern-tar decoder (baseline)',
      'baseline',
      'images-tar',
      () => tarBaselineModernTar(tar),
      opts,
    );
    walk.reference = false;
    walk.note = 'informational floor, not the ratio reference: skips bodies without reading them';
    results.push(walk, base);
    for (const r of [walk, base])
      if (r.records !== images) r.note = `!! expected ${images} entries`;

    if (!readerError) {
      try {
        const ours = await measure(
          'tar: recordBatches("images")',
          'ours',
          'images-tar',
          oursRunner(
            api as ReaderApi,
            join(dir, 'metadata.json'),
            'images',
            inputBytes,
            { batchSize, verifyChecksums },
            (row) => {
              samples.images = row;
            },
          ),
          opts,
        );
        ours.baseline = base.name;
        ours.ratio = ours.mbPerSecond / base.mbPerSecond;
        ours.ratioRecords = ours.recordsPerSecond / base.recordsPerSecond;
        if (ours.records !== images)
          ours.note = `!! expected ${images} records, got ${ours.records}`;
        results.push(ours);
      } catch (e) {
        console.log(
          `\n!! tar: our reader failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
        );
        samples.imagesError = String(e);
      }
    }
    console.log();
  }

  if (recordGroups) {
    console.log(table(results));
    for (const r of results) if (r.note) console.log(`  note — ${r.name}: ${r.note}`);
    console.log(
      '\nratio = our MB/s ÷ the baseline MB/s over the same input bytes (= baseline time ÷ our time);' +
        '\npeak RSS = highest resident set sampled every 5 ms during warm-up + timed runs of that row.',
    );
  }
  if (samples.patients)
    console.log(`\nfirst "patients" record: ${JSON.stringify(samples.patients)}`);
  if (samples.images) console.log(`first "images" record:   ${JSON.stringify(samples.images)}`);
  if (readerError) console.log(`\n!! our reader was not measured: ${readerError}`);

  const ran = await runGroups(groups, argv, { runs, warmup, images, regen }, recordGroups);
  const resultsPath = join(out, 'results.json');
  // Only the browser groups, lake, remote or dicom may have run: the folder may not exist yet.
  mkdirSync(out, { recursive: true });
  writeFileSync(
    resultsPath,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        commit: gitCommit(),
        env: {
          node: process.version,
          platform: `${os.platform()} ${os.release()} ${os.arch()}`,
          cpu: os.cpus()[0]?.model,
          cpus: os.cpus().length,
          totalMemBytes: os.totalmem(),
        },
        settings: {
          rows,
          images,
          seed: DEFAULT_SEED,
          runs,
          warmup,
          batchSize: batchSize ?? null,
          verifyChecksums,
        },
        datasets,
        reader:
          'error' in api
            ? { measured: false, error: readerError ?? api.error }
            : { measured: true },
        results,
        firstRecords: samples,
        ...Object.fromEntries(Object.entries(ran).map(([name, r]) => [name, r.json])),
        processPeakRssBytes: process.resourceUsage().maxRSS * 1024,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nwrote ${resultsPath}`);
  const failed =
    results.some((r) => r.note?.startsWith('!!')) ||
    samples.patientsError ||
    samples.imagesError ||
    Object.values(ran).some((r) => r.failed);
  return failed || (readerError && !baselineOnly) ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);
