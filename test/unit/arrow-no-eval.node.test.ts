/**
 * The browser build swaps apache-arrow's builder/valid module (a null check compiled with
 * `new Function`, which the app's CSP refuses) for a closure (scripts/arrow-no-eval.ts). The
 * replacement must answer exactly as arrow's own function does, for every kind of null value a
 * builder may be given; arrow's CommonJS build (which no plugin touches) is the reference.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ARROW_VALID_MODULE, CSP_SAFE_VALID, arrowNoEval } from '../../scripts/arrow-no-eval.ts';

type Factory = (nullValues?: unknown[]) => (x: unknown) => boolean;

const reference = (
  createRequire(import.meta.url)('apache-arrow/builder/valid') as {
    createIsValidFunction: Factory;
  }
).createIsValidFunction;

async function replacement(): Promise<Factory> {
  const url = `data:text/javascript,${encodeURIComponent(CSP_SAFE_VALID)}`;
  return ((await import(/* @vite-ignore */ url)) as { createIsValidFunction: Factory })
    .createIsValidFunction;
}

const NULL_LISTS: (unknown[] | undefined)[] = [
  undefined,
  [],
  [null],
  [null, undefined],
  [NaN],
  [null, NaN, 0],
  [0n, -1n],
  ['N/A', ''],
  [-0],
  [false],
];
const PROBES: unknown[] = [
  null,
  undefined,
  0,
  -0,
  1,
  NaN,
  '',
  'N/A',
  'null',
  0n,
  -1n,
  1n,
  false,
  true,
  {},
  [],
];

describe('arrow without eval', () => {
  it('answers as arrow does for every null list and value', async () => {
    const ours = await replacement();
    for (const nulls of NULL_LISTS) {
      const want = reference(nulls);
      const got = ours(nulls);
      for (const v of PROBES) {
        expect(got(v), `nulls ${String(nulls)}, value ${String(v)}`).toBe(want(v));
      }
    }
  });

  it('compiles nothing at run time', () => {
    expect(String(reference([null]))).toContain('switch'); // arrow's is generated code
    expect(CSP_SAFE_VALID).not.toMatch(/new Function|\beval\b|\bFunction\(/);
  });

  it("replaces only arrow's builder/valid module", () => {
    const load = arrowNoEval().load as (id: string) => string | null;
    const arrowValid = createRequire(import.meta.url)
      .resolve('apache-arrow/builder/valid')
      .replace(/\.js$/, '.mjs');
    expect(ARROW_VALID_MODULE.test(arrowValid)).toBe(true);
    expect(load.call({}, arrowValid)).toBe(CSP_SAFE_VALID);
    expect(load.call({}, `${arrowValid}?v=123`)).toBe(CSP_SAFE_VALID);
    expect(load.call({}, arrowValid.replace('builder/valid', 'util/pretty'))).toBeNull();
    expect(load.call({}, '/app/src/builder/valid.mjs')).toBeNull();
  });
});
