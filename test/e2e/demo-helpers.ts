/**
 * A smaller copy of the demo imaging study for the e2e tests that save it to the lake and work
 * on all of it (train.e2e.ts, blindspots.e2e.ts, labels.e2e.ts): the same generator as the
 * bundled example (`scripts/make-demo.ts`, same seed, schema, splits, reads and planted
 * degradation), fewer images, served with CORS by `startStaticServer`, and opened with `?url=`.
 *
 * Why not the bundled example (5,000 PNGs, 800 DICOM files): saving it to the browser lake,
 * reading its images to train and evaluating them, or consolidating its 6,000 reads, were most of
 * these files' time, and grew with the image count while no assertion needs that many. Opening
 * the bundled example from its card is demo-example.e2e.ts's job.
 *
 * The generator's output depends only on its flags and its code, so it is made once per machine
 * in the system's temporary folder, under a name that holds the count and a hash of the
 * generator's source files, and reused by the other files and later runs (it takes a few CPU
 * seconds each time otherwise). It is written to a folder of its own first and renamed into
 * place when complete, so two files starting together never see half a study.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { REPO_ROOT } from './harness.ts';
import { startStaticServer, type StaticServer } from './static-server.ts';

/** The generated study's name, as the bundled example's. */
export const DEMO_DATASET = 'synthetic-chest-ct-lesions';

/** A hash of the generator's source: scripts/make-demo.ts and bench/gen/*.ts. */
function generatorHash(): string {
  const gen = path.join(REPO_ROOT, 'bench/gen');
  const files = [
    path.join(REPO_ROOT, 'scripts/make-demo.ts'),
    ...readdirSync(gen)
      .filter((f) => f.endsWith('.ts'))
      .sort()
      .map((f) => path.join(gen, f)),
  ];
  const hash = createHash('sha256');
  for (const f of files) hash.update(f).update(readFileSync(f));
  return hash.digest('hex').slice(0, 16);
}

/** The folder holding the study with `count` images, generated if it is not there yet. */
async function generated(count: number): Promise<string> {
  const dir = path.join(os.tmpdir(), `croissant-e2e-demo-${count}-${generatorHash()}`);
  if (existsSync(path.join(dir, 'metadata.json'))) return dir;
  const fresh = await mkdtemp(path.join(os.tmpdir(), 'croissant-e2e-demo-new-'));
  execFileSync(
    process.execPath,
    [
      path.join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs'),
      path.join(REPO_ROOT, 'scripts/make-demo.ts'),
      ...['--count', String(count), '--dicom-count', '1', '--out', fresh],
    ],
    { cwd: REPO_ROOT, stdio: 'pipe' },
  );
  // Another file may have renamed its copy into place meanwhile: then that one is used.
  await rename(fresh, dir).catch(async (e: unknown) => {
    await rm(fresh, { recursive: true, force: true });
    if (!existsSync(path.join(dir, 'metadata.json'))) throw e;
  });
  return dir;
}

/**
 * Serves the demo with `count` images (one of them also as DICOM) for the suite; gives the URL
 * of its metadata.json, the server (for its origin and requests) and the folder.
 */
export function useSmallDemo(count: number): {
  metadataUrl: () => string;
  server: () => StaticServer;
  /** The folder it was generated in (data/*.csv, for expected values). Read only. */
  dir: () => string;
} {
  let dir = '';
  let served: StaticServer | undefined;
  beforeAll(async () => {
    dir = await generated(count);
    served = await startStaticServer(dir);
  });
  afterAll(async () => {
    await served?.close();
  });
  const server = () => {
    if (!served) throw new Error('setup failed');
    return served;
  };
  return {
    metadataUrl: () => `${server().url}/metadata.json`,
    server,
    dir: () => {
      if (!dir) throw new Error('setup failed');
      return dir;
    },
  };
}
