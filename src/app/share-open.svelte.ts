/**
 * Opening a share link or a recipe file: read it (a malformed one is a clear error), show its
 * SQL and wait for the user to confirm, then replay it in the query worker (import the source
 * if absent, replay the steps, verify the content hash) with progress, and give "verified
 * identical" or the mismatch report. Nothing runs before the confirmation.
 */
import { decodeShareLink, parseRecipeFile } from '../lib/share/link.ts';
import { recipeSql, type Recipe } from '../lib/share/recipe-schema.ts';
import type { ReplayProgress, ReplayResult } from '../../workers/api/query.api.ts';
import { describeError, type ErrorInfo } from './format.ts';
import type { QueryHost } from './query-host.svelte.ts';

/** Where it came from, for the words on screen. */
export type ShareOrigin = 'link' | 'file';

/** Where opening a share stands. */
export type ShareState =
  | { status: 'idle' }
  | { status: 'unreadable'; origin: ShareOrigin; error: ErrorInfo }
  | { status: 'confirm'; origin: ShareOrigin; recipe: Recipe; sql: SqlStep[] }
  | { status: 'declined'; origin: ShareOrigin; recipe: Recipe }
  | { status: 'replaying'; recipe: Recipe; progress: ReplayProgress | null }
  | { status: 'done'; recipe: Recipe; result: ReplayResult }
  | { status: 'failed'; recipe: Recipe; error: ErrorInfo };

/** One SQL predicate of a recipe, with the record set it filters. */
export interface SqlStep {
  recordSet: string;
  predicate: string;
}

/** True when `text` (an address or what was pasted) holds a share link. */
export function isShareLink(text: string): boolean {
  return /[#&]share=/.test(text) || text.trim().startsWith('share=');
}

/** See the module comment. */
export class ShareOpener {
  state = $state.raw<ShareState>({ status: 'idle' });

  readonly #host: QueryHost;
  #controller: AbortController | null = null;
  #destroyed = false;

  constructor(host: QueryHost) {
    this.#host = host;
  }

  /** Reads a share link (a URL, its fragment, or `share=…`); then waits for {@link confirm}. */
  openLink(text: string): void {
    this.#read('link', () => decodeShareLink(text));
  }

  /** Reads a recipe file; then waits for {@link confirm}. */
  async openFile(file: File): Promise<void> {
    const bytes = new Uint8Array(await file.arrayBuffer());
    this.#read('file', () => parseRecipeFile(bytes));
  }

  /** The user accepted the SQL shown: replay, then verify. Never throws. */
  async confirm(): Promise<ReplayResult | null> {
    const st = this.state;
    if (st.status !== 'confirm' || this.#destroyed) return null;
    const recipe = st.recipe;
    const controller = new AbortController();
    this.#controller = controller;
    this.state = { status: 'replaying', recipe, progress: null };
    try {
      const result = await this.#host.client.replay(recipe, true, {
        signal: controller.signal,
        onProgress: (progress) => {
          if (this.#controller === controller && this.state.status === 'replaying') {
            this.state = { status: 'replaying', recipe, progress };
          }
        },
      });
      if (this.#destroyed) return null;
      this.state = { status: 'done', recipe, result };
      return result;
    } catch (e) {
      if (!this.#destroyed) this.state = { status: 'failed', recipe, error: describeError(e) };
      return null;
    } finally {
      if (this.#controller === controller) this.#controller = null;
    }
  }

  /** The user refused the SQL: nothing is run. */
  decline(): void {
    const st = this.state;
    if (st.status === 'confirm')
      this.state = { status: 'declined', origin: st.origin, recipe: st.recipe };
  }

  /** Stops a replay in flight (it then fails with ABORTED, and leaves no half branch). */
  cancel(): void {
    this.#controller?.abort();
  }

  /** Forgets the share. */
  dismiss(): void {
    this.#controller?.abort();
    this.state = { status: 'idle' };
  }

  destroy(): void {
    this.#destroyed = true;
    this.#controller?.abort();
  }

  #read(origin: ShareOrigin, read: () => Recipe): void {
    if (this.#destroyed || this.state.status === 'replaying') return;
    try {
      const recipe = read();
      this.state = { status: 'confirm', origin, recipe, sql: recipeSql(recipe) };
    } catch (e) {
      this.state = { status: 'unreadable', origin, error: describeError(e) };
    }
  }
}
