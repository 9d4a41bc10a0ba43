#!/usr/bin/env node
// Entry point for `npx croissant-lake`. Runs the CLI built to JavaScript (dist-cli/, made by
// scripts/build-cli.mjs on `npm install`), after rebuilding it when a source changed since. When
// it cannot be built (esbuild missing from a broken install), the TypeScript sources run through
// tsx instead, which starts far slower, and stderr says why.
import { buildCli, cliBundleUrl, isBuildCurrent } from '../scripts/build-cli.mjs';

let entry = cliBundleUrl;
if (!isBuildCurrent()) {
  try {
    await buildCli();
  } catch (buildError) {
    entry = await typescriptEntry(buildError);
  }
}
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));

/** Registers tsx and returns the TypeScript entry, or exits naming what to install. */
async function typescriptEntry(buildError) {
  const why = buildError instanceof Error ? buildError.message.split('\n')[0] : String(buildError);
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch {
    process.stderr.write(
      `croissant-lake: cannot build the command line (${why}), and tsx is not installed to ` +
        'run its TypeScript sources. Run `npm install` in the project folder.\n',
    );
    process.exit(1);
  }
  process.stderr.write(
    `croissant-lake: cannot build the command line (${why}); running the TypeScript sources ` +
      'through tsx (slow start). `npm install` or `node scripts/build-cli.mjs` fixes it.\n',
  );
  return new URL('../src/cli/main.ts', import.meta.url).href;
}
