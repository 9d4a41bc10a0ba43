/**
 * Issue 12 §4: the CLI runs as JavaScript built by scripts/build-cli.mjs, and the bin rebuilds
 * it when a source changed, so an edited source never runs stale. Run on a copy of the project
 * (bin, scripts, src/lib, src/cli, package.json, and a link to node_modules) in a temporary
 * folder, so that touching sources here cannot disturb anything else.
 */
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { DATASET, buildImageDataset } from './loader-fixture.ts';
import { tinyClassifier } from './model-predict-fixture.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const copy = mkdtempSync(join(tmpdir(), 'cli-build-'));
for (const p of ['bin', 'scripts', 'src/lib', 'src/cli', 'package.json'])
  cpSync(join(repo, p), join(copy, p), { recursive: true });
symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'), 'dir');
afterAll(() => rmSync(copy, { recursive: true, force: true }));

const node = (...args: string[]) =>
  spawnSync(process.execPath, args, { cwd: copy, encoding: 'utf8', timeout: 60_000 });
/** Appends to a file of the copy, dated a minute ago. */
function edit(file: string, text: string): void {
  appendFileSync(join(copy, file), text);
  const then = new Date(Date.now() - 60_000);
  utimesSync(join(copy, file), then, then);
}
const check = () => node('scripts/build-cli.mjs', '--check').status;

describe('the built CLI', () => {
  it('is built on demand, runs from dist-cli, and is rebuilt after a source changes', () => {
    expect(check()).toBe(1); // never built
    const first = node('bin/croissant-lake.js', '--help');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^croissant-lake — /);
    expect(first.stderr).toBe('');
    expect(check()).toBe(0);
    const bundle = join(copy, 'dist-cli/croissant-lake.mjs');
    expect(readFileSync(bundle, 'utf8')).toContain(
      'read Croissant datasets as the reference implementation does',
    );

    // An edited source (saved a minute ago: the build does not trust a file saved as it
    // starts, and would rebuild once more): the build is stale, the next start runs the edit.
    const chunksOf = () =>
      (
        JSON.parse(readFileSync(join(copy, 'dist-cli/build-info.json'), 'utf8')) as {
          chunks: string[];
        }
      ).chunks;
    const before = chunksOf();
    edit('src/cli/main.ts', '\nexport const EDITED_IN_TEST = 1;\n');
    edit('src/cli/read-commands.ts', '\nexport const EDITED_TOO = 1;\n');
    expect(check()).toBe(1);
    expect(node('bin/croissant-lake.js', '--help').status).toBe(0);
    expect(check()).toBe(0);
    expect(readFileSync(bundle, 'utf8')).toContain('EDITED_IN_TEST');
    // The earlier build's chunks stay for a day (a command started from it may still load
    // one), then go with the next build.
    const gone = before.filter((c) => !chunksOf().includes(c));
    expect(gone.length).toBeGreaterThan(0);
    for (const c of gone) expect(existsSync(join(copy, 'dist-cli', c))).toBe(true);
    const old = new Date(Date.now() - 25 * 3600_000);
    for (const c of gone) utimesSync(join(copy, 'dist-cli', c), old, old);
    edit('src/cli/main.ts', '\nexport const EDITED_AGAIN = 1;\n');
    expect(node('bin/croissant-lake.js', '--help').status).toBe(0);
    for (const c of gone) expect(existsSync(join(copy, 'dist-cli', c))).toBe(false);
    for (const c of chunksOf()) expect(existsSync(join(copy, 'dist-cli', c))).toBe(true);
  });

  it('loads for --help only the entry and what it imports statically: each command loads its own', () => {
    expect(node('bin/croissant-lake.js', '--help').status).toBe(0);
    const dir = join(copy, 'dist-cli');
    const read = (name: string) => readFileSync(join(dir, name), 'utf8');
    // The entry's static import graph: what Node loads before main() runs (`--help` loads
    // nothing else: main.ts imports each command's module with a dynamic import()).
    const seen = new Set<string>();
    const walk = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      for (const m of read(name).matchAll(
        /^(?:import [^;]*? from |import )"\.\/(chunk-[\w-]+\.mjs)";$/gm,
      ))
        walk(m[1]!);
    };
    walk('croissant-lake.mjs');
    const all = readdirSync(dir).filter((f) => f.endsWith('.mjs'));
    const bytes = (names: Iterable<string>) =>
      [...names].reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    const text = [...seen].map(read).join('\n');
    // None of the commands' code: the reader (jsonld), the lake, Arrow, the model, DICOM.
    for (const fn of [
      'function readCroissant(',
      'function openNodeBackend(',
      'class Lake ',
      'function decodeFrame(',
    ])
      expect(text).not.toContain(fn);
    expect(all.length).toBeGreaterThan(10);
    expect(bytes(seen)).toBeLessThan(bytes(all) / 20);
    // Those are in chunks loaded by the commands that need them.
    const rest = all
      .filter((f) => !seen.has(f))
      .map(read)
      .join('\n');
    for (const fn of [
      'function readCroissant(',
      'function openNodeBackend(',
      'function decodeFrame(',
    ])
      expect(rest).toContain(fn);
  });

  it('builds again when a chunk it wrote is missing', () => {
    expect(node('bin/croissant-lake.js', '--help').status).toBe(0);
    expect(check()).toBe(0);
    const info = JSON.parse(readFileSync(join(copy, 'dist-cli/build-info.json'), 'utf8')) as {
      chunks: string[];
    };
    rmSync(join(copy, 'dist-cli', info.chunks[0]!));
    expect(check()).toBe(1);
    const run = node(
      'bin/croissant-lake.js',
      'validate',
      join(repo, 'public/examples/titanic/metadata.json'),
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(check()).toBe(0);
  });

  it('runs a model: onnxruntime-web stays outside the bundle, next to its wasm glue', async () => {
    // Bundled, onnxruntime-web looked for ort-wasm-simd-threaded.mjs in dist-cli/ and found none.
    const lakeDir = join(copy, 'lake');
    const lake = await Lake.open(await openNodeBackend(lakeDir));
    await buildImageDataset(lake, { n: 4 });
    writeFileSync(join(copy, 'm.onnx'), tinyClassifier().bytes);
    const args = ['evaluate', DATASET, 'main', '--model', 'm.onnx', '--label', 'label'];
    const run = node('bin/croissant-lake.js', ...args, '--bootstrap', '0', '--lake', lakeDir);
    expect(run.stderr).not.toMatch(/error/);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).predictions.rows).toBe(4);
  });

  it('says why when it cannot build, and npm prepare does not fail the install over it', () => {
    edit('src/cli/main.ts', '\nexport const broken = ;\n');
    const prepare = node('scripts/build-cli.mjs', '--prepare');
    expect(prepare.status).toBe(0);
    expect(prepare.stderr).toMatch(/^build-cli: Build failed[\s\S]*src\/cli\/main\.ts:\d+/);
    const plain = node('scripts/build-cli.mjs');
    expect(plain.status).toBe(1);
    // The bin falls back to tsx, says so, and tsx meets the same error.
    const run = node('bin/croissant-lake.js', '--help');
    expect(run.stderr).toContain('croissant-lake: cannot build the command line (');
    expect(run.stderr).toContain('running the TypeScript sources through tsx');
    expect(run.status).not.toBe(0);
    expect(existsSync(join(copy, 'dist-cli/croissant-lake.mjs'))).toBe(true);
  });
});
