/**
 * The SliceLine conformance fixture (test/fixtures/sliceline/, ORIGIN.md): the 10k × 10 CSV read
 * with a plain split (it holds integers only), and the reference's expected top-4.
 */
import { readFileSync } from 'node:fs';
import type { SliceLineInput, SliceLineParams } from '../../src/lib/analysis/blindspots-types.ts';

export const FIXTURE_DIR = new URL('../fixtures/sliceline/', import.meta.url);
export const FIXTURE_CSV = new URL('synth_N10000_F10.csv', FIXTURE_DIR);

export interface ExpectedSlice {
  predicates: Record<string, number>;
  score: number;
  size: number;
  sum_error: number;
  max_error: number;
  avg_error: number;
}

export interface Expected {
  N: number;
  F: number;
  params: { k: number; max_l: number; alpha: number; min_sup: number };
  average_error: number;
  top_slices: ExpectedSlice[];
}

export function readExpected(): Expected {
  return JSON.parse(readFileSync(new URL('expected-top4.json', FIXTURE_DIR), 'utf8')) as Expected;
}

/** The reference's parameters, as SliceLineParams. */
export function fixtureParams(e: Expected): SliceLineParams {
  return {
    alpha: e.params.alpha,
    minSupport: e.params.min_sup,
    maxLevel: e.params.max_l,
    k: e.params.k,
  };
}

/** The fixture CSV as SliceLine's input; features named by the header (f0 … f9). */
export function readFixtureInput(): { names: string[]; input: SliceLineInput } {
  const lines = readFileSync(FIXTURE_CSV, 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const f = header.length - 1;
  const n = lines.length - 1;
  const codes = Array.from({ length: f }, () => new Uint16Array(n));
  const errors = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = lines[i + 1]!.split(',').map(Number);
    for (let j = 0; j < f; j++) codes[j]![i] = v[j]!;
    errors[i] = v[f]!;
  }
  const levels = codes.map((c) => c.reduce((m, x) => Math.max(m, x), 0));
  return { names: header.slice(0, f), input: { codes, levels, errors } };
}

/** |a − b| ≤ 1e-9 · |b| (b the reference's value). */
export function relClose(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.abs(b);
}
