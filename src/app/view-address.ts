/**
 * Which view the app shows, and how the address bar names it: one view at a time, so a view
 * switch is one history entry (Back returns to the view before, not to a half-switched one).
 *
 * - `?query` or `?query=<dataset>@<rev>`, with `&rs=<record set>`: the Query view;
 * - `?lake` or `?lake=<dataset>`: the lake view;
 * - `?dicom`, `?labels`, `?train`, `?blindspots`, `?pipeline` (with `&loader=<permalink>`, see pipeline-address.ts);
 * - none of these: the open view.
 */

/** A dataset version named in the address, for the query view. */
export interface QueryTarget {
  dataset: string | null;
  rev: string | null;
  /** The record set to explore (@id or name; `?rs=`), else the view picks one. */
  recordSet?: string | null;
  /**
   * A WHERE predicate to explore it with (a shared branch's filter). Shown once when the view
   * opens; never written to the address, so that a reload does not bring back a stale filter.
   */
  where?: string;
  /** SQL to put in the editor and run (the Evaluate panel's join); never in the address either. */
  sql?: string;
  /**
   * A name for "Save as branch" to suggest while the filter is `where` (a blind-spot slice's,
   * blindspots-branch-name.ts); else it suggests `<record set>-subset`. Not in the address.
   */
  branch?: string;
}

/** The view shown. */
export type View =
  | { kind: 'open' }
  /** `dataset` is '' when no dataset is selected. */
  | { kind: 'lake'; dataset: string }
  | { kind: 'query'; target: QueryTarget }
  | { kind: 'pipeline' }
  | { kind: 'labels' }
  | { kind: 'train' }
  | { kind: 'blindspots' }
  | { kind: 'dicom' };

/** Views laid out wide (grids, charts, image tiles): the header and footer widen with them. */
export function isWideView(view: View): boolean {
  return view.kind !== 'open' && view.kind !== 'lake';
}

export const PIPELINE_PARAM = 'pipeline';
export const LOADER_PARAM = 'loader';
const QUERY_PARAM = 'query';
const RECORD_SET_PARAM = 'rs';
const LAKE_PARAM = 'lake';
const FLAG_PARAMS = {
  dicom: 'dicom',
  labels: 'labels',
  train: 'train',
  blindspots: 'blindspots',
  pipeline: PIPELINE_PARAM,
} as const;
const VIEW_PARAMS = [QUERY_PARAM, RECORD_SET_PARAM, LAKE_PARAM, ...Object.values(FLAG_PARAMS)];

/** A SQL-quoted identifier's text: `"a""b"` → `a"b`; null when `s` is not one. */
function unquote(s: string): string | null {
  return /^"(?:[^"]|"")*"$/.test(s) ? s.slice(1, -1).replaceAll('""', '"') : null;
}

/**
 * The address's dataset version written as the Query view names it in SQL, pasted from a
 * query: `"titanic@main"`, or with its table, `"titanic@main".passengers` (or `"passengers"`).
 * A dataset id never starts with `"` (dataset-id.ts), so no plain `<dataset>@<rev>` reads so.
 */
function sqlNamed(value: string): { schema: string; table: string | null } | null {
  const m = /^("(?:[^"]|"")*")(?:\.(.+))?$/.exec(value);
  if (!m) return null;
  const schema = unquote(m[1]!)!;
  const table = m[2] === undefined ? null : (unquote(m[2]) ?? m[2]);
  return { schema, table };
}

/** The view the address names; when it names several, the first of query, lake, dicom, labels, train, blindspots, pipeline. */
export function viewAddress(): View {
  const params = new URLSearchParams(window.location.search);
  const asked = params.get(QUERY_PARAM);
  if (asked !== null) {
    const sqlName = sqlNamed(asked);
    const query = sqlName?.schema ?? asked;
    const recordSet = params.get(RECORD_SET_PARAM) || sqlName?.table || null;
    const at = query.indexOf('@');
    const target: QueryTarget = !query
      ? { dataset: null, rev: null, recordSet }
      : at > 0
        ? // `titanic@` (a link cut short) keeps its empty version: the view says no such
          // version exists rather than showing main as though it had been asked for.
          { dataset: query.slice(0, at), rev: query.slice(at + 1), recordSet }
        : { dataset: query, rev: null, recordSet };
    return { kind: 'query', target };
  }
  const lake = params.get(LAKE_PARAM);
  if (lake !== null) return { kind: 'lake', dataset: lake };
  for (const kind of ['dicom', 'labels', 'train', 'blindspots', 'pipeline'] as const) {
    if (params.has(FLAG_PARAMS[kind])) return { kind };
  }
  if (params.has(LOADER_PARAM)) return { kind: 'pipeline' };
  return { kind: 'open' };
}

/**
 * Records `view` in the address bar as one new history entry, or in place of the current one
 * with `replace` (a record set picked inside the Query view). Other parameters (`?url=`) stay;
 * a loader permalink stays only with the pipeline view.
 */
export function setViewAddress(view: View, replace = false): void {
  const next = new URL(window.location.href);
  const p = next.searchParams;
  for (const name of VIEW_PARAMS) p.delete(name);
  if (view.kind !== 'pipeline') p.delete(LOADER_PARAM);
  if (view.kind === 'query') {
    const t = view.target;
    p.set(QUERY_PARAM, t.dataset ? `${t.dataset}${t.rev !== null ? `@${t.rev}` : ''}` : '');
    if (t.dataset && t.recordSet) p.set(RECORD_SET_PARAM, t.recordSet);
  } else if (view.kind === 'lake') p.set(LAKE_PARAM, view.dataset);
  else if (view.kind !== 'open') p.set(FLAG_PARAMS[view.kind], '');
  if (next.href === window.location.href) return;
  if (replace) window.history.replaceState(null, '', next);
  else window.history.pushState(null, '', next);
}
