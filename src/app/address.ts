/** The `?url=` parameter of the address bar: how a dataset link is shared and reopened. */

const PARAM = 'url';

/** The dataset URL named in the address bar, as written, or null. */
export function addressUrl(): string | null {
  const value = new URLSearchParams(window.location.search).get(PARAM)?.trim();
  return value ? value : null;
}

/** Puts `url` in the address bar (a new history entry), or removes it when null. */
export function setAddressUrl(url: string | null): void {
  const next = new URL(window.location.href);
  if (url) next.searchParams.set(PARAM, url);
  else next.searchParams.delete(PARAM);
  if (next.href !== window.location.href) window.history.pushState(null, '', next);
}

/**
 * Resolves what the user typed against the page, so that `examples/x/metadata.json` and full URLs
 * both work. Returns null when it cannot be a fetchable URL.
 */
export function resolveDatasetUrl(input: string): string | null {
  try {
    const url = new URL(input.trim(), window.location.href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** The URL of a file under the app's public folder, e.g. `examples/index.json`. */
export function publicUrl(path: string): URL {
  return new URL(`${import.meta.env.BASE_URL}${path}`, window.location.href);
}

/**
 * `path` resolved against `base`, written relative to the page when it lies under the page's
 * folder (short, shareable `?url=` values), else absolute.
 */
export function pageRelative(path: string, base: URL): string {
  const absolute = new URL(path, base).href;
  const pageDir = new URL('.', window.location.href).href;
  return absolute.startsWith(pageDir) ? absolute.slice(pageDir.length) : absolute;
}

const LAKE_PARAM = 'lake';

/**
 * The lake view named in the address (`?lake` or `?lake=<dataset>`): null when the address
 * shows the open view, '' for the lake without a selected dataset, else the dataset id.
 */
export function lakeAddress(): string | null {
  return new URLSearchParams(window.location.search).get(LAKE_PARAM);
}

/** Records the view in the address bar (a new history entry): see {@link lakeAddress}. */
export function setLakeAddress(dataset: string | null): void {
  const next = new URL(window.location.href);
  if (dataset === null) next.searchParams.delete(LAKE_PARAM);
  else next.searchParams.set(LAKE_PARAM, dataset);
  if (next.href !== window.location.href) window.history.pushState(null, '', next);
}

const QUERY_PARAM = 'query';
const RECORD_SET_PARAM = 'rs';

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
}

/**
 * The query view named in the address (`?query` or `?query=<dataset>@<rev>`, and `&rs=<record
 * set>`), or null when the address shows another view.
 */
export function queryAddress(): QueryTarget | null {
  const params = new URLSearchParams(window.location.search);
  const value = params.get(QUERY_PARAM);
  if (value === null) return null;
  const recordSet = params.get(RECORD_SET_PARAM) || null;
  if (!value) return { dataset: null, rev: null, recordSet };
  const at = value.indexOf('@');
  return at > 0
    ? { dataset: value.slice(0, at), rev: value.slice(at + 1) || null, recordSet }
    : { dataset: value, rev: null, recordSet };
}

/**
 * Records the query view in the address bar, as a new history entry (or in place of the current
 * one with `replace`, for a record set picked in the view); null leaves it.
 */
export function setQueryAddress(target: QueryTarget | null, replace = false): void {
  const next = new URL(window.location.href);
  if (target === null) {
    next.searchParams.delete(QUERY_PARAM);
    next.searchParams.delete(RECORD_SET_PARAM);
  } else {
    const value = target.dataset ? `${target.dataset}${target.rev ? `@${target.rev}` : ''}` : '';
    next.searchParams.set(QUERY_PARAM, value);
    if (target.dataset && target.recordSet) {
      next.searchParams.set(RECORD_SET_PARAM, target.recordSet);
    } else next.searchParams.delete(RECORD_SET_PARAM);
  }
  if (next.href === window.location.href) return;
  if (replace) window.history.replaceState(null, '', next);
  else window.history.pushState(null, '', next);
}

const LABELS_PARAM = 'labels';

/** Whether the address shows the Labels tab (`?labels`). */
export function labelsAddress(): boolean {
  return new URLSearchParams(window.location.search).has(LABELS_PARAM);
}

/** Records the Labels tab in the address bar (a new history entry), or leaves it. */
export function setLabelsAddress(on: boolean): void {
  const next = new URL(window.location.href);
  if (on) next.searchParams.set(LABELS_PARAM, '');
  else next.searchParams.delete(LABELS_PARAM);
  if (next.href !== window.location.href) window.history.pushState(null, '', next);
}
