/** Types of scripts/build-wasm.mjs, for the TypeScript that imports it (its test). */

/** The path of the built module's TypeScript file (src/lib/pipeline/wasm/normal-wasm.ts). */
export const OUTPUT: string;

/** The text of normal-wasm.ts built from normal.wat as it is now. */
export function buildNormalWasm(): Promise<string>;
