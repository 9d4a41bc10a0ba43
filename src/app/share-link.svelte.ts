/**
 * "Copy link": the share link of a dataset version (its recipe in the URL fragment), copied to
 * the clipboard when the browser lets the page, and always shown to copy by hand. A recipe too
 * long for a link becomes a recipe file to download instead.
 */
import type { RecipeFile } from '../lib/share/link.ts';
import { describeError, type ErrorInfo } from './format.ts';
import { shortHash } from './lake-format.ts';
import type { QueryHost } from './query-host.svelte.ts';

/** Where making a link stands. */
export type LinkState =
  | { status: 'idle' }
  | { status: 'making' }
  | { status: 'link'; url: string; copied: boolean }
  | { status: 'file'; file: RecipeFile; href: string; length: number }
  | { status: 'failed'; error: ErrorInfo };

/**
 * The button's words: "Copy link to <branch, tag or short commit>". Two of them can be on
 * screen at once (the version queried, and a branch just saved), each sharing its own version.
 */
export function copyLinkLabel(rev: string): string {
  return `Copy link to ${/^[0-9a-f]{40,64}$/.test(rev) ? shortHash(rev) : rev}`;
}

/** The page's own address, where a share link opens (its query and fragment are dropped). */
export function appUrl(): string {
  return `${window.location.origin}${window.location.pathname}`;
}

/** See the module comment. */
export class LinkMaker {
  state = $state.raw<LinkState>({ status: 'idle' });

  readonly #host: QueryHost;
  #href: string | null = null;
  #destroyed = false;

  constructor(host: QueryHost) {
    this.#host = host;
  }

  /** Makes the link of `rev` of `dataset` and copies it. Never throws. */
  async make(dataset: string, rev: string): Promise<void> {
    if (this.#destroyed) return;
    this.#release();
    this.state = { status: 'making' };
    try {
      const link = await this.#host.client.shareLink(dataset, rev, appUrl());
      if (this.#destroyed) return;
      if ('url' in link) {
        const copied = await navigator.clipboard?.writeText(link.url).then(
          () => true,
          () => false,
        );
        if (this.#destroyed) return;
        this.state = { status: 'link', url: link.url, copied: copied ?? false };
      } else {
        const bytes = link.file.bytes as Uint8Array<ArrayBuffer>;
        this.#href = URL.createObjectURL(new Blob([bytes], { type: 'application/json' }));
        this.state = { status: 'file', file: link.file, href: this.#href, length: link.length };
      }
    } catch (e) {
      if (!this.#destroyed) this.state = { status: 'failed', error: describeError(e) };
    }
  }

  /** Forgets the link. */
  reset(): void {
    this.#release();
    this.state = { status: 'idle' };
  }

  destroy(): void {
    this.#destroyed = true;
    this.#release();
  }

  #release(): void {
    if (this.#href) URL.revokeObjectURL(this.#href);
    this.#href = null;
  }
}
