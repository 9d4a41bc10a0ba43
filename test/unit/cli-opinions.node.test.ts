/**
 * `croissant-lake opinions …` run in-process on a temporary lake: map the dataset's labels,
 * import corrections, show a subject's graph, list leaves, consolidate and save a training
 * branch (the same commit giving the same content hash), agreement; and bad input (a missing
 * parent, a cycle, an unknown subject, a malformed Label Studio file, a wrong type), each a
 * located error with exit status 1 and nothing written.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { captureCliOutput } from './cli-output.ts';

const tiny = fileURLToPath(new URL('../fixtures/opinions/tiny/metadata.json', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'cli-opinions-'));
const lakeDir = path.join(dir, 'lake');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { out, err } = captureCliOutput();

const run = (...args: string[]) => main([...args, '--lake', lakeDir]);
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const DS = 'tiny-lesions';

async function head(branch = 'labels'): Promise<string> {
  const lake = await Lake.open(await openNodeBackend(lakeDir));
  return lake.resolve(DS, branch);
}

describe('croissant-lake opinions', () => {
  it('maps, imports, logs, lists leaves, consolidates and saves a reproducible training branch', async () => {
    expect(await run('ingest', tiny)).toBe(0);
    out.length = 0;
    expect(
      await run(
        'opinions',
        'map',
        DS,
        '-r',
        'images',
        '--value',
        'lesion',
        '--annotator',
        'annotator_id',
        '--question',
        'lesion',
      ),
    ).toBe(0);
    expect(out[0]).toBe('created branch labels from main');
    expect(out[1]).toMatch(/^added 6 opinion\(s\) on labels at [0-9a-f]{64}$/);
    const mapped = await head();
    // Ids without what they correct (or the other way round): refused, nothing added.
    for (const half of [
      ['--id-column', 'image_id'],
      ['--corrects', 'image_id'],
    ]) {
      const map = [
        'opinions',
        'map',
        DS,
        '-r',
        'images',
        '--value',
        'lesion',
        '--question',
        'lesion',
      ];
      expect(await run(...map, ...half), half[0]).toBe(1);
      expect(err.at(-1)).toMatch(
        /--id-column COLUMN \(each label's id\) and --corrects COLUMN .* go together/,
      );
    }
    expect(await head()).toBe(mapped);

    // Corrections: img_2 (ann_03 said 0) becomes 1; img_3 gets a second read that disagrees.
    const fixes = file(
      'fixes.csv',
      'subject,value,actor,time\nimg_2,1,qa_01,2024-03-01T00:00:00Z\nimg_3,0,ann_05,2024-03-02T00:00:00Z\n',
    );
    out.length = 0;
    expect(await run('opinions', 'import', DS, fixes)).toBe(0);
    expect(out[0]).toMatch(/^added 2 opinion\(s\) on labels at /);
    out.length = 0;
    expect(await run('opinions', 'import', DS, fixes)).toBe(0);
    expect(out[0]).toBe('nothing new: all 2 opinion(s) are on labels already');

    out.length = 0;
    expect(await run('opinions', 'log', DS, 'img_3')).toBe(0);
    expect(out[0]).toBe('images row 3, question lesion: 2 opinion(s), 2 leaf/leaves');
    expect(out.slice(1).map((l) => l.replace(/ [0-9a-f]{12} /, ' ID '))).toEqual([
      '* ID  (no time)  human ann_03: 1',
      '* ID  2024-03-02T00:00:00.000Z  human ann_05: 0',
    ]);
    // The same subject by its row id; a row id the set lacks, and # with no digits, refused.
    out.length = 0;
    expect(await run('opinions', 'log', DS, '#3')).toBe(0);
    expect(out[0]).toBe('images row 3, question lesion: 2 opinion(s), 2 leaf/leaves');
    expect(await run('opinions', 'log', DS, '#99999')).toBe(1);
    expect(err.at(-1)).toMatch(
      /\[UNKNOWN_SUBJECT\]: images has no row with _rowid 99999 at commit/,
    );
    expect(await run('opinions', 'log', DS, '#abc')).toBe(1);
    expect(err.at(-1)).toMatch(/\[BAD_INPUT\]: subject #abc: after # comes a row id, in digits/);

    out.length = 0;
    expect(await run('opinions', 'leaves', DS)).toBe(0);
    const leaves = out.map((l) => JSON.parse(l) as { subject_row: string; value: string });
    // The 6 mapped labels and the 2 imported reads: none names a parent, so all 8 are leaves.
    expect(leaves).toHaveLength(8);

    out.length = 0;
    expect(
      await run(
        'opinions',
        'consolidate',
        DS,
        '--rule',
        'majority-of-leaves',
        '--save',
        'train-1',
        '--json',
      ),
    ).toBe(0);
    const saved = JSON.parse(out.join('\n')) as Record<string, unknown>;
    expect(saved).toMatchObject({
      rule: 'majority-of-leaves',
      subjects: 6,
      ok: 4,
      review: 2,
      branch: 'train-1',
    });
    // img_2: {0, 1} and img_3: {1, 0} tie.
    expect(saved.distribution).toEqual([
      { value: '(review)', n: 2 },
      { value: '0', n: 2 },
      { value: '1', n: 2 },
    ]);

    out.length = 0;
    expect(await run('opinions', 'consolidate', DS, mapped, '--save', 'train-0', '--json')).toBe(0);
    const first = JSON.parse(out.join('\n')) as { contentHash: string; review: number };
    expect(first.review).toBe(0);
    out.length = 0;
    expect(await run('opinions', 'consolidate', DS, mapped, '--save', 'train-0b', '--json')).toBe(
      0,
    );
    expect((JSON.parse(out.join('\n')) as { contentHash: string }).contentHash).toBe(
      first.contentHash,
    );

    out.length = 0;
    expect(
      await run(
        'opinions',
        'consolidate',
        DS,
        '--rule',
        'weighted',
        '--param',
        'default=0.5',
        '--param',
        'weights={"qa_01":3}',
      ),
    ).toBe(0);
    expect(out[0]).toMatch(
      /^lesion by weighted \{"weights":\{"qa_01":3\},"default":0.5\} at [0-9a-f]{12}: 6 subjects, 5 decided, 1 to review$/,
    );

    out.length = 0;
    expect(await run('opinions', 'agreement', DS)).toBe(0);
    expect(out[0]).toBe('lesion: 2 subject(s) rated twice or more by 3 rater(s)');
    // Majority ties on both of ann_03's subjects: none of their opinions was judged.
    expect(out).toContain('ann_03\thuman\t2\t2\t0\t-\t-');
    expect(out).toContain('ann_01\thuman\t2\t2\t0\t-\t1.000');
  }, 300_000); // each command starts DuckDB-WASM in this process (seconds on a busy machine)

  it('bad input: located errors, exit status 1, nothing written', async () => {
    const before = await head();
    const bad = async (
      name: string,
      text: string,
      code: string,
      re: RegExp,
      ...extra: string[]
    ) => {
      err.length = 0;
      expect(await run('opinions', 'import', DS, file(name, text), ...extra)).toBe(1);
      expect(err.join('\n')).toContain(`[${code}]`);
      expect(err.join('\n')).toMatch(re);
    };
    await bad(
      'missing.csv',
      'subject,value,actor,corrects\nimg_0,1,qa,0123456789abcdef0123456789abcdef\n',
      'UNKNOWN_PARENT',
      /missing\.csv, row 2: it corrects opinion 0123456789abcdef0123456789abcdef, which is not on this branch/,
    );
    await bad(
      'cycle.csv',
      'id,subject,value,actor,corrects\na,img_0,1,x,b\nb,img_0,0,y,a\n',
      'OPINION_CYCLE',
      /cycle\.csv, row 3: opinion "b" corrects opinion "a" \(.*cycle\.csv, row 2\)/,
    );
    await bad(
      'who.csv',
      'subject,value,actor\nimg_42,1,x\n',
      'UNKNOWN_SUBJECT',
      /who\.csv, row 2: no row of images has images\/image_id = "img_42"/,
    );
    await bad(
      'ls.json',
      '[{"id": 1, "data": {"image_id": "img_0"}, "annotations": "none"}]',
      'BAD_INPUT',
      /ls\.json: \[0\]\.annotations: must be a list/,
    );
    await bad(
      'type.jsonl',
      '{"subject": "img_0", "value": {"a": 1}, "actor": "x"}\n',
      'WRONG_TYPE',
      /type\.jsonl, line 1: question "lesion": a class value must be text/,
    );
    // A class the question does not have: refused, as in the Labels tab, unless --new-classes.
    const maybe = 'subject,value,actor\nimg_0,maybe,x\n';
    await bad(
      'maybe.csv',
      maybe,
      'BAD_INPUT',
      /maybe\.csv, row 2: value "maybe" is not a class of question "lesion", which has: 0, 1; nothing was written \(allow new classes to add it: --new-classes on the command line\)/,
    );
    expect(await head()).toBe(before);
    out.length = 0;
    expect(await run('opinions', 'import', DS, file('maybe.csv', maybe), '--new-classes')).toBe(0);
    expect(out[0]).toMatch(/^added 1 opinion\(s\) on labels at /);
  });
});
