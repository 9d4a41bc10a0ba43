/**
 * apache-arrow compiles each builder's null check with `new Function` (builder/valid.mjs,
 * `createIsValidFunction`), and every `vectorFromArray` makes a builder with null values. The
 * app's Content-Security-Policy (scripts/serving.ts) allows no `eval`, so in the browser that
 * module is swapped for {@link CSP_SAFE_VALID}: the same check as a closure. Node (the CLI) keeps
 * the original; test/unit/arrow-no-eval.test.ts checks the two agree.
 */
import type { Plugin } from 'vite';

/**
 * The replacement of apache-arrow's builder/valid.mjs. Arrow's generated function is a `switch`
 * over the null values (strict equality, `x !== x` first when NaN is one of them); so is this.
 */
export const CSP_SAFE_VALID = `
export function createIsValidFunction(nullValues) {
  if (!nullValues || nullValues.length <= 0) {
    return function isValid() { return true; };
  }
  const nulls = nullValues.filter((x) => x === x);
  const nan = nulls.length !== nullValues.length;
  return function isValid(x) {
    if (nan && x !== x) return false;
    for (let i = 0; i < nulls.length; i++) if (x === nulls[i]) return false;
    return true;
  };
}
`;

/** Matches apache-arrow's builder/valid module (the ESM build that browsers bundle). */
export const ARROW_VALID_MODULE = /[\\/]apache-arrow[\\/]builder[\\/]valid\.mjs$/;

/**
 * The plugin, for the app's build, its workers' builds, and the dev server's dependency
 * pre-bundling (a Rolldown plugin: the same `load` hook).
 */
export function arrowNoEval(): Plugin {
  return {
    name: 'croissant-lake:arrow-no-eval',
    enforce: 'pre',
    load(id) {
      return ARROW_VALID_MODULE.test(id.split('?')[0] ?? id) ? CSP_SAFE_VALID : null;
    },
  };
}
