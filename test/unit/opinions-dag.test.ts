/**
 * The opinions' graph rules on a memory lake (docs/opinions.md, "The rules of the graph"):
 * ids as content hashes, idempotent re-import, chains, forks, a diamond, several questions about
 * one subject, and the refusals (unknown parent, cycle, unknown subject, wrong type, a
 * correction about another subject), each naming its place and writing nothing. Node and
 * Chromium.
 */
import { describe, expect, it } from 'vitest';
import { identityOf, type Opinion } from '../../src/lib/opinions/model.ts';
import { IdentityWriter } from '../../src/lib/opinions/identity-bytes.ts';
import { sortById } from '../../src/lib/opinions/sort-ids.ts';
import { writeOpinions } from '../../src/lib/opinions/write.ts';
import { canonicalJson } from '../../src/lib/versions/manifest.ts';
import { chunkList, op, refused, setupOpinions, storedOpinions } from './opinions-fixture.ts';

const SOURCE = { kind: 'test' };

async function webSha256(text: string): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

describe('opinion ids', () => {
  it('are the first 32 hex digits of sha256 of the canonical identity (written out by hand here)', async () => {
    const { lake } = await setupOpinions();
    const r = await writeOpinions(lake, 'd', {
      branch: 'labels',
      source: SOURCE,
      opinions: [
        op(3, 1, { actor: 'ann_03', createdAt: '2021-03-04T10:00:00Z', note: 'not hashed' }),
      ],
    });
    // docs/opinions.md, "Identity": keys sorted at every level, no spaces, row id as text.
    const expected =
      '{"actor":{"commit":null,"id":"ann_03","kind":"human"},"confidence":null,' +
      '"created_at":"2021-03-04T10:00:00.000Z","parents":[],"protocol":null,' +
      '"question":"lesion","subject":{"region":null,"row":"3","set":"images"},"v":1,' +
      '"value":{"type":"class","value":"1"}}';
    const id = (await webSha256(expected)).slice(0, 32);
    expect(r.opinions[0]!.opinion.id).toBe(id);
    expect([...(await storedOpinions(lake)).keys()]).toEqual([id]);
  });

  it('the identity byte writer agrees with canonicalJson of the identity object', () => {
    const base = {
      subjectSet: 'im"ages',
      subjectRow: 12345678901234n,
      region: '{"box":[1,2,3,4]}' as string | null,
      question: 'q\u00e9',
      valueType: 'json' as Opinion['valueType'],
      value: '{"a":[1,"x"]}',
      confidence: 0.25 as number | null,
      actor: { kind: 'model' as const, id: 'm/1', commit: 'abc' as string | null },
      parents: ['ff', '00'],
      createdAt: Date.UTC(2020, 1, 2, 3, 4, 5, 6) as number | null,
      protocol: 'v2' as string | null,
    };
    const human = { kind: 'human' as const, id: 'ann_03', commit: null };
    const cases: Omit<Opinion, 'id' | 'note'>[] = [
      base,
      // The parts the writer remembers, met again with other neighbours.
      { ...base, actor: human, protocol: null, region: null, valueType: 'class', value: 'a' },
      { ...base, actor: human, protocol: null, region: null, valueType: 'class', value: 'b' },
      { ...base, actor: human, protocol: null, region: null, valueType: 'class', value: 'a', subjectSet: 'other', confidence: null, createdAt: null, parents: [] }, // prettier-ignore
      { ...base, actor: human, protocol: null, region: null, question: 'lesion', valueType: 'number', value: 'a', subjectRow: 0n }, // prettier-ignore
      // Escapes, non-ASCII, a lone surrogate, control characters, DEL.
      { ...base, value: 'tab\there "q" back\\slash \u0001 \u007f ü 🩻 \ud800 end', actor: { kind: 'human', id: '\u00e9', commit: null } }, // prettier-ignore
      { ...base, confidence: 1e-7, parents: ['b"', 'a\n'], protocol: '' },
      { ...base, confidence: 0, subjectRow: 2n ** 63n - 1n },
    ];
    // Times: the ISO text the writer formats itself (years 0 to 9999), and outside it.
    for (const t of [
      0,
      -1,
      Date.UTC(1969, 11, 31, 23, 59, 59, 999),
      Date.UTC(2000, 1, 29, 12, 0, 0, 1),
      Date.UTC(2100, 2, 1),
      -62_167_219_200_000, // 0000-01-01T00:00:00.000Z
      -62_167_219_200_001, // -000001-12-31T23:59:59.999Z
      253_402_300_799_999, // 9999-12-31T23:59:59.999Z
      253_402_300_800_000, // +010000-01-01T00:00:00.000Z
      1.5, // 1970-01-01T00:00:00.001Z, as Date truncates it
    ]) {
      cases.push({ ...base, createdAt: t });
    }
    // Seeded random times over years 0 to 9999 (a linear congruential sequence).
    let x = 12345;
    for (let i = 0; i < 300; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const t = -62_167_219_200_000 + Math.floor((x / 2 ** 31) * 315_537_897_600_000);
      cases.push({ ...base, createdAt: t });
    }
    const w = new IdentityWriter();
    const text = new TextDecoder();
    for (const o of cases) {
      const n = w.write(o);
      expect(text.decode(w.bytes.subarray(0, n))).toBe(canonicalJson(identityOf(o)));
    }
  });
});

describe('writing opinions', () => {
  it('a chain, a fork and a diamond keep every opinion, with sorted parent ids', async () => {
    const { lake } = await setupOpinions();
    const r = await writeOpinions(lake, 'd', {
      branch: 'labels',
      source: SOURCE,
      opinions: [
        // img 0: chain o → c → cc.  img 1: fork f → (x, y).  img 2: diamond d → (l, r) → adj.
        op(0, 0, { ref: 'o' }),
        op(0, 1, { ref: 'c', parents: ['o'], actor: 'qa' }),
        op(0, 0, { ref: 'cc', parents: ['c'], actor: 'qa2' }),
        op(1, 1, { ref: 'f' }),
        op(1, 0, { ref: 'x', parents: ['f'], actor: 'a' }),
        op(1, 1, { ref: 'y', parents: ['f'], actor: 'b' }),
        op(2, 0, { ref: 'd' }),
        op(2, 1, { ref: 'l', parents: ['d'], actor: 'a' }),
        op(2, 0, { ref: 'r', parents: ['d'], actor: 'b' }),
        op(2, 1, { ref: 'adj', parents: ['r', 'l'], kind: 'consensus', actor: 'lead' }),
      ],
    });
    expect(r.added).toBe(10);
    const byRef = new Map(r.opinions.map((b) => [b.ref!, b.opinion]));
    const stored = await storedOpinions(lake);
    expect(stored.size).toBe(10);
    const adj = stored.get(byRef.get('adj')!.id)!;
    expect(adj.parents).toEqual([byRef.get('l')!.id, byRef.get('r')!.id].sort());
    expect(adj.actor).toEqual({ kind: 'consensus', id: 'lead', commit: null });
    expect(stored.get(byRef.get('cc')!.id)!.parents).toEqual([byRef.get('c')!.id]);
    // Parents come before children in the batch's order.
    const order = r.opinions.map((b) => b.ref);
    expect(order.indexOf('o')).toBeLessThan(order.indexOf('c'));
    expect(order.indexOf('l')).toBeLessThan(order.indexOf('adj'));
    const commit = await lake.readCommit(r.commit!);
    expect(commit.lineage).toEqual({
      op: 'opinions',
      params: { source: SOURCE, added: 10, skipped: 0, questions: ['lesion'] },
    });
  });

  it('importing the same batch again adds nothing and commits nothing', async () => {
    const { lake } = await setupOpinions();
    const batch = [op(0, 1, { ref: 'a' }), op(0, 0, { ref: 'b', parents: ['a'], actor: 'qa' })];
    const first = await writeOpinions(lake, 'd', {
      branch: 'labels',
      source: SOURCE,
      opinions: batch,
    });
    const head = await lake.resolve('d', 'labels');
    const again = await writeOpinions(lake, 'd', {
      branch: 'labels',
      source: SOURCE,
      opinions: batch,
    });
    expect(again).toMatchObject({ commit: null, added: 0, skipped: 2 });
    expect(await lake.resolve('d', 'labels')).toBe(head);
    // A later batch may name a stored opinion by its id.
    const later = await writeOpinions(lake, 'd', {
      branch: 'labels',
      source: SOURCE,
      opinions: [
        op(0, 1, { parents: [first.opinions[1]!.opinion.id], actor: 'lead', kind: 'consensus' }),
        ...batch,
      ],
    });
    expect(later).toMatchObject({ added: 1, skipped: 2 });
    expect((await storedOpinions(lake)).size).toBe(3);
  });

  it('an opinion given twice in one batch is stored once, as first given (its note)', async () => {
    const { lake } = await setupOpinions();
    // The note is not part of the identity: the two inputs are one opinion.
    const r = await writeOpinions(lake, 'd', {
      branch: 'labels',
      source: SOURCE,
      opinions: [op(0, 1, { note: 'first' }), op(1, 0), op(0, 1, { note: 'second' })],
    });
    expect(r).toMatchObject({ added: 2, skipped: 1 });
    expect(r.opinions[0]!.opinion.id).toBe(r.opinions[2]!.opinion.id);
    const stored = await storedOpinions(lake);
    expect(stored.size).toBe(2);
    expect(stored.get(r.opinions[0]!.opinion.id)!.note).toBe('first');
  });

  it('a chunk store failing while fragments are written fails the batch and moves nothing', async () => {
    const { lake } = await setupOpinions();
    const head = await lake.resolve('d', 'labels');
    const put = lake.chunks.put.bind(lake.chunks);
    lake.chunks.put = () => Promise.reject(new Error('disk full'));
    const e = await writeOpinions(lake, 'd', {
      branch: 'labels',
      source: SOURCE,
      opinions: [op(0, 1), op(1, 0)],
    }).then(
      () => null,
      (x: unknown) => x,
    );
    expect((e as Error).message).toBe('disk full');
    lake.chunks.put = put;
    expect(await lake.resolve('d', 'labels')).toBe(head);
    expect((await storedOpinions(lake)).size).toBe(0);
  });

  it('several questions about one subject are separate graphs, each with its own value type', async () => {
    const { lake } = await setupOpinions();
    await writeOpinions(lake, 'd', {
      branch: 'labels',
      source: SOURCE,
      opinions: [
        op(4, 1),
        op(4, 0.75, { question: 'size_mm', valueType: 'number' }),
        op(4, [1, 2, 3, 4], { question: 'bbox', valueType: 'box', region: { box: [0, 0, 8, 8] } }),
      ],
    });
    const stored = [...(await storedOpinions(lake)).values()];
    expect(stored.map((o) => [o.question, o.valueType, o.value, o.region]).sort()).toEqual([
      ['bbox', 'box', '{"box":[1,2,3,4]}', '{"box":[0,0,8,8]}'],
      ['lesion', 'class', '1', null],
      ['size_mm', 'number', '0.75', null],
    ]);
    // The question's type is now fixed: a later class value for size_mm is refused.
    await refused(
      writeOpinions(lake, 'd', {
        branch: 'labels',
        source: SOURCE,
        opinions: [op(5, 'big', { question: 'size_mm', where: 'x.csv, line 2' })],
      }),
      'WRONG_TYPE',
      /^x\.csv, line 2: /,
      /size_mm/,
      /"big" is not one/,
    );
  });

  it('two writers racing on one branch both land; an opinion both wrote is stored once', async () => {
    const { lake } = await setupOpinions();
    const shared = op(3, 1, { actor: 'both' });
    const [a, b] = await Promise.all([
      writeOpinions(lake, 'd', { branch: 'labels', source: SOURCE, opinions: [shared, op(0, 1)] }),
      writeOpinions(lake, 'd', { branch: 'labels', source: SOURCE, opinions: [shared, op(1, 0)] }),
    ]);
    expect(a.added + b.added).toBe(3);
    expect(a.skipped + b.skipped).toBe(1);
    expect((await storedOpinions(lake)).size).toBe(3);
    const log = await lake.log('d', 'labels');
    expect(log.filter((e) => e.commit.lineage.op === 'opinions')).toHaveLength(2);
  });

  it('row ids depend on the batch content only: the same batch gives the same fragment bytes on any head', async () => {
    const a = await setupOpinions();
    const b = await setupOpinions();
    // b's branch moved on first (another batch), so the heads differ.
    await writeOpinions(b.lake, 'd', { branch: 'labels', source: SOURCE, opinions: [op(5, 0)] });
    const batch = [op(1, 1), op(2, 0, { actor: 'x' })];
    const ra = await writeOpinions(a.lake, 'd', {
      branch: 'labels',
      source: SOURCE,
      opinions: batch,
    });
    const rb = await writeOpinions(b.lake, 'd', {
      branch: 'labels',
      source: SOURCE,
      opinions: batch,
    });
    const fa = (await a.lake.readCommit(ra.commit!)).recordSets.opinions!.fragments;
    const fb = (await b.lake.readCommit(rb.commit!)).recordSets.opinions!.fragments;
    expect(fb.at(-1)).toEqual(fa.at(-1));
  });
});

describe('refusals write nothing', () => {
  async function expectNothingWritten(
    setup: Awaited<ReturnType<typeof setupOpinions>>,
    attempt: () => Promise<unknown>,
    code: string,
    ...patterns: RegExp[]
  ) {
    const head = await setup.lake.resolve('d', 'labels');
    const chunks = await chunkList(setup.lake);
    await refused(attempt(), code, ...patterns);
    expect(await setup.lake.resolve('d', 'labels')).toBe(head);
    expect(await chunkList(setup.lake)).toEqual(chunks);
  }

  it('a correction of a missing opinion: UNKNOWN_PARENT naming the line and the parent', async () => {
    const s = await setupOpinions();
    const missing = 'ab'.repeat(16);
    await expectNothingWritten(
      s,
      () =>
        writeOpinions(s.lake, 'd', {
          branch: 'labels',
          source: SOURCE,
          opinions: [op(0, 1), op(0, 0, { where: 'fix.csv, line 3', parents: [missing] })],
        }),
      'UNKNOWN_PARENT',
      /^fix\.csv, line 3: /,
      new RegExp(missing),
    );
    await expectNothingWritten(
      s,
      () =>
        writeOpinions(s.lake, 'd', {
          branch: 'labels',
          source: SOURCE,
          opinions: [op(0, 0, { where: 'fix.csv, line 2', parents: ['r9'] })],
        }),
      'UNKNOWN_PARENT',
      /line 2: it corrects "r9", which is neither an id in this file nor an opinion id/,
    );
  });

  it('a cycle: OPINION_CYCLE naming both opinions that close it', async () => {
    const s = await setupOpinions();
    await expectNothingWritten(
      s,
      () =>
        writeOpinions(s.lake, 'd', {
          branch: 'labels',
          source: SOURCE,
          opinions: [
            op(0, 1, { ref: 'a', where: 'c.csv, line 2', parents: ['b'] }),
            op(0, 0, { ref: 'b', where: 'c.csv, line 3', parents: ['c'] }),
            op(0, 1, { ref: 'c', where: 'c.csv, line 4', parents: ['a'] }),
          ],
        }),
      'OPINION_CYCLE',
      /^c\.csv, line 4: opinion "c" corrects opinion "a" \(c\.csv, line 2\)/,
      /"a" → "b" → "c" → "a"/,
    );
    // An opinion correcting itself is the smallest cycle.
    await refused(
      writeOpinions(s.lake, 'd', {
        branch: 'labels',
        source: SOURCE,
        opinions: [op(0, 1, { ref: 'z', where: 'c.csv, line 9', parents: ['z'] })],
      }),
      'OPINION_CYCLE',
      /line 9: opinion "z" corrects opinion "z"/,
    );
  });

  it('an unknown subject, a wrong type, a bad confidence, a correction about another subject', async () => {
    const s = await setupOpinions();
    const write =
      (...opinions: ReturnType<typeof op>[]) =>
      () =>
        writeOpinions(s.lake, 'd', { branch: 'labels', source: SOURCE, opinions });
    await expectNothingWritten(
      s,
      write(op(0, 1), op(9, 1, { where: 'f, line 3' })),
      'UNKNOWN_SUBJECT',
      /^f, line 3: images has no row with id 9/,
    );
    await expectNothingWritten(
      s,
      write({
        ...op(0, 1, { where: 'f, line 2' }),
        subject: { set: 'images', key: 'img_77', keyColumn: 'image_id' },
      }),
      'UNKNOWN_SUBJECT',
      /no row of images has images\/image_id = "img_77"/,
    );
    await expectNothingWritten(
      s,
      write({ ...op(0, 1, { where: 'f, line 2' }), subject: { set: 'scans', row: 0n } }),
      'UNKNOWN_SUBJECT',
      /record set "scans" is not in d; it has: images/,
    );
    await expectNothingWritten(
      s,
      write(op(0, { a: 1 }, { where: 'f, line 4' })),
      'WRONG_TYPE',
      /line 4: question "lesion": a class value must be text, not \{"a":1\}/,
    );
    await expectNothingWritten(
      s,
      write(op(0, 'x', { valueType: 'number', where: 'f, line 5' })),
      'WRONG_TYPE',
      /"x" is not one/,
    );
    await expectNothingWritten(
      s,
      write(op(0, 1, { confidence: 1.5, where: 'f, line 6' })),
      'BAD_INPUT',
      /line 6: confidence 1.5 is not a number in \[0, 1\]/,
    );
    await expectNothingWritten(
      s,
      write(
        op(0, 1, { ref: 'a', where: 'f, line 2' }),
        op(1, 0, { parents: ['a'], where: 'f, line 3' }),
      ),
      'BAD_INPUT',
      /line 3: it corrects f, line 2, which is about images row 0.*not images row 1/,
    );
  });

  it('a protected branch is refused before anything is read', async () => {
    const s = await setupOpinions();
    await refused(
      writeOpinions(s.lake, 'd', { branch: 'main', source: SOURCE, opinions: [op(0, 1)] }),
      'PROTECTED_BRANCH',
    );
  });
});

describe('sortById', () => {
  it('orders opinions as comparing their ids does, ties of the first eight digits included', () => {
    // Ids drawn from a small seeded generator; every third shares its first eight digits with
    // the one before, so the packed-prefix sort has runs of ties to settle by the whole id.
    let seed = 7;
    const hex = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed.toString(16).padStart(8, '0');
    };
    const ids: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const prefix = i % 3 === 2 ? ids[i - 1]!.slice(0, 8) : hex();
      ids.push(prefix + hex() + hex() + hex());
    }
    ids.push(ids[10]!); // the same id twice keeps both, in their order
    const opinions = ids.map((id, i) => ({ id, note: String(i) }) as unknown as Opinion);
    const expected = [...opinions].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    sortById(opinions);
    expect(opinions.map((o) => o.note)).toEqual(expected.map((o) => o.note));
  });

  it('orders ids that are not lowercase hex as comparing them does', () => {
    // A first eight characters that are not lowercase hex (upper case, other letters, short
    // ids) cannot be read as a number: the whole sort compares ids.
    const ids = ['0000000g', 'ABCDEF01', 'abcdef01', '00000010', 'zz', '0000000f', '0000000F', ''];
    const opinions = ids.map((id) => ({ id }) as unknown as Opinion);
    sortById(opinions);
    expect(opinions.map((o) => o.id)).toEqual([
      '',
      '0000000F',
      '0000000f',
      '0000000g',
      '00000010',
      'ABCDEF01',
      'abcdef01',
      'zz',
    ]);
  });
});
