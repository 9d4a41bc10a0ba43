/**
 * The opinions bench data (issue 13 §5), seeded: N opinions about one question (`lesion`, three
 * classes) over S = N / 5 subjects, five per subject as a chain of corrections
 * o0 ← o1 ← o2 ← o3 ← o4 (DAG depth 5); for 5 % of the subjects o4 corrects o2 instead of o3
 * and disagrees with it, so they have two competing leaves. Written as the lake writes the
 * `opinions` record set (src/lib/opinions/model.ts columns, fragments of FRAGMENT_ROWS rows,
 * Parquet ZSTD by writeFragment), one file per fragment named by its sha256, with a
 * manifest.json listing the fragments and the counts every engine must find:
 *
 * - leaves: S + competing (one leaf per subject, two for a competing one);
 * - latest-leaf decides every subject (o4 is the newest);
 * - majority-of-leaves sends each competing subject to review (one leaf each way: a tie).
 *
 * Opinion ids are 32 random hex digits from the seeded generator, not content hashes: the
 * consolidation plans only join and compare them (the import figure computes real ones).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpinionInput } from '../../src/lib/opinions/batch.ts';
import { OPINION_COLUMNS } from '../../src/lib/opinions/model.ts';
import type { ChunkStore } from '../../src/lib/store/types.ts';
import { buildColumnsTable, type Cell } from '../../src/lib/versions/columns.ts';
import { FRAGMENT_ROWS, writeFragment } from '../../src/lib/versions/fragments.ts';
import type { FragmentRef } from '../../src/lib/versions/manifest.ts';
import { mulberry32 } from '../gen/common.ts';
import { QUESTION } from './gen-shared.ts';

export { QUESTION };

export const OPINIONS_GEN_VERSION = 1;
/** Opinions per subject: a chain of depth 5. */
export const PER_SUBJECT = 5;
export const COMPETING_SHARE = 0.05;
const T0 = Date.UTC(2021, 0, 1);
const DAY = 86_400_000;

/** What the generator wrote, and what the plans must find. */
export interface OpinionsManifest {
  version: number;
  seed: number;
  opinions: number;
  subjects: number;
  competing: number;
  fragments: FragmentRef[];
  parquetBytes: number;
  expected: { leaves: number; latestDecided: number; majorityReview: number };
}

/** One generated opinion, as the columns of the `opinions` record set hold it. */
export interface GenOpinion {
  id: string;
  subject: number;
  value: string;
  actor: string;
  parent: string | null;
  createdAt: number;
}

/** The opinions of subjects `0 … subjects-1`, in order, with a flag for competing subjects. */
export function* generateOpinions(
  subjects: number,
  seed: number,
): Generator<{ ops: GenOpinion[]; competing: boolean }> {
  const rand = mulberry32(seed);
  const hex8 = () =>
    Math.floor(rand() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  const klass = (not?: string) => {
    for (;;) {
      const v = String(Math.floor(rand() * 3));
      if (v !== not) return v;
    }
  };
  for (let s = 0; s < subjects; s++) {
    const competing = rand() < COMPETING_SHARE;
    const ops: GenOpinion[] = [];
    const base = T0 + (s % 1000) * 3_600_000;
    for (let i = 0; i < PER_SUBJECT; i++) {
      const parentIndex = i === 0 ? -1 : competing && i === PER_SUBJECT - 1 ? i - 2 : i - 1;
      const parent = parentIndex >= 0 ? ops[parentIndex]! : null;
      // A competing leaf disagrees with the other leaf (o3), so majority has a tie.
      const value = competing && i === PER_SUBJECT - 1 ? klass(ops[i - 1]!.value) : klass();
      ops.push({
        id: hex8() + hex8() + hex8() + hex8(),
        subject: s,
        value,
        actor: `ann_${String(Math.floor(rand() * 40)).padStart(2, '0')}`,
        parent: parent?.id ?? null,
        createdAt: base + i * DAY,
      });
    }
    yield { ops, competing };
  }
}

/** The generated opinions as batch inputs (subjects by row id of `subjectSet`). */
export function inputsOf(ops: readonly GenOpinion[], subjectSet: string): OpinionInput[] {
  return ops.map((o) => ({
    where: `opinion ${o.id}`,
    ref: o.id,
    subject: { set: subjectSet, row: BigInt(o.subject) },
    question: QUESTION,
    valueType: 'class',
    value: o.value,
    actor: { kind: 'human', id: o.actor },
    parents: o.parent ? [o.parent] : [],
    createdAt: o.createdAt,
  }));
}

/** Cells of the `opinions` columns for `ops` (column by column, as buildColumnsTable takes). */
export function cellsOf(ops: readonly GenOpinion[]): Cell[][] {
  const col = (f: (o: GenOpinion) => Cell) => ops.map(f);
  const byName: Record<string, Cell[]> = {
    opinion_id: col((o) => o.id),
    subject_set: col(() => 'subjects'),
    subject_row: col((o) => BigInt(o.subject)),
    region: col(() => null),
    question: col(() => QUESTION),
    value_type: col(() => 'class'),
    value: col((o) => o.value),
    confidence: col(() => null),
    actor_kind: col(() => 'human'),
    actor_id: col((o) => o.actor),
    actor_commit: col(() => null),
    parents: col((o) => o.parent ?? ''),
    created_at: col((o) => o.createdAt),
    protocol: col(() => null),
    note: col(() => null),
  };
  return OPINION_COLUMNS.map((c) => byName[c.name]!);
}

/** A chunk store that writes each chunk to `dir/<sha256>.parquet`. */
function fileStore(dir: string): ChunkStore {
  const fail = () => Promise.reject(new Error('the bench file store only writes'));
  return {
    has: (hash) => Promise.resolve(existsSync(join(dir, `${hash}.parquet`))),
    put: (hash, bytes) => Promise.resolve(writeFileSync(join(dir, `${hash}.parquet`), bytes)),
    get: fail,
    getRange: fail,
    delete: fail,
    list: () => ({
      [Symbol.asyncIterator]: () => ({
        next: () => Promise.resolve({ done: true, value: undefined }),
      }),
    }),
    sweepTemporary: () => Promise.resolve(0),
  } as ChunkStore;
}

/** The data folder of a size. */
export function opinionsDir(out: string, opinions: number): string {
  return join(out, `opinions-${opinions}`);
}

/** Reads the manifest of `dir` when it was written by this generator version with `seed`. */
export function currentManifest(dir: string, seed: number): OpinionsManifest | null {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) return null;
  const m = JSON.parse(readFileSync(path, 'utf8')) as OpinionsManifest;
  return m.version === OPINIONS_GEN_VERSION && m.seed === seed ? m : null;
}

/** Writes `subjects × 5` opinions under `dir` (replacing what is there); returns the manifest. */
export async function writeOpinionsData(
  dir: string,
  subjects: number,
  seed: number,
  log: (line: string) => void,
): Promise<OpinionsManifest> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const store = fileStore(dir);
  const fragments: FragmentRef[] = [];
  let pending: GenOpinion[] = [];
  let competing = 0;
  let next = 0;
  const flush = async (ops: GenOpinion[]) => {
    const ids = BigInt64Array.from(ops, (_, i) => BigInt(next + i));
    next += ops.length;
    fragments.push(
      await writeFragment(store, buildColumnsTable(OPINION_COLUMNS, ids, cellsOf(ops))),
    );
    if (fragments.length % 20 === 0) log(`${next.toLocaleString('en-US')} opinions written`);
  };
  for (const s of generateOpinions(subjects, seed)) {
    if (s.competing) competing++;
    pending.push(...s.ops);
    if (pending.length >= FRAGMENT_ROWS) {
      await flush(pending.slice(0, FRAGMENT_ROWS));
      pending = pending.slice(FRAGMENT_ROWS);
    }
  }
  if (pending.length) await flush(pending);
  let parquetBytes = 0;
  for (const f of fragments)
    parquetBytes += readFileSync(join(dir, `${f.chunk}.parquet`)).byteLength;
  const manifest: OpinionsManifest = {
    version: OPINIONS_GEN_VERSION,
    seed,
    opinions: subjects * PER_SUBJECT,
    subjects,
    competing,
    fragments,
    parquetBytes,
    expected: { leaves: subjects + competing, latestDecided: subjects, majorityReview: competing },
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
  return manifest;
}
