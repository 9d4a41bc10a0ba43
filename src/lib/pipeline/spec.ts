/**
 * Validation and hashing of pipeline specs (the plain JSON stored in lineage and permalinks).
 */
import { LakeError } from '../store/errors.ts';
import { sha256 } from '../store/hash.ts';
import { canonicalJson } from '../versions/manifest.ts';
import type { PipelineSpec, TransformSpec } from './image.ts';

/** Every op a spec may name, in documentation order. */
export const TRANSFORM_OPS = [
  'resize',
  'center-crop',
  'random-crop',
  'flip',
  'rotate',
  'brightness-contrast',
  'gaussian-noise',
  'normalize',
  'window-level',
  'background-subtract',
] as const;

/** Largest width/height a resize or crop may ask for. */
const MAX_SIZE = 1 << 15;

/** Ops that assume the native 0–255/0–65535 range, so may not follow `normalize`. */
const NATIVE_RANGE_OPS = new Set([
  'brightness-contrast',
  'window-level',
  'background-subtract',
  'normalize',
]);

type Params = Record<string, unknown>;

/** Where in a spec a problem is: the step's index, and the parameter when one is at fault. */
export interface SpecPlace {
  step?: number;
  param?: string;
}

function fail(where: string, message: string, place?: SpecPlace): never {
  throw new LakeError('BAD_INPUT', `${where}: ${message}`, place ? { detail: place } : {});
}

/** A value for an error message; NaN and ±Infinity as such (JSON would print null). */
function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'nothing';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (Array.isArray(v) && v.some((x) => typeof x === 'number' && !Number.isFinite(x))) {
    return `[${v.map((x) => show(x)).join(',')}]`;
  }
  return String(JSON.stringify(v));
}

/** Validates one op's params; returns them with defaults filled, in a fixed key order. */
function checkOne(where: string, raw: Params, step: number): TransformSpec {
  const allowed: Record<string, string[]> = {
    resize: ['width', 'height'],
    'center-crop': ['width', 'height'],
    'random-crop': ['width', 'height'],
    flip: ['axis', 'p'],
    rotate: ['degrees', 'random'],
    'brightness-contrast': ['brightness', 'contrast', 'random'],
    'gaussian-noise': ['std'],
    normalize: ['mean', 'std'],
    'window-level': ['center', 'width'],
    'background-subtract': ['sigma'],
  };
  const op = raw.op as string;
  const known = Object.hasOwn(allowed, op) ? allowed[op] : undefined;
  for (const key of Object.keys(raw)) {
    if (key === 'op' || known?.includes(key)) continue;
    // An unknown op has no parameters to list: name the op and the known ones instead.
    fail(
      where,
      known
        ? `unknown parameter "${key}" (allowed: ${known.join(', ')})`
        : `unknown parameter "${key}" of unknown op ${show(op)}; known ops: ${TRANSFORM_OPS.join(', ')}`,
      { step },
    );
  }
  const num = (key: string, ok: (v: number) => boolean, rule: string): number => {
    const v = raw[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
      fail(where, `${key} must be ${rule}, got ${show(v)}`, { step, param: key });
    }
    return v;
  };
  const size = (key: string): number =>
    num(
      key,
      (v) => Number.isInteger(v) && v >= 1 && v <= MAX_SIZE,
      `an integer in [1, ${MAX_SIZE}]`,
    );
  const bool = (key: string): boolean => {
    const v = raw[key] ?? false;
    if (typeof v !== 'boolean')
      fail(where, `${key} must be true or false, got ${show(v)}`, { step, param: key });
    return v;
  };
  const list = (key: string): number[] => {
    const v = raw[key];
    if (
      !Array.isArray(v) ||
      v.length < 1 ||
      v.length > 4 ||
      !v.every((x) => typeof x === 'number' && Number.isFinite(x))
    ) {
      fail(where, `${key} must be an array of 1 to 4 finite numbers, got ${show(v)}`, {
        step,
        param: key,
      });
    }
    return v as number[];
  };
  switch (op) {
    case 'resize':
    case 'center-crop':
    case 'random-crop':
      return { op, width: size('width'), height: size('height') };
    case 'flip': {
      const axis = raw.axis;
      if (axis !== 'horizontal' && axis !== 'vertical') {
        fail(where, `axis must be "horizontal" or "vertical", got ${show(axis)}`, {
          step,
          param: 'axis',
        });
      }
      if (raw.p === undefined) return { op, axis, p: 0.5 };
      return { op, axis, p: num('p', (v) => v >= 0 && v <= 1, 'a number in [0, 1]') };
    }
    case 'rotate':
      return { op, degrees: num('degrees', () => true, 'a finite number'), random: bool('random') };
    case 'brightness-contrast': {
      const random = bool('random');
      const range = random ? [0, 1] : [-1, 1];
      const brightness = num(
        'brightness',
        (v) => v >= range[0]! && v <= 1,
        `a number in [${range[0]}, 1]`,
      );
      const contrast = random
        ? num('contrast', (v) => v >= 0 && v < 1, 'a number in [0, 1) when random')
        : num('contrast', (v) => v >= -1, 'a number ≥ −1');
      return { op, brightness, contrast, random };
    }
    case 'gaussian-noise':
      return { op, std: num('std', (v) => v >= 0, 'a number ≥ 0') };
    case 'normalize': {
      const mean = list('mean');
      const std = list('std');
      if (std.length !== mean.length)
        fail(where, `mean and std must have the same length (${mean.length} vs ${std.length})`, {
          step,
          param: 'std',
        });
      if (std.some((s) => s <= 0))
        fail(where, `std values must be > 0, got ${show(std)}`, { step, param: 'std' });
      return { op, mean: [...mean], std: [...std] };
    }
    case 'window-level':
      return {
        op,
        center: num('center', () => true, 'a finite number'),
        width: num('width', (v) => v > 0, 'a number > 0'),
      };
    case 'background-subtract':
      return { op, sigma: num('sigma', (v) => v > 0 && v <= 1000, 'a number in (0, 1000]') };
    default:
      return fail(where, `unknown op ${show(op)}; known ops: ${TRANSFORM_OPS.join(', ')}`, {
        step,
      });
  }
}

/**
 * Checks untrusted JSON against the `PipelineSpec` shape and returns a normalised copy:
 * defaults filled in (flip p = 0.5, random = false), so equal pipelines compare and hash
 * equal. Errors name the step: `pipeline[2] (rotate): degrees must be a finite number, got "x"`.
 * Also rejects native-range ops (brightness-contrast, window-level, background-subtract, a
 * second normalize) after `normalize`.
 * @throws LakeError BAD_INPUT
 */
export function validateSpec(json: unknown): PipelineSpec {
  if (!Array.isArray(json)) fail('pipeline', `must be an array of transforms, got ${show(json)}`);
  let normalizedAt = -1;
  return json.map((step: unknown, i) => {
    if (!step || typeof step !== 'object' || Array.isArray(step)) {
      fail(`pipeline[${i}]`, `must be an object with an "op", got ${show(step)}`, { step: i });
    }
    const raw = step as Params;
    if (typeof raw.op !== 'string')
      fail(`pipeline[${i}]`, `missing "op" (one of ${TRANSFORM_OPS.join(', ')})`, { step: i });
    const spec = checkOne(`pipeline[${i}] (${raw.op})`, raw, i);
    if (normalizedAt >= 0 && NATIVE_RANGE_OPS.has(spec.op)) {
      fail(
        `pipeline[${i}] (${spec.op})`,
        `works on the native pixel range, so cannot follow normalize (pipeline[${normalizedAt}]); move normalize to the end`,
        { step: i },
      );
    }
    if (spec.op === 'normalize') normalizedAt = i;
    return spec;
  });
}

/**
 * A stable id for a pipeline: lowercase hex sha256 of the canonical JSON (sorted keys) of
 * `validateSpec(spec)`, so spelling out a default does not change the hash.
 * @throws LakeError BAD_INPUT when the spec is invalid.
 */
export async function specHash(spec: unknown): Promise<string> {
  return sha256(new TextEncoder().encode(canonicalJson(validateSpec(spec))));
}
