/** Types of scripts/build-cli.mjs, for the TypeScript that imports it (bench/cli.ts). */

/** The built CLI, as a URL for `import()`. */
export const cliBundleUrl: string;

/** True when dist-cli/ holds a bundle made from the files as they are now. */
export function isBuildCurrent(): boolean;

/** Builds dist-cli/croissant-lake.mjs, the chunks it loads, and its build-info.json. */
export function buildCli(): Promise<{
  bundle: string;
  bytes: number;
  chunks: number;
  chunkBytes: number;
  inputs: number;
}>;
