/** The bundled example datasets, listed in `public/examples/index.json`. */
import { pageRelative, publicUrl } from './address.ts';

export interface Example {
  id: string;
  name: string;
  /** Path of the Croissant document, relative to the index. */
  path: string;
  description: string;
  /** Shown first and larger on the start page (the demo dataset `npm start` leads with). */
  featured: boolean;
  /** `path` relative to the page, for the address bar. */
  href: string;
}

export class ExamplesIndex {
  items = $state.raw<Example[]>([]);
  status = $state<'loading' | 'ready' | 'failed'>('loading');
  error = $state<string | null>(null);

  /** Fetches the index. Never throws; a failure is kept in {@link error}. */
  async load(signal: AbortSignal): Promise<void> {
    try {
      const indexUrl = publicUrl('examples/index.json');
      const response = await fetch(indexUrl, { signal });
      if (!response.ok) throw new Error(`${indexUrl.pathname} answered ${response.status}`);
      const list: unknown = await response.json();
      if (signal.aborted) return;
      if (!Array.isArray(list)) throw new Error(`${indexUrl.pathname} is not a JSON array`);
      this.items = list.filter(isExampleEntry).map((e) => ({
        id: e.id,
        name: e.name,
        path: e.path,
        description: e.description ?? '',
        featured: e.featured === true,
        href: pageRelative(e.path, indexUrl),
      }));
      this.status = 'ready';
    } catch (e) {
      if (signal.aborted) return;
      this.error = `The examples could not be listed: ${e instanceof Error ? e.message : String(e)}`;
      this.status = 'failed';
    }
  }
}

function isExampleEntry(
  v: unknown,
): v is { id: string; name: string; path: string; description?: string; featured?: unknown } {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o['id'] === 'string' && typeof o['name'] === 'string' && typeof o['path'] === 'string'
  );
}
