/** The lake opened on the page itself (OPFS + IndexedDB work on the main thread too). */
import { BROWSER_ACTOR, openBrowserBackend } from '../lib/store/browser.ts';
import { Lake } from '../lib/versions/lake.ts';

let opening: Promise<Lake> | null = null;

/**
 * The browser lake `default`, opened once per page and shared (the dataloader reads it here;
 * its commits are immutable, and refs are read afresh on each use).
 */
export function openPageLake(): Promise<Lake> {
  opening ??= openBrowserBackend('default').then(
    (backend) => Lake.open(backend, { actor: BROWSER_ACTOR }),
    (e: unknown) => {
      opening = null;
      throw e;
    },
  );
  return opening;
}
