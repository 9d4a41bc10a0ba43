/**
 * The resume journal of an unfinished batch pipeline run: append-only entries
 * `transform/<dataset>/<encoded branch>/<seq>`, each naming rows now done (row id → the PNG
 * object that holds its result, and that object's size and mode) and the objects that just
 * became stored. A rerun with the same job (parent commit, record set, column, spec hash,
 * seed, row selection, branch) reads them back and skips those rows; a run of another job on
 * the same branch name (another selection included) discards them; a finished run removes
 * them. Like ingest's journal (../versions/journal.ts), it never names an object that is not
 * stored yet.
 */
import type { ChunkStore, RefStore } from '../store/types.ts';
import { canonicalJson, type ObjectEntry } from '../versions/manifest.ts';

/** What a row's result is: its PNG object, and the image description of its cell. */
export interface DoneRow {
  sha256: string;
  width: number;
  height: number;
  mode: string;
}

/** What identifies a run: a rerun resumes only when every field is the same. */
export interface BatchJobKey {
  from: string;
  recordSet: string;
  column: string;
  specHash: string;
  seed: number;
  /**
   * A run over the rows a query selected (absent: every row): the SQL predicate, when given,
   * and the sha256 of the sorted row ids (./batch-select.ts `selectionKey`).
   */
  where?: string;
  rows?: string;
}

interface JournalRecord {
  job: string;
  /** `[row id, sha256, width, height, mode]` of each row done. */
  rows: [string, string, number, number, string][];
  objects: Record<string, ObjectEntry>;
}

/** The key prefix of a branch's journal. */
export function batchJournalPrefix(dataset: string, branch: string): string {
  return `transform/${dataset}/${encodeURIComponent(branch)}/`;
}

/** See the module comment. */
export class BatchJournal {
  /** Rows done by earlier runs, by row id. */
  readonly done = new Map<bigint, DoneRow>();
  /** Objects stored by earlier runs (result PNGs). */
  readonly objects: Record<string, ObjectEntry> = {};
  #seq = 0;

  private constructor(
    private readonly refs: RefStore,
    private readonly prefix: string,
    private readonly job: string,
  ) {}

  /**
   * Opens the journal of `branch`. Entries of another job are discarded; so are rows whose
   * object lost a chunk since (garbage collection of an old, abandoned run): they are redone.
   * `known`: objects stored already (the parent's index), which a row's result may be.
   */
  static async open(
    refs: RefStore,
    store: ChunkStore,
    dataset: string,
    branch: string,
    key: BatchJobKey,
    known: Readonly<Record<string, ObjectEntry>> = {},
  ): Promise<BatchJournal> {
    const j = new BatchJournal(refs, batchJournalPrefix(dataset, branch), canonicalJson(key));
    const entries = await refs.list<JournalRecord>(j.prefix);
    if (entries.some((e) => e.value.job !== j.job)) {
      await j.clear();
      return j;
    }
    const present = new Map<string, boolean>();
    const stored = async (entry: ObjectEntry) => {
      for (const [chunk] of entry.parts) {
        if (!present.has(chunk)) present.set(chunk, await store.has(chunk));
        if (!present.get(chunk)) return false;
      }
      return true;
    };
    for (const e of entries) {
      for (const [sha, entry] of Object.entries(e.value.objects)) {
        if (await stored(entry)) j.objects[sha] = entry;
      }
      j.#seq = Math.max(j.#seq, Number(e.key.slice(j.prefix.length)) + 1);
    }
    for (const e of entries) {
      for (const [id, sha256, width, height, mode] of e.value.rows) {
        if (sha256 in j.objects || sha256 in known)
          j.done.set(BigInt(id), { sha256, width, height, mode });
      }
    }
    return j;
  }

  /** Records rows just done and the objects that just became stored. */
  async record(
    rows: readonly [bigint, DoneRow][],
    objects: Record<string, ObjectEntry>,
  ): Promise<void> {
    if (!rows.length && !Object.keys(objects).length) return;
    Object.assign(this.objects, objects);
    const value: JournalRecord = {
      job: this.job,
      rows: rows.map(([id, d]) => [String(id), d.sha256, d.width, d.height, d.mode]),
      objects,
    };
    await this.refs.cas<JournalRecord>(
      this.prefix + String(this.#seq++).padStart(8, '0'),
      0,
      value,
    );
  }

  /** Removes the journal (the run finished, or was abandoned). */
  async clear(): Promise<void> {
    for (const e of await this.refs.list(this.prefix)) {
      await this.refs.cas(e.key, e.version, null);
    }
  }
}
