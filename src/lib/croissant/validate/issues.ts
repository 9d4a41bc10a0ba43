/**
 * Issue collection for the validator, with the reference implementation's conventions:
 * issues are sets of strings (duplicates collapse), located as
 * `[Metadata(x) > RecordSet(y) > Field(z)]` and printed sorted.
 */
import type { Issue } from '../model.ts';

/** Anything an issue can be attached to: the chain of node kinds and names above it. */
export interface Locatable {
  kind: string;
  /** Printed name; `null` prints as `None` like the reference does for unnamed helper nodes. */
  name: string | null;
  parents: Locatable[];
}

/** The bracketed location of a node, e.g. `[Metadata(x) > FileObject(y)]`. */
export function contextOf(node: Locatable): string {
  const chain = [...node.parents, node];
  return `[${chain.map((n) => `${n.kind}(${n.name ?? 'None'})`).join(' > ')}]`;
}

/** Compares strings by Unicode code points, as Python's `sorted` does. */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done || cb.done) return ca.done && cb.done ? 0 : ca.done ? -1 : 1;
    const d = (ca.value.codePointAt(0) ?? 0) - (cb.value.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
}

/** Collects errors and warnings as sets keyed by their printed form. */
export class Issues {
  private readonly errors = new Map<string, Issue>();
  private readonly warnings = new Map<string, Issue>();

  /** Adds an error, located at `node` when given, document-level otherwise. */
  error(message: string, node?: Locatable): void {
    this.add(this.errors, 'error', message, node);
  }

  /** Adds a warning, located at `node` when given, document-level otherwise. */
  warning(message: string, node?: Locatable): void {
    this.add(this.warnings, 'warning', message, node);
  }

  /** Number of distinct errors so far. */
  get errorCount(): number {
    return this.errors.size;
  }

  /** Errors and warnings, each sorted like the reference report. */
  result(): { errors: Issue[]; warnings: Issue[] } {
    return { errors: sortedValues(this.errors), warnings: sortedValues(this.warnings) };
  }

  private add(
    into: Map<string, Issue>,
    severity: Issue['severity'],
    message: string,
    node: Locatable | undefined,
  ): void {
    const context = node ? contextOf(node) : '';
    const key = context ? `${context} ${message}` : message;
    if (!into.has(key)) into.set(key, { severity, context, message });
  }
}

function sortedValues(map: Map<string, Issue>): Issue[] {
  return [...map.entries()].sort(([a], [b]) => compareCodePoints(a, b)).map(([, v]) => v);
}

/** Python's `repr` of a string: single quotes unless the text holds `'` and no `"`. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}

/** Python's `repr` of a JSON-like value (str, int/float, bool, None, list, dict). */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'string') return pyStrRepr(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pyFloat(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    return `{${entries.map(([k, x]) => `${pyStrRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  }
  return String(v);
}

function pyFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return String(v);
}

/** Python's `repr` of a set of strings. Set order is hash-dependent there; we sort. */
export function pySetRepr(items: Iterable<string>): string {
  const list = [...new Set(items)].sort(compareCodePoints);
  return list.length ? `{${list.map(pyStrRepr).join(', ')}}` : 'set()';
}

/** Python's type name for a JSON-like value, as in `type(v).__name__`. */
export function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}

/** Python truthiness of a JSON-like value. */
export function pyTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}
