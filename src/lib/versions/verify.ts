/**
 * Verifying a lake: re-hashes everything the commits of a dataset (or of every dataset) reach,
 * and names what is wrong. Every chunk is read once and checked against its address: commits,
 * documents, object indexes, fragments, deletion vectors, packs and parts. Every object (a raw
 * file or a blob) is re-hashed too: a file packed with others from its slice of the pack (so a
 * damaged pack names the files it damages), a large file from its parts in order. A problem
 * names its code, the dataset, the commits that reference it, the chunk, and the file or object.
 *
 * Reusable: the CLI's `verify`, the Lake tab's Verify and export's checks call
 * {@link verifyLake} (or {@link verifyCommits} for chosen commits).
 */
import { LakeError, checkAborted } from '../store/errors.ts';
import { sha256, sha256Stream } from '../store/hash.ts';
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

/** What was verified, and what is wrong. */
export interface VerifyResult {
  datasets: string[];
  commits: number;
  chunks: number;
  objects: number;
  bytes: number;
  problems: VerifyProblem[];
}

export interface VerifyOptions {
  signal?: AbortSignal;
  onProgress?: (p: VerifyProgress) => void;
}

/** Who references a chunk or an object. */
interface Use {
  dataset: string;
  commits: Set<string>;
  what: string;
}

/** An object to re-hash, and the files it is. */
interface ObjectUse extends Use {
  entry: ObjectEntry;
  files: Set<string>;
}

const MAX_COMMITS = 3;

class Verifier {
  readonly chunkUses = new Map<string, Use>();
  readonly objects = new Map<string, ObjectUse>();
  readonly commits = new Set<string>();
  readonly problems: VerifyProblem[] = [];
  bytes = 0;

  constructor(
    private readonly lake: Lake,
    private readonly opts: VerifyOptions,
  ) {}

  private use(chunk: string, dataset: string, commit: string, what: string): void {
    const u = this.chunkUses.get(chunk) ?? { dataset, commits: new Set<string>(), what };
    u.commits.add(commit);
    this.chunkUses.set(chunk, u);
  }

  private problem(code: VerifyProblem['code'], u: Use, message: string, extra = {}): void {
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

  private caught(e: unknown, u: Use, extra: object): void {
    if (!(e instanceof LakeError)) throw e;
    if (e.code === 'ABORTED') throw e;
    const code =
      e.code === 'MISSING_CHUNK' || e.code === 'CORRUPT_CHUNK' || e.code === 'UNSUPPORTED_FORMAT'
        ? e.code
        : 'IO';
    this.problem(code, u, e.message, extra);
  }

  private objectUse(sha: string, o: ObjectUse): Use {
    const files = [...o.files];
    const what = files.length ? `raw file ${files.join(', ')}` : `blob ${sha}`;
    return { dataset: o.dataset, commits: o.commits, what };
  }

  /** Re-hashes every chunk once, and every object. */
  async check(): Promise<number> {
    // Objects sliced from packs, by pack chunk; objects made of whole parts are read part by
    // part, which also checks those parts.
    const slices = new Map<string, [string, number, number][]>();
    const wholeParts: string[] = [];
    for (const [sha, o] of this.objects) {
      const single = o.entry.parts.length === 1 ? o.entry.parts[0]! : undefined;
      if (single && !(single[0] === sha && single[1] === 0)) {
        const list = slices.get(single[0]) ?? [];
        list.push([sha, single[1], single[2]]);
        slices.set(single[0], list);
      } else wholeParts.push(sha);
    }
    const packs = new Set(slices.keys());
    const chunks = new Set([...this.chunkUses.keys(), ...packs]);
    for (const sha of wholeParts)
      for (const [c] of this.objects.get(sha)!.entry.parts) chunks.add(c);
    const total = chunks.size + wholeParts.length;
    let done = 0;
    const tick = () =>
      this.opts.onProgress?.({ phase: 'chunks', done: ++done, total, bytes: this.bytes });
    const checked = new Set<string>();
    for (const sha of wholeParts) {
      await this.objectFromParts(sha, this.objects.get(sha)!, checked);
      tick();
    }
    for (const chunk of chunks) {
      if (checked.has(chunk)) {
        tick();
        continue;
      }
      checkAborted(this.opts.signal);
      const u: Use = this.chunkUses.get(chunk) ?? this.packUse(chunk, slices.get(chunk) ?? []);
      let bytes: Uint8Array | undefined;
      try {
        bytes = await this.lake.chunks.get(chunk);
        this.bytes += bytes.byteLength;
      } catch (e) {
        this.caught(e, u, { chunk });
      }
      for (const [sha, offset, length] of slices.get(chunk) ?? []) {
        await this.slice(sha, chunk, offset, length, bytes);
      }
      tick();
    }
    return chunks.size;
  }

  private packUse(chunk: string, members: [string, number, number][]): Use {
    const commits = new Set<string>();
    let dataset = '';
    for (const [sha] of members) {
      const o = this.objects.get(sha)!;
      dataset ||= o.dataset;
      for (const c of o.commits) commits.add(c);
    }
    return { dataset, commits, what: `a pack of ${members.length} raw files and blobs` };
  }

  /** Checks one object sliced from `chunk` (from `bytes` when the chunk read whole). */
  private async slice(
    sha: string,
    chunk: string,
    offset: number,
    length: number,
    bytes: Uint8Array | undefined,
  ): Promise<void> {
    const o = this.objects.get(sha)!;
    const u = this.objectUse(sha, o);
    const extra = { chunk, object: sha, ...(o.files.size ? { files: [...o.files] } : {}) };
    let part = bytes?.subarray(offset, offset + length);
    if (!part) {
      // The pack is damaged or gone: read this object's own range to tell whether it is hit.
      try {
        part = await this.lake.chunks.getRange(chunk, offset, length);
      } catch (e) {
        this.caught(e, u, extra);
        return;
      }
    }
    const got = part.byteLength === length ? await sha256(part) : `(${part.byteLength} bytes)`;
    if (got !== sha) {
      this.problem(
        'CORRUPT_CHUNK',
        u,
        `${u.what}: its bytes at offset ${offset} of chunk ${chunk} hash to ${got}, not ${sha}`,
        extra,
      );
    }
  }

  /** Re-hashes an object made of whole part chunks, reading (and checking) each part once. */
  private async objectFromParts(sha: string, o: ObjectUse, checked: Set<string>): Promise<void> {
    const u = this.objectUse(sha, o);
    const hasher = await sha256Stream();
    let whole = true;
    for (const [chunk, offset, length] of o.entry.parts) {
      checkAborted(this.opts.signal);
      const extra = { chunk, object: sha, ...(o.files.size ? { files: [...o.files] } : {}) };
      try {
        const bytes = await this.lake.chunks.get(chunk);
        this.bytes += bytes.byteLength;
        hasher.update(bytes.subarray(offset, offset + length));
      } catch (e) {
        this.caught(e, u, extra);
        whole = false;
      }
      checked.add(chunk);
    }
    const got = hasher.digest('hex');
    if (whole && got !== sha) {
      this.problem('CORRUPT_CHUNK', u, `${u.what}: its parts hash to ${got}, not ${sha}`, {
        object: sha,
      });
    }
  }
}

/** Verifies the given commits of `dataset` and their ancestors. */
export async function verifyCommits(
  lake: Lake,
  dataset: string,
  commits: string[],
  opts: VerifyOptions = {},
): Promise<VerifyResult> {
  const v = new Verifier(lake, opts);
  for (const c of commits) await v.walk(dataset, c);
  return finish(v, [dataset], await v.check());
}

/**
 * Verifies every commit reachable from the refs of `dataset` (every dataset by default), or
 * from `rev` of it.
 */
export async function verifyLake(
  lake: Lake,
  target: { dataset?: string; rev?: string } = {},
  opts: VerifyOptions = {},
): Promise<VerifyResult> {
  const v = new Verifier(lake, opts);
  const datasets = target.dataset
    ? [(await lake.dataset(target.dataset)).id]
    : (await lake.datasets()).map((d) => d.id);
  for (const d of datasets) {
    const heads = target.rev
      ? [await lake.resolve(d, target.rev)]
      : [...(await lake.branches(d)), ...(await lake.tags(d))].map((r) => r.commit);
    for (const h of heads) await v.walk(d, h);
  }
  return finish(v, datasets, await v.check());
}

function finish(v: Verifier, datasets: string[], chunks: number): VerifyResult {
  return {
    datasets,
    commits: v.commits.size,
    chunks,
    objects: v.objects.size,
    bytes: v.bytes,
    problems: v.problems,
  };
}
