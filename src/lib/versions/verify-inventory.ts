/**
 * What verification checks: walking a dataset's commits and object indexes notes every chunk
 * and object they reference, with who references it (dataset, commits, what it is), so that a
 * problem found later when re-hashing (verify-hash.ts) names all of that. The problems found
 * are kept here too, those of the walk (a commit or index unreadable) and of the re-hashing.
 */
import { LakeError, checkAborted } from '../store/errors.ts';
import type { Lake } from './lake.ts';
import type { ObjectEntry } from './manifest.ts';

/** Where verification stands. */
export interface VerifyProgress {
  /** `commits`: reading commits and indexes; `chunks`: re-hashing. */
  phase: 'commits' | 'chunks';
  done: number;
  total: number;
  /** Bytes re-hashed so far. */
  bytes: number;
}

/** One thing that is wrong. */
export interface VerifyProblem {
  code: 'MISSING_CHUNK' | 'CORRUPT_CHUNK' | 'UNSUPPORTED_FORMAT' | 'IO';
  dataset: string;
  /** Commits that reference it (the first few), and how many do. */
  commits: string[];
  commitCount: number;
  /** What it is: "raw file titanic.csv", "a fragment of record set passengers"… */
  what: string;
  chunk?: string;
  /** The object (raw file or blob) sha256, and the files (`id` in the object index) it is. */
  object?: string;
  files?: string[];
  message: string;
}

/** How a verification reports progress and is cancelled. */
export interface VerifyOptions {
  signal?: AbortSignal;
  onProgress?: (p: VerifyProgress) => void;
}

/** Who references a chunk or an object. */
export interface Use {
  dataset: string;
  commits: Set<string>;
  what: string;
}

/** An object to re-hash, and the files it is. */
export interface ObjectUse extends Use {
  entry: ObjectEntry;
  files: Set<string>;
}

/** How many of the commits that reference a problem it names. */
const MAX_COMMITS = 3;

/** The chunks and objects that commits reference, and the problems found. */
export class Inventory {
  readonly chunkUses = new Map<string, Use>();
  readonly objects = new Map<string, ObjectUse>();
  readonly commits = new Set<string>();
  readonly problems: VerifyProblem[] = [];

  constructor(
    readonly lake: Lake,
    readonly opts: VerifyOptions,
  ) {}

  /** Notes that `commit` of `dataset` references `chunk`. */
  use(chunk: string, dataset: string, commit: string, what: string): void {
    const u = this.chunkUses.get(chunk) ?? { dataset, commits: new Set<string>(), what };
    u.commits.add(commit);
    this.chunkUses.set(chunk, u);
  }

  /** Records a problem with what `u` names. */
  problem(code: VerifyProblem['code'], u: Use, message: string, extra = {}): void {
    this.problems.push({
      code,
      dataset: u.dataset,
      commits: [...u.commits].slice(0, MAX_COMMITS),
      commitCount: u.commits.size,
      what: u.what,
      message,
      ...extra,
    });
  }

  /** Reads `commit` and its ancestors, noting every chunk and object they reference. */
  async walk(dataset: string, start: string): Promise<void> {
    const stack = [start];
    while (stack.length) {
      const hash = stack.pop()!;
      if (this.commits.has(hash)) continue;
      this.commits.add(hash);
      checkAborted(this.opts.signal);
      this.opts.onProgress?.({ phase: 'commits', done: this.commits.size, total: 0, bytes: 0 });
      const self: Use = { dataset, commits: new Set([hash]), what: `commit ${hash}` };
      let c;
      try {
        c = await this.lake.readCommit(hash);
      } catch (e) {
        this.caught(e, self, { chunk: hash });
        continue;
      }
      // Read through the lake's cache above: re-hashed with every other chunk below.
      this.use(hash, dataset, hash, 'the commit');
      if (c.document) this.use(c.document, dataset, hash, 'the Croissant document');
      for (const [id, rs] of Object.entries(c.recordSets)) {
        for (const f of rs.fragments) {
          this.use(f.chunk, dataset, hash, `a fragment of record set ${id}`);
          if (f.deletions) this.use(f.deletions, dataset, hash, `deletions in record set ${id}`);
        }
      }
      if (c.objects) await this.walkObjects(dataset, hash, c.objects, c);
      stack.push(...c.parents);
    }
  }

  private async walkObjects(
    dataset: string,
    hash: string,
    chunk: string,
    c: Parameters<Lake['readObjects']>[0],
  ): Promise<void> {
    let index;
    try {
      index = await this.lake.readObjects(c);
    } catch (e) {
      this.caught(e, { dataset, commits: new Set([hash]), what: 'the object index' }, { chunk });
      return;
    }
    this.use(chunk, dataset, hash, 'the object index');
    const names = new Map<string, Set<string>>();
    for (const f of index.files) {
      const s = names.get(f.sha256) ?? new Set<string>();
      s.add(f.id === f.name ? f.id : `${f.id} (${f.name})`);
      names.set(f.sha256, s);
    }
    for (const [sha, entry] of Object.entries(index.objects)) {
      const o = this.objects.get(sha) ?? {
        dataset,
        commits: new Set<string>(),
        what: names.has(sha) ? 'raw file' : 'blob',
        entry,
        files: new Set<string>(),
      };
      o.commits.add(hash);
      for (const n of names.get(sha) ?? []) o.files.add(n);
      if (names.has(sha)) o.what = 'raw file';
      this.objects.set(sha, o);
    }
  }

  /**
   * Records a failed read as a problem; rethrows what is no LakeError (a bug) or a
   * cancellation.
   */
  caught(e: unknown, u: Use, extra: object): void {
    if (!(e instanceof LakeError)) throw e;
    if (e.code === 'ABORTED') throw e;
    const code =
      e.code === 'MISSING_CHUNK' || e.code === 'CORRUPT_CHUNK' || e.code === 'UNSUPPORTED_FORMAT'
        ? e.code
        : 'IO';
    this.problem(code, u, e.message, extra);
  }

  /** What an object is, for problems: the raw files it is, or the blob. */
  objectUse(sha: string, o: ObjectUse): Use {
    const files = [...o.files];
    const what = files.length ? `raw file ${files.join(', ')}` : `blob ${sha}`;
    return { dataset: o.dataset, commits: o.commits, what };
  }
}
