#!/usr/bin/env node
/**
 * Builds the command line into JavaScript: src/cli/main.ts and everything it imports, npm
 * packages included, bundled by esbuild into dist-cli/croissant-lake.mjs and the chunks it
 * loads on demand (dist-cli/chunk-*.mjs: esbuild's code splitting at main.ts's dynamic imports,
 * one per command module and what they share). The bin (bin/croissant-lake.js) runs that file,
 * so a start costs Node's own start plus loading the entry and the chunks of the command run:
 * `--help` loads the entry alone (about 30 KB, not the 3 MB of every command), and no start
 * compiles TypeScript through tsx.
 *
 *   node scripts/build-cli.mjs             build (`npm run build:cli`; `npm run build` too)
 *   node scripts/build-cli.mjs --prepare   the same, but a failed build only warns: npm's
 *                                          `prepare` runs it on `npm install`/`npm ci`, which
 *                                          must not fail over a source being edited (the bin
 *                                          builds again at its next start and says why it can't)
 *   node scripts/build-cli.mjs --check     exit 0 when the build is current, 1 when it is not
 *
 * dist-cli/build-info.json lists the files the bundle was made from (the project's sources that
 * esbuild read, this script, package.json and npm's record of what is installed), each with its
 * size and mtime, and the chunks it wrote. The build is current while every input is unchanged
 * and every chunk is there; the bin checks that at each start (a few hundred `stat`s) and
 * rebuilds first when it is not, so an edited source never runs stale. Chunks are named by
 * their content's hash; a build removes those of earlier builds once they are a day old (a
 * command still running from one may load more of them).
 *
 * Packages stay outside the bundle where their wasm is found next to their glue code: parquet-wasm
 * (its wasm file read from its package folder) and onnxruntime-web (which imports its
 * ort-wasm-*.mjs by a path relative to itself); nothing else needs to be. jsonld's Node platform module is
 * swapped for its browser one (what the app's Vite build uses): the Node one only installs a
 * network document loader, built on undici (half the bundle, and slow to load), and the reader
 * always passes its own loader, which refuses the network.
 */
import {
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'dist-cli');
const bundlePath = path.join(outDir, 'croissant-lake.mjs');
const infoPath = path.join(outDir, 'build-info.json');
/** Bumped when the shape of build-info.json changes. */
const INFO_VERSION = 2;

/** The built CLI, as a URL for `import()`. */
export const cliBundleUrl = pathToFileURL(bundlePath).href;

/** Files that decide the build besides the sources esbuild reads. */
const EXTRA_INPUTS = [
  'scripts/build-cli.mjs',
  'package.json',
  // npm rewrites it on every install: a changed dependency makes the bundle stale.
  'node_modules/.package-lock.json',
];

/** `[size, mtimeMs]` of a project file, or null when it does not exist. */
function stamp(rel) {
  try {
    const s = statSync(path.join(root, rel));
    return [s.size, s.mtimeMs];
  } catch {
    return null;
  }
}

/** True when dist-cli/ holds a bundle made from the files as they are now. */
export function isBuildCurrent() {
  let info;
  try {
    info = JSON.parse(readFileSync(infoPath, 'utf8'));
    statSync(bundlePath);
  } catch {
    return false;
  }
  if (info?.version !== INFO_VERSION || !Array.isArray(info.inputs)) return false;
  if (!Array.isArray(info.chunks)) return false;
  for (const [rel, size, mtimeMs] of info.inputs) {
    const now = stamp(rel);
    if (now === null ? size !== null : now[0] !== size || now[1] !== mtimeMs) return false;
  }
  // A chunk removed by hand would fail the command that loads it: build again instead.
  return info.chunks.every((name) => stamp(path.join('dist-cli', name)) !== null);
}

/** Writes `data` to `file` through a temporary file and a rename, so readers never see half. */
function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/**
 * A command started from an earlier build may still load its chunks (a codec when it meets a
 * compressed DICOM file, long after it started): those of earlier builds are removed only once
 * a day old.
 */
const CHUNK_KEEP_MS = 24 * 60 * 60 * 1000;

/** Removes the chunks of earlier builds written more than CHUNK_KEEP_MS ago. */
function pruneChunks(current) {
  const now = Date.now();
  for (const name of readdirSync(outDir)) {
    if (!/^chunk-.*\.mjs$/.test(name) || current.has(name)) continue;
    const file = path.join(outDir, name);
    try {
      if (now - statSync(file).mtimeMs > CHUNK_KEEP_MS) rmSync(file, { force: true });
    } catch {
      // Removed meanwhile by another build.
    }
  }
}

/**
 * Builds dist-cli/croissant-lake.mjs and its build-info.json. Throws when esbuild is missing
 * (it is a dependency, so only a broken install lacks it) or the sources do not compile.
 */
export async function buildCli() {
  const esbuild = await import('esbuild');
  const started = Date.now();
  const jsonldBrowserPlatform = path.join(root, 'node_modules/jsonld/lib/platform-browser.js');
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { 'croissant-lake': 'src/cli/main.ts' },
    outdir: outDir,
    // Beside the entry, not in a folder of their own: modules that find their packages from
    // `import.meta.url` (createRequire) resolve from the same place in every chunk.
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    metafile: true,
    logLevel: 'silent',
    external: ['parquet-wasm', 'parquet-wasm/*', 'onnxruntime-web', 'onnxruntime-web/*'],
    // CommonJS packages in an ES module bundle call `require` for Node's built-ins.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
    },
    plugins: [
      {
        name: 'jsonld-without-network-loader',
        setup(build) {
          build.onResolve({ filter: /^\.\/platform(\.js)?$/ }, (args) =>
            args.importer.includes(`${path.sep}jsonld${path.sep}lib${path.sep}`)
              ? { path: jsonldBrowserPlatform }
              : undefined,
          );
        },
      },
    ],
  });
  const bundle = result.outputFiles.find((f) => f.path === bundlePath);
  if (!bundle) throw new Error('esbuild wrote no bundle');
  const chunkFiles = result.outputFiles.filter((f) => f !== bundle);
  const sources = Object.keys(result.metafile.inputs).filter(
    (p) => !p.startsWith('node_modules/') && !p.includes(':'),
  );
  const inputs = [...sources, ...EXTRA_INPUTS].map((rel) => [rel, ...(stamp(rel) ?? [null, 0])]);
  mkdirSync(outDir, { recursive: true });
  // The chunks first, then the entry that loads them, then (below) the info that says the
  // build is whole.
  for (const f of chunkFiles) writeAtomic(f.path, f.contents);
  writeAtomic(bundlePath, bundle.contents);
  const chunks = chunkFiles.map((f) => path.basename(f.path));
  pruneChunks(new Set(chunks));
  // Written last: a build interrupted before this line is not taken for current. A file changed
  // while esbuild read it may be in the bundle as it was: then no info, and the next start
  // builds again. File times lag the clock by up to a kernel tick, hence the margin.
  const changedMeanwhile = inputs.some(([, , mtimeMs]) => mtimeMs > started - 100);
  if (!changedMeanwhile)
    writeAtomic(infoPath, JSON.stringify({ version: INFO_VERSION, inputs, chunks }) + '\n');
  return {
    bundle: bundlePath,
    bytes: bundle.contents.byteLength,
    chunks: chunkFiles.length,
    chunkBytes: chunkFiles.reduce((n, f) => n + f.contents.byteLength, 0),
    inputs: inputs.length,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const current = isBuildCurrent();
    console.log(current ? 'dist-cli is current' : 'dist-cli is missing or stale');
    process.exit(current ? 0 : 1);
  }
  try {
    const r = await buildCli();
    console.log(
      `built ${path.relative(root, r.bundle)} (${(r.bytes / 1e3).toFixed(0)} KB) and ${r.chunks} chunks ` +
        `(${(r.chunkBytes / 1e6).toFixed(2)} MB) from ${r.inputs} files`,
    );
  } catch (e) {
    console.error(`build-cli: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(process.argv.includes('--prepare') ? 0 : 1);
  }
}
