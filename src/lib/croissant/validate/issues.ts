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
  /** The reference's chain above the node (it stops at first-level sub-fields). */
  parents: Locatable[];
  /**
   * The node (or property) this one really sits in, for locations. Absent at the top. A
   * `name` of null prints the kind alone there (a property: `Field(x) > source`).
   */
  within?: Locatable;
  /** Shown in a location when the name is empty. */
  id?: string;
}

/** The bracketed location of a node, e.g. `[Metadata(x) > FileObject(y)]`. */
export function contextOf(node: Locatable): string {
  const chain = [...node.parents, node];
  return `[${chain.map((n) => `${n.kind}(${n.name ?? 'None'})`).join(' > ')}]`;
}

/** Where a node really is, e.g. `Metadata(x) > RecordSet(y) > Field(z) > source`. */
export function locationOf(node: Locatable): string {
  const chain: string[] = [];
  for (let n: Locatable | undefined = node; n; n = n.within) {
    const id = n.id && !n.id.startsWith('_:') ? n.id : '';
    chain.push(n.name === null ? n.kind : `${n.kind}(${n.name || id})`);
  }
  return chain.reverse().join(' > ');
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

/** An issue being collected: every place that gave the same printed text. */
interface Pending {
  issue: Issue;
  places: Locatable[];
}

/**
 * Collects errors and warnings as sets keyed by their printed form, as the reference does.
 * Each also keeps where it was found: the node it is attached to or, for the reference's
 * unlocated messages, the node being read when it was reported (`at`), so that every message
 * can say where the problem is while its text stays the reference's.
 */
export class Issues {
  private readonly errors = new Map<string, Pending>();
  private readonly warnings = new Map<string, Pending>();
  private readonly scope: Locatable[] = [];

  /** Runs `fn` with `node` as the place of the issues it reports without a node. */
  at<T>(node: Locatable, fn: () => T): T {
    this.scope.push(node);
    try {
      return fn();
    } finally {
      this.scope.pop();
    }
  }

  /** A property (or unnamed helper node) of the node being read: `Field(x) > source`. */
  property(name: string): Locatable {
    const within = this.here;
    return { kind: name, name: null, parents: [], ...(within ? { within } : {}) };
  }

  /** The node being read, if any. */
  get here(): Locatable | undefined {
    return this.scope[this.scope.length - 1];
  }

  /** Adds an error, located at `node` when given, document-level otherwise. */
  error(message: string, node?: Locatable, code?: string): void {
    this.add(this.errors, 'error', message, node, code);
  }

  /** Adds a warning, located at `node` when given, document-level otherwise. */
  warning(message: string, node?: Locatable): void {
    this.add(this.warnings, 'warning', message, node, undefined);
  }

  /** Number of distinct errors so far. */
  get errorCount(): number {
    return this.errors.size;
  }

  /** Errors and warnings, each sorted like the reference report, with their locations. */
  result(): { errors: Issue[]; warnings: Issue[] } {
    return { errors: sortedValues(this.errors), warnings: sortedValues(this.warnings) };
  }

  private add(
    into: Map<string, Pending>,
    severity: Issue['severity'],
    message: string,
    node: Locatable | undefined,
    code: string | undefined,
  ): void {
    const context = node ? contextOf(node) : '';
    const key = context ? `${context} ${message}` : message;
    const place = node ?? this.here;
    const known = into.get(key);
    if (known) {
      if (place) known.places.push(place);
      return;
    }
    const issue: Issue = { severity, context, message };
    if (code) issue.code = code;
    into.set(key, { issue, places: place ? [place] : [] });
  }
}

function sortedValues(map: Map<string, Pending>): Issue[] {
  return [...map.entries()]
    .sort(([a], [b]) => compareCodePoints(a, b))
    .map(([, { issue, places }]) => ({
      ...issue,
      locations: [...new Set(places.map(locationOf))],
    }));
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
