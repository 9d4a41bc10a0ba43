/**
 * Loader permalinks as links to the pipeline view (`?pipeline&loader=<permalink>`), so a pasted
 * link reopens the same loader; the view itself is in the address as view-address.ts says.
 */

import { URL_PARAM, pageRelative } from './address.ts';
import { LOADER_PARAM, PIPELINE_PARAM as PARAM } from './view-address.ts';

const LINK_PREFIX = 'croissant-lake-loader:';

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

/** A link to this app that opens the Croissant document at `url` (`?url=`, as the start page does). */
export function datasetAddress(url: string): string {
  const next = new URL(window.location.pathname, window.location.origin);
  next.searchParams.set(URL_PARAM, pageRelative(url, new URL(window.location.href)));
  return next.href;
}
