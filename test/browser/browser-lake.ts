/**
 * A browser lake (OPFS + IndexedDB) of its own for one test suite, and its removal.
 */
import Dexie from 'dexie';
import { openBrowserBackend } from '../../src/lib/store/browser.ts';
import { refDatabaseName } from '../../src/lib/store/dexie-refs.ts';
import { Lake } from '../../src/lib/versions/lake.ts';

/** Removes the browser lake `name`: its IndexedDB database and its OPFS folder. */
export async function removeBrowserLake(name: string): Promise<void> {
  await Dexie.delete(refDatabaseName(name));
  const root = await navigator.storage.getDirectory();
  await root.removeEntry(name, { recursive: true }).catch(() => undefined);
}

/** Opens a new browser lake named `<prefix>-<tag>-<time>`; `cleanup` closes and removes it. */
export async function openTestLake(
  prefix: string,
  tag: string,
): Promise<{ lake: Lake; name: string; cleanup(): Promise<void> }> {
  const name = `${prefix}-${tag}-${Date.now()}`;
  const lake = await Lake.open(await openBrowserBackend(name));
  return {
    lake,
    name,
    async cleanup() {
      await lake.backend.close?.();
      await removeBrowserLake(name);
    },
  };
}
