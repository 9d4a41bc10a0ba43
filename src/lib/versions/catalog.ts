/**
 * The catalog: one entry `dataset/<id>` per dataset, written by ingest after its commit. A
 * dataset whose refs exist but whose entry does not (a writer was killed between the two) is
 * listed too, marked incomplete, with what finishes it, so that nothing in the lake is
 * invisible.
 */
import { LakeError } from '../store/errors.ts';
import type { RefStore } from '../store/types.ts';
import type { Lake } from './lake.ts';

/** Why a dataset is listed as incomplete, and how to finish it. */
export interface Incomplete {
  reason: string;
  /** The command that finishes it (CLI), when it can be finished. */
  finish?: string;
}

/** A dataset in the catalog. */
export interface DatasetEntry {
  id: string;
  name: string;
  /** The Croissant URL or path it was ingested from (the latest import's). */
  source: string;
  createdAt: string;
  /** When the latest import after the first was committed. */
  updatedAt?: string;
  /** Bytes of raw files as the source served them (the latest import's). */
  rawBytes: number;
  /** The branch ingest commits imports to (absent in older lakes: `main`). */
  importBranch?: string;
  /** Present when the dataset has refs but no catalog entry. */
  incomplete?: Incomplete;
}

/** The ids of datasets that have refs (`ref/<dataset>/…`). */
async function idsWithRefs(refs: RefStore): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const e of await refs.list('ref/')) {
    const id = e.key.split('/')[1];
    if (id) ids.add(id);
  }
  return ids;
}

/** The document's `name`, if the stored document is JSON with one. */
function documentName(bytes: Uint8Array): string | undefined {
  try {
    const doc = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    const name = doc['name'] ?? doc['sc:name'] ?? doc['schema:name'];
    return typeof name === 'string' && name ? name : undefined;
  } catch {
    return undefined; // not JSON: the id stands in for the name
  }
}

/**
 * The entry an incomplete dataset would have, from the newest commit of its import branch
 * (`main`, or its first branch). `finish` is set when that commit is an ingest, whose
 * registration is all that is missing.
 */
export async function incompleteEntry(lake: Lake, id: string): Promise<DatasetEntry> {
  const branches = await lake.branches(id);
  const head = branches.find((b) => b.name === 'main') ?? branches[0];
  const base: DatasetEntry = {
    id,
    name: id,
    source: '',
    createdAt: head?.updatedAt ?? '',
    rawBytes: 0,
    importBranch: head?.name ?? 'main',
    incomplete: { reason: 'it has branches but no catalog entry' },
  };
  if (!head) return base;
  try {
    return await fromImport(lake, base, head.name, head.commit);
  } catch (e) {
    if (!(e instanceof LakeError)) throw e;
    return { ...base, incomplete: { reason: `its ${head.name} cannot be read: ${e.message}` } };
  }
}

async function fromImport(
  lake: Lake,
  base: DatasetEntry,
  branch: string,
  hash: string,
): Promise<DatasetEntry> {
  const { id } = base;
  const commit = await lake.readCommit(hash);
  const p = commit.lineage.params;
  if (commit.lineage.op !== 'ingest') {
    return {
      ...base,
      incomplete: {
        reason: `it has no catalog entry, and its ${branch} is a ${commit.lineage.op} commit, not an import`,
      },
    };
  }
  const index = await lake.readObjects(commit);
  const doc = commit.document ? await lake.chunks.get(commit.document) : undefined;
  return {
    ...base,
    name: (doc && documentName(doc)) || id,
    source: String(p.source ?? ''),
    createdAt: commit.time,
    rawBytes: index.files.reduce((n, f) => n + f.size, 0),
    incomplete: {
      reason: 'its import was committed, but the ingest stopped before adding it to the catalog',
      finish: `croissant-lake finish ${id}`,
    },
  };
}

/** Every dataset, sorted by id: the catalog's entries and the incomplete ones. */
export async function listDatasets(lake: Lake): Promise<DatasetEntry[]> {
  const entries = (await lake.backend.refs.list<DatasetEntry>('dataset/')).map((e) => e.value);
  const known = new Set(entries.map((e) => e.id));
  for (const id of await idsWithRefs(lake.backend.refs)) {
    if (!known.has(id)) entries.push(await incompleteEntry(lake, id));
  }
  return entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
