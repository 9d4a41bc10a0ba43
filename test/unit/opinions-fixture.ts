/**
 * A memory lake for the opinions tests: dataset `d` with a record set `images` of six rows
 * (`image_id` img_0 … img_5, a `lesion` label and an `annotator_id`), `main` protected and a
 * writable branch `labels`, plus helpers to build opinion inputs and read opinions back.
 */
import { expect } from 'vitest';
import type { OpinionInput } from '../../src/lib/opinions/batch.ts';
import { opinionOfRow, OPINIONS_RS, type Opinion } from '../../src/lib/opinions/model.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { LakeError } from '../../src/lib/store/errors.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import type { ColumnDef } from '../../src/lib/versions/manifest.ts';
import { readAllRows } from '../../src/lib/versions/read.ts';
import { writeRows } from '../../src/lib/versions/write.ts';

export const IMAGE_COLUMNS: ColumnDef[] = [
  { name: 'images/image_id', type: 'utf8' },
  { name: 'images/lesion', type: 'int64' },
  { name: 'images/annotator_id', type: 'utf8' },
];

/** image_id, lesion, annotator_id of the six rows (row ids 0 … 5). */
export const IMAGES: [string, bigint, string][] = [
  ['img_0', 0n, 'ann_01'],
  ['img_1', 1n, 'ann_02'],
  ['img_2', 0n, 'ann_03'],
  ['img_3', 1n, 'ann_03'],
  ['img_4', 0n, 'ann_01'],
  ['img_5', 1n, 'ann_02'],
];

/** The first `count` images: the six above, then `img_6`… with lesion 0 by ann_01. */
export function images(count = IMAGES.length): [string, bigint, string][] {
  return Array.from({ length: count }, (_, i) => IMAGES[i] ?? [`img_${i}`, 0n, 'ann_01']);
}

export async function setupOpinions(actor = 'tester', count = IMAGES.length) {
  const rows = images(count);
  const backend = memoryBackend();
  const lake = await Lake.open(backend, { actor });
  await backend.refs.cas('dataset/d', 0, {
    id: 'd',
    name: 'd',
    source: 'test',
    createdAt: new Date(0).toISOString(),
    rawBytes: 0,
  });
  const { hash } = await lake.commit(
    'd',
    'main',
    async () => ({
      message: 'ingest',
      lineage: { op: 'ingest', params: {} },
      document: null,
      objects: null,
      recordSets: {
        images: {
          name: 'images',
          columns: IMAGE_COLUMNS,
          rows: rows.length,
          fragments: await writeRows(
            lake.chunks,
            IMAGE_COLUMNS,
            rows.map(([id, lesion, ann], i) => ({
              rowid: BigInt(i),
              row: {
                'images/image_id': id,
                'images/lesion': lesion,
                'images/annotator_id': ann,
              },
            })),
          ),
        },
      },
    }),
    { create: { protected: true }, time: '2024-01-01T00:00:00.000Z' },
  );
  await lake.createBranch('d', 'labels', 'main');
  return { lake, backend, main: hash };
}

/** An opinion input about image `row` (by row id), with sensible defaults. */
export function op(
  row: number,
  value: unknown,
  more: Partial<Omit<OpinionInput, 'actor'>> & { actor?: string; kind?: string } = {},
): OpinionInput {
  const { actor, kind, ...rest } = more;
  return {
    where: `test opinion ${more.ref ?? `${row}=${String(value)}`}`,
    subject: { set: 'images', row: BigInt(row) },
    question: 'lesion',
    value,
    actor: { kind: kind ?? 'human', id: actor ?? 'ann_01' },
    ...rest,
  };
}

/** The opinions stored on `rev`, by id. */
export async function storedOpinions(lake: Lake, rev = 'labels'): Promise<Map<string, Opinion>> {
  const commit = await lake.readCommit(await lake.resolve('d', rev));
  const rs = commit.recordSets[OPINIONS_RS];
  const out = new Map<string, Opinion>();
  if (!rs) return out;
  for (const r of await readAllRows(lake.chunks, rs, 'opinions')) {
    const o = opinionOfRow(r.row);
    out.set(o.id, o);
  }
  return out;
}

/** Expects `p` to reject with a LakeError of `code` whose message matches every pattern. */
export async function refused(p: Promise<unknown>, code: string, ...patterns: RegExp[]) {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e, 'expected a refusal').toBeInstanceOf(LakeError);
  expect((e as LakeError).code).toBe(code);
  for (const re of patterns) expect((e as LakeError).message).toMatch(re);
  return e as LakeError;
}

/** Every chunk of the lake, to check that a refused batch wrote nothing. */
export async function chunkList(lake: Lake): Promise<string[]> {
  const out: string[] = [];
  for await (const c of lake.chunks.list()) out.push(c.hash);
  return out.sort();
}
