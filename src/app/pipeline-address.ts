/**
 * The pipeline view in the address bar (`?pipeline`), and loader permalinks as links to it
 * (`?pipeline&loader=<permalink>`), so a pasted link reopens the same loader.
 */

const PARAM = 'pipeline';
const LOADER_PARAM = 'loader';
const LINK_PREFIX = 'croissant-lake-loader:';

/** True when the address shows the pipeline view. */
export function pipelineAddress(): boolean {
  const q = new URLSearchParams(window.location.search);
  return q.has(PARAM) || q.has(LOADER_PARAM);
}

/** Records the pipeline view in the address bar (a new history entry), or leaves it. */
export function setPipelineAddress(on: boolean): void {
  const next = new URL(window.location.href);
  if (on) next.searchParams.set(PARAM, '');
  else {
    next.searchParams.delete(PARAM);
    next.searchParams.delete(LOADER_PARAM);
  }
  if (next.href !== window.location.href) window.history.pushState(null, '', next);
}

/** The loader permalink named in the address (`?loader=`), or null. */
export function loaderAddress(): string | null {
  return new URLSearchParams(window.location.search).get(LOADER_PARAM)?.trim() || null;
}

/** Removes `?loader=` once it was read, so that a reload does not reconfigure the loader. */
export function forgetLoaderAddress(): void {
  const next = new URL(window.location.href);
  next.searchParams.delete(LOADER_PARAM);
  if (next.href !== window.location.href) window.history.replaceState(null, '', next);
}

/** A link to this app that opens `permalink` in the pipeline view. */
export function loaderLink(permalink: string): string {
  const url = new URL(window.location.pathname, window.location.origin);
  url.searchParams.set(PARAM, '');
  url.searchParams.set(LOADER_PARAM, permalink);
  return url.href;
}

/** The permalink in what was pasted: the permalink itself, or a link with `?loader=`. */
export function permalinkIn(text: string): string {
  const t = text.trim();
  if (t.startsWith(LINK_PREFIX)) return t;
  try {
    return new URL(t).searchParams.get(LOADER_PARAM)?.trim() || t;
  } catch {
    return t;
  }
}
