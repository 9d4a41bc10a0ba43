/** The `?url=` parameter of the address bar: how a dataset link is shared and reopened. */

export const URL_PARAM = 'url';

/** The dataset URL named in the address bar, as written, or null. */
export function addressUrl(): string | null {
  const value = new URLSearchParams(window.location.search).get(URL_PARAM)?.trim();
  return value ? value : null;
}

/** Puts `url` in the address bar (a new history entry), or removes it when null. */
export function setAddressUrl(url: string | null): void {
  const next = new URL(window.location.href);
  if (url) next.searchParams.set(URL_PARAM, url);
  else next.searchParams.delete(URL_PARAM);
  if (next.href !== window.location.href) window.history.pushState(null, '', next);
}

/**
 * Resolves what the user typed against the page (`base`), so that `examples/x/metadata.json` and
 * full URLs both work. Returns null when it cannot be a fetchable URL: another scheme, or text
 * with spaces or characters a URL or path never holds unescaped (`hello world {`), which would
 * otherwise be fetched as a path on this site.
 */
export function resolveDatasetUrl(input: string, base = window.location.href): string | null {
  const text = input.trim();
  if (!text || /[\s{}<>"`|^\\]/.test(text)) return null;
  try {
    const url = new URL(text, base);
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
