/**
 * What a Delta table's log says now (its last version, live files, schema, the lake commit it
 * shows), and a lake-side memory of it, so that a push does not replay the whole log each time.
 *
 * The memory (`remote-delta/<remote>/<table root>` entries) holds the state after version n and
 * the ETag of every version up to n. A push lists the log (one request per 1,000 versions) and
 * trusts the memory only when those versions are listed with the same ETags; then it reads just
 * the versions written since. Anything else (another writer's versions replacing ours on a
 * server without conditional writes, a bucket emptied) replays the log from version 0, as
 * before. It also remembers which materialised part a fragment became, so that a fragment with
 * deletions is not scanned and encoded again at every push (the part is checked with a HEAD).
 */
import type { RefStore } from '../store/types.ts';
import { objectsUnder } from './present.ts';
import type { Remote, RemoteObject } from './remote.ts';

/** The state of a table's log after `version` (-1: no log yet). */
export interface LogState {
  version: number;
  /** Paths of the live files, as the log names them. */
  files: Set<string>;
  schema: string | null;
  tableId: string | null;
  /** The lake commit the last version shows (its `commitInfo`). */
  commit: string | null;
  /** The ETag of each version, 0 … version (quotes removed). */
  etags: string[];
}

/** A materialised part: the file a fragment (with deletions or added columns) became. */
export interface MaterialisedPart {
  path: string;
  size: number;
  rows: number;
}

/** What the lake remembers of one table. */
export interface TableMemory {
  version: number;
  files: string[];
  schema: string | null;
  tableId: string | null;
  commit: string | null;
  etags: string[];
  /** Materialised parts by what they were made from (see delta.ts `partKey`). */
  parts: Record<string, MaterialisedPart>;
}

/** The lake-side memory of a remote's Delta tables, by table root. */
export interface DeltaMemory {
  get(root: string): Promise<TableMemory | undefined>;
  set(root: string, value: TableMemory): Promise<void>;
}

/** The memory kept in the lake's entries under `remote-delta/<remote>/`. */
export function deltaMemory(refs: RefStore, remote: string): DeltaMemory {
  const key = (root: string) => `remote-delta/${remote}/${root}`;
  return {
    async get(root) {
      return (await refs.get<TableMemory>(key(root)))?.value;
    },
    async set(root, value) {
      for (;;) {
        const e = await refs.get(key(root));
        if (await refs.cas(key(root), e?.version ?? 0, value)) return;
      }
    },
  };
}

export const versionKey = (root: string, v: number) =>
  `${root}/_delta_log/${String(v).padStart(20, '0')}.json`;

const bare = (etag: string) => etag.replaceAll('"', '');

/** An empty state (no log). */
export const emptyState = (): LogState => ({
  version: -1,
  files: new Set(),
  schema: null,
  tableId: null,
  commit: null,
  etags: [],
});

/** Applies one version's actions (newline-delimited JSON) to `state`. */
export function applyVersion(state: LogState, text: string, v: number, etag: string): void {
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const action = JSON.parse(line) as Record<string, Record<string, unknown>>;
    if (action['add']) state.files.add(String(action['add']['path']));
    if (action['remove']) state.files.delete(String(action['remove']['path']));
    if (action['metaData']) {
      state.schema = String(action['metaData']['schemaString']);
      state.tableId = String(action['metaData']['id']);
    }
    const info = action['commitInfo']?.['croissantLake'] as { commit?: string } | undefined;
    if (info?.commit) state.commit = info.commit;
  }
  state.version = v;
  state.etags[v] = bare(etag);
}

/**
 * The state of the table at `root`: from the lake's memory of it when the listed log agrees
 * with it, reading only the versions after it; otherwise replayed from version 0. `whole` is a
 * listing the caller made already that holds every object of the log (push's listing of a small
 * remote as a whole); without it the log is listed.
 */
export async function readLog(
  remote: Remote,
  root: string,
  memory: TableMemory | undefined,
  signal?: AbortSignal,
  whole?: readonly RemoteObject[],
): Promise<LogState> {
  const listed: { v: number; etag: string }[] = [];
  for await (const o of objectsUnder(remote, `${root}/_delta_log/`, signal, whole)) {
    const m = /\/(\d{20})\.json$/.exec(o.key);
    if (m) listed.push({ v: Number(m[1]), etag: bare(o.etag) });
  }
  listed.sort((a, b) => a.v - b.v);
  const agrees =
    memory &&
    memory.version < listed.length &&
    memory.etags.length === memory.version + 1 &&
    memory.etags.every((e, i) => listed[i]!.v === i && listed[i]!.etag === e);
  const state: LogState = agrees
    ? {
        version: memory.version,
        files: new Set(memory.files),
        schema: memory.schema,
        tableId: memory.tableId,
        commit: memory.commit,
        etags: [...memory.etags],
      }
    : emptyState();
  for (const { v } of listed) {
    if (v <= state.version) continue;
    const got = await remote.get(versionKey(root, v), { signal });
    if (!got) continue;
    applyVersion(state, new TextDecoder().decode(got.bytes), v, got.etag);
  }
  return state;
}
