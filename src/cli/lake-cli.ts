/**
 * What every lake command gets (the lake, its arguments and options), and small helpers shared
 * by the command modules (lake-commands.ts dispatches to them).
 */
import { LakeError } from '../lib/store/errors.ts';
import type { Lake } from '../lib/versions/lake.ts';

/** Parsed options, as `node:util` parseArgs gives them. */
export type Values = Record<string, unknown>;

/** One command's inputs. */
export interface CommandContext {
  lake: Lake;
  /** Positional arguments after the command name. */
  args: string[];
  values: Values;
  mapping: Record<string, string>;
  /** Fires on Ctrl-C. */
  signal: AbortSignal;
  /** `-n N`, when given. */
  limit: number | undefined;
  /** `--author` and `--code`, for commands that commit. */
  who: { author?: string; code?: Record<string, string> };
}

/** An option's string value. */
export const str = (v: Values, k: string) => v[k] as string | undefined;

/** `value`, or BAD_INPUT naming what is missing. */
export function need(value: string | undefined, what: string): string {
  if (!value) throw new LakeError('BAD_INPUT', `missing ${what} (see --help)`);
  return value;
}

/** `--code k=v` options as a lineage code reference. */
export function parseCode(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new LakeError('BAD_INPUT', `--code expects key=value, got "${kv}"`);
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/**
 * A whole number ≥ 0 given to option `--name` as text, or undefined when not given. Only digits
 * are taken: `Number()` would read `24h` or `abc` as NaN (a gc grace of NaN deleted every
 * unreferenced chunk at once), `1e2` and `0x10` as numbers, and `-5` as a count.
 */
export function wholeNumber(values: Values, name: string, unit = ''): number | undefined {
  const text = values[name] as string | undefined;
  if (text === undefined) return undefined;
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw new LakeError('BAD_INPUT', `--${name} takes a whole number${unit} ≥ 0, got "${text}"`);
  }
  return n;
}

/** Bytes in megabytes, for output. */
export const mb = (n: number) =>
  // Under 10 kB in bytes: a one-row push read "0.00 MB", as though nothing had moved.
  n < 10_000 ? `${n.toLocaleString('en-US')} B` : `${(n / 1e6).toFixed(2)} MB`;
