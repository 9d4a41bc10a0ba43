/**
 * The dataset's catalog entry on a remote (`datasets/<id>.json`), written by push once its refs
 * have moved. The entry changes only with imports (name, source, sizes), so most pushes would
 * rewrite the same bytes: the lake remembers the sha256 of what it last wrote to each remote
 * (`remote-catalog/<remote>/<dataset>`), and push skips the PUT when the bytes are the same and
 * the remote had the dataset's refs before this push (so it is not a new or emptied remote, whose
 * first push must write the entry). A push that fails before the entry is written leaves the
 * memory as it was, so the next one writes it.
 */
import { sha256 } from '../store/hash.ts';
import type { RefStore } from '../store/types.ts';
import type { DatasetEntry } from '../versions/catalog.ts';
import { encodeJson } from '../versions/manifest.ts';
import { datasetKey } from './layout.ts';
import type { Remote } from './remote.ts';

/** What the lake remembers of the catalog entry it last wrote to a remote. */
interface CatalogMemory {
  sha256: string;
}

const memoryKey = (remote: string, dataset: string) => `remote-catalog/${remote}/${dataset}`;

/**
 * Writes `entry` (without its local-only `incomplete` mark) as the remote's catalog entry of
 * `dataset`, unless the lake wrote these very bytes there before and the remote already had the
 * dataset (`remoteHadRefs`). True when it was written.
 */
export async function pushCatalogEntry(
  refs: RefStore,
  remote: Remote,
  remoteName: string,
  dataset: string,
  entry: DatasetEntry,
  remoteHadRefs: boolean,
  signal?: AbortSignal,
): Promise<boolean> {
  const { incomplete: _incomplete, ...catalog } = entry;
  const bytes = encodeJson(catalog);
  const hash = await sha256(bytes);
  const key = memoryKey(remoteName, dataset);
  const known = await refs.get<CatalogMemory>(key);
  if (remoteHadRefs && known?.value.sha256 === hash) return false;
  await remote.put(datasetKey(dataset), bytes, { signal });
  for (let e = known; !(await refs.cas(key, e?.version ?? 0, { sha256: hash }));)
    e = await refs.get<CatalogMemory>(key);
  return true;
}
