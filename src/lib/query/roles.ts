/**
 * What the Croissant document says a record set or a column is for, as far as exploring it
 * goes: which column holds the class label (charts show its balance, image tiles show it), which
 * record sets are there only to check analyses against (never the one a view opens on), and so
 * which record set to open first. Croissant has no property for either, so they are read from
 * names and descriptions (documented in README.md's "Exploring" section):
 *
 * - a **label** column is named `label`, `class`, `target`, `diagnosis`, … (see
 *   {@link LABEL_NAME}), or its field's description starts with "Label";
 * - a record set is **for checking only** when its description says "for checking (…) only"
 *   (or validation, evaluation, reference), as the demo's `ground_truth` does.
 */
import type { ColumnType } from '../versions/manifest.ts';

/** Column names that mean "the class label" (the last part of a path-like name). */
export const LABEL_NAME = /(^|[_/ ])(label|labels|class|target|survived|outcome|diagnosis|y)$/i;

/** A description that declares its field the label: "Label: 1 if …", "Label (benign, …)". */
const LABEL_DESCRIPTION = /^\s*label\b/i;

/** A description that keeps its record set out of analyses. */
const CHECKING_ONLY =
  /\bfor\s+(?:checking|validation|validating|evaluation|reference)\b(?:\s+\w+){0,2}\s+only\b/i;

/** A column as roles see it. */
export interface RoleColumn {
  name: string;
  type?: ColumnType;
  /** Its field's description in the Croissant document. */
  description?: string;
}

/** A record set as roles see it. */
export interface RoleTable {
  recordSet: string;
  rows: number;
  columns: readonly RoleColumn[];
  description?: string;
}

/** Whether `column` holds the class label (see the module comment). */
export function isLabelColumn(column: RoleColumn): boolean {
  return (
    LABEL_NAME.test(column.name) ||
    (column.description !== undefined && LABEL_DESCRIPTION.test(column.description))
  );
}

/** Whether a record set with this description is for checking analyses only. */
export function isCheckingOnly(description: string | undefined): boolean {
  return description !== undefined && CHECKING_ONLY.test(description);
}

/**
 * The record set a view opens on: never one for checking only (unless all are), then one with
 * an image (this is an image workbench: a log of reads or captions may outnumber the images),
 * then the one with the most rows (the others usually describe it), then the most columns (a
 * join of the others); ties keep the document's order.
 */
export function defaultRecordSet<T extends RoleTable>(tables: readonly T[]): T | undefined {
  const score = (t: T) => [
    isCheckingOnly(t.description) ? 0 : 1,
    t.columns.some((c) => c.type === 'image') ? 1 : 0,
    t.rows,
    t.columns.length,
  ];
  let best: T | undefined;
  let bestScore: number[] = [];
  for (const t of tables) {
    const s = score(t);
    const i = s.findIndex((v, k) => v !== bestScore[k]);
    if (!best || (i >= 0 && s[i]! > bestScore[i]!)) {
      best = t;
      bestScore = s;
    }
  }
  return best;
}

/** Descriptions in a Croissant document, by record set and by field (each by @id and name). */
export interface Descriptions {
  recordSets: Map<string, string>;
  fields: Map<string, string>;
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** A JSON-LD text value: a string, `{"@value": …}`, or the first of a list of those. */
function text(v: unknown): string | undefined {
  for (const x of asList(v)) {
    if (typeof x === 'string') return x;
    if (x && typeof x === 'object' && typeof (x as Record<string, unknown>)['@value'] === 'string')
      return (x as Record<string, string>)['@value'];
  }
  return undefined;
}

/** `node[key]` or `node["cr:" + key]` (documents written without the context's short names). */
function prop(node: Record<string, unknown>, key: string): unknown {
  return node[key] ?? node[`cr:${key}`] ?? node[`sc:${key}`];
}

/**
 * The descriptions of a Croissant document's record sets and fields (compacted JSON-LD, as
 * Croissant files are written). Anything else in it is ignored; a value that is not a document
 * gives none.
 */
export function documentDescriptions(doc: unknown): Descriptions {
  const out: Descriptions = { recordSets: new Map(), fields: new Map() };
  const keys = (node: Record<string, unknown>) =>
    [node['@id'], prop(node, 'name')].filter((k): k is string => typeof k === 'string');
  const walk = (fields: unknown) => {
    for (const f of asList(fields)) {
      if (!f || typeof f !== 'object') continue;
      const node = f as Record<string, unknown>;
      const d = text(prop(node, 'description'));
      if (d !== undefined) for (const k of keys(node)) out.fields.set(k, d);
      walk(prop(node, 'subField'));
    }
  };
  if (!doc || typeof doc !== 'object') return out;
  for (const rs of asList(prop(doc as Record<string, unknown>, 'recordSet'))) {
    if (!rs || typeof rs !== 'object') continue;
    const node = rs as Record<string, unknown>;
    const d = text(prop(node, 'description'));
    if (d !== undefined) for (const k of keys(node)) out.recordSets.set(k, d);
    walk(prop(node, 'field'));
  }
  return out;
}
