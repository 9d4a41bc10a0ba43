/**
 * The bundled example (`public/examples/index.json`, as the start page lists them) that saves
 * as a given lake dataset: what a loader link whose dataset this lake lacks can offer to open.
 * A save names the dataset after its Croissant `name` (`datasetId`, as ingest does), which is
 * not the example's id (`synthetic-lesions` saves as `synthetic-chest-ct-lesions`), so each
 * example's document is read for its name.
 */
import { datasetId } from '../lib/versions/dataset-id.ts';

/** A bundled example: its index entry's id and name, and its Croissant document's URL. */
export interface BundledExample {
  id: string;
  name: string;
  url: string;
}

/** Reads JSON at `url` (throws saying why it could not). */
export type FetchJson = (url: URL) => Promise<unknown>;

/** `fetch` for JSON, failing on an HTTP error. */
export const fetchJson: FetchJson = async (url) => {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.pathname} answered ${response.status}`);
  return response.json();
};

function field(o: unknown, key: string): string | null {
  const v = typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' ? v : null;
}

/** The example listed in `indexUrl` that saves as `dataset`, or null when none does. */
export async function bundledExample(
  dataset: string,
  indexUrl: URL,
  read: FetchJson = fetchJson,
): Promise<BundledExample | null> {
  const index = await read(indexUrl);
  if (!Array.isArray(index)) throw new Error(`${indexUrl.pathname} is not a JSON array`);
  const entries = index.flatMap((e: unknown) => {
    const [id, name, path] = [field(e, 'id'), field(e, 'name'), field(e, 'path')];
    return id && name && path ? [{ id, name, url: new URL(path, indexUrl).href }] : [];
  });
  const names = await Promise.all(
    entries.map(async (e) => field(await read(new URL(e.url)), 'name')),
  );
  return entries.find((_, i) => datasetId(names[i] || 'dataset') === dataset) ?? null;
}
