/**
 * The resume journal of an unfinished ingest: append-only entries `ingest/<dataset>/<seq>`,
 * each naming objects that are now stored (and the files they hold). A rerun of the same
 * ingest reads them back and skips those files; a finished ingest removes them.
 */
import type { ChunkStore, RefStore } from '../store/types.ts';
import type { FileEntry, ObjectEntry, ObjectIndex } from './manifest.ts';

interface JournalRecord {
  source: string;
  objects: Record<string, ObjectEntry>;
  files: FileEntry[];
}

const prefix = (dataset: string) => `ingest/${dataset}/`;

/** Every object named by any resume journal (garbage collection keeps them). */
export async function journaledObjects(refs: RefStore): Promise<ObjectEntry[]> {
  const out: ObjectEntry[] = [];
  // Unfinished ingests and unfinished batch pipelines (`transform/…`) both journal objects.
  for (const prefix of ['ingest/', 'transform/']) {
    for (const e of await refs.list<{ objects?: Record<string, ObjectEntry> }>(prefix)) {
      out.push(...Object.values(e.value.objects ?? {}));
    }
  }
  return out;
}

export class IngestJournal {
  /** Files stored by earlier runs, by source name. */
  readonly files = new Map<string, FileEntry>();
  /** Objects stored by earlier runs. */
  readonly objects: Record<string, ObjectEntry> = {};
  private seq = 0;
  private journaled = new Set<string>();
  /**
   * The entries this journal read at open or wrote since, key → version: `clear()` removes
   * them by key, without listing (reading back) entries that can hold thousands of objects.
   */
  private entries = new Map<string, number>();
  /** The entries under the prefix are not all in `entries` (open found another source's). */
  private unknown = false;

  private constructor(
    private readonly refs: RefStore,
    private readonly dataset: string,
    private readonly source: string,
  ) {}

  /** Opens the journal of `dataset`; one left by an ingest of another source is discarded. */
  static async open(refs: RefStore, dataset: string, source: string): Promise<IngestJournal> {
    const j = new IngestJournal(refs, dataset, source);
    const entries = await refs.list<JournalRecord>(prefix(dataset));
    if (entries.some((e) => e.value.source !== source)) {
      j.unknown = true;
      await j.clear();
      return j;
    }
    for (const e of entries) {
      j.entries.set(e.key, e.version);
      Object.assign(j.objects, e.value.objects);
      for (const f of e.value.files) {
        j.files.set(f.name, f);
        j.journaled.add(f.name);
      }
      j.seq = Math.max(j.seq, Number(e.key.slice(prefix(dataset).length)) + 1);
    }
    return j;
  }

  /**
   * Forgets journaled objects whose chunks are no longer stored (removed while no writer held
   * a lease for them), so that a resumed run stores them again instead of committing a
   * reference to nothing.
   */
  async dropMissing(chunks: ChunkStore): Promise<void> {
    const present = new Map<string, boolean>();
    const has = async (c: string) => {
      if (!present.has(c)) present.set(c, await chunks.has(c));
      return present.get(c)!;
    };
    for (const [sha, o] of Object.entries(this.objects)) {
      let whole = true;
      for (const [chunk] of o.parts) whole &&= await has(chunk);
      if (whole) continue;
      delete this.objects[sha];
      for (const [name, f] of this.files) {
        if (f.sha256 !== sha) continue;
        this.files.delete(name);
        this.journaled.delete(name);
      }
    }
  }

  /** Records objects that just became stored, and the captured files they hold. */
  async record(
    shas: readonly string[],
    index: ObjectIndex,
    files: ReadonlyMap<string, FileEntry> | undefined,
  ): Promise<void> {
    const stored = new Set(shas);
    const objects: Record<string, ObjectEntry> = {};
    for (const s of shas) if (index.objects[s]) objects[s] = index.objects[s];
    const newFiles: FileEntry[] = [];
    for (const f of files?.values() ?? []) {
      if (this.journaled.has(f.name) || !(stored.has(f.sha256) || f.sha256 in this.objects))
        continue;
      newFiles.push(f);
      this.journaled.add(f.name);
    }
    Object.assign(this.objects, objects);
    if (!shas.length && !newFiles.length) return;
    const key = prefix(this.dataset) + String(this.seq++).padStart(8, '0');
    const value: JournalRecord = { source: this.source, objects, files: newFiles };
    if (await this.refs.cas<JournalRecord>(key, 0, value)) this.entries.set(key, 1);
    else this.unknown = true; // another writer's entry holds the key: clear() lists
  }

  /** Removes the journal (the ingest finished, or was abandoned). */
  async clear(): Promise<void> {
    for (const [key, version] of this.entries) {
      if (!(await this.refs.cas(key, version, null))) this.unknown = true;
    }
    this.entries.clear();
    if (!this.unknown) return;
    for (const e of await this.refs.list(prefix(this.dataset))) {
      await this.refs.cas(e.key, e.version, null);
    }
    this.unknown = false;
  }
}
