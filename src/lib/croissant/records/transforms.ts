/**
 * Field transforms (regex, jsonPath, format, separator, replace), applied in order as the
 * reference's `apply_transforms_fn` does. A regex that matches nothing keeps the value and is
 * reported, like the reference's warning, through `onNoMatch`.
 */
import { CroissantError } from '../errors.ts';
import { jsonPathValues } from '../formats/json.ts';
import type { Transform } from '../model.ts';
import { isNa } from './pandas.ts';
import { parseDate, strftime } from './strftime.ts';

const regexCache = new Map<string, RegExp>();

/** Compiles a Python regex for `re.match` (anchored at the start only). */
export function pyRegex(source: string): RegExp {
  let re = regexCache.get(source);
  if (!re) {
    const js = source.replace(/\(\?P<(\w+)>/g, '(?<$1>').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
    try {
      re = new RegExp(`^(?:${js})`, 's');
    } catch (e) {
      throw new CroissantError(
        'INVALID',
        `invalid regex ${JSON.stringify(source)}: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
    regexCache.set(source, re);
  }
  return re;
}

export interface TransformContext {
  /** True when the field is a date (the only type `format` applies to). */
  isDate: boolean;
  onNoMatch?: (regex: string, value: string) => void;
}

function applyOne(value: unknown, t: Transform, ctx: TransformContext): unknown {
  if (isNa(value)) return value;
  if (t.regex !== undefined) {
    const s = typeof value === 'string' ? value : String(value);
    const m = pyRegex(t.regex).exec(s);
    if (!m) {
      ctx.onNoMatch?.(t.regex, s);
      return value;
    }
    for (const g of m.slice(1)) if (g !== undefined) return g;
    return value;
  }
  if (t.jsonPath !== undefined) {
    let doc = value;
    if (typeof doc === 'string') {
      try {
        doc = JSON.parse(doc) as unknown;
      } catch {
        return null;
      }
    }
    const found = jsonPathValues(doc, t.jsonPath);
    return found.length ? found[0] : null;
  }
  if (t.format !== undefined) {
    if (!ctx.isDate) throw new CroissantError('INVALID', `\`format\` only applies to dates`);
    return strftime(
      parseDate(value instanceof Date || typeof value === 'number' ? value : String(value)),
      t.format,
    );
  }
  if (t.separator !== undefined) return String(value).split(t.separator);
  if (t.replace !== undefined) {
    const [pattern = '', replacement = ''] = t.replace.split(/(?<!\\)\//);
    let re: RegExp;
    try {
      re = new RegExp(pattern, 'g');
    } catch (e) {
      throw new CroissantError(
        'INVALID',
        `invalid regex ${JSON.stringify(pattern)} in replace ${JSON.stringify(t.replace)}: ${(e as Error).message}`,
        { cause: e },
      );
    }
    return String(value).replace(re, replacement.replace(/\\(\d)/g, '$$$1'));
  }
  return value;
}

/** Applies every transform; list values are transformed element-wise. */
export function applyTransforms(
  value: unknown,
  transforms: readonly Transform[],
  ctx: TransformContext,
): unknown {
  let v = value;
  for (const t of transforms) {
    v = Array.isArray(v) ? v.map((x) => applyOne(x, t, ctx)) : applyOne(v, t, ctx);
  }
  return v;
}
