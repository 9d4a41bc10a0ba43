/**
 * Opinions from files and from the dataset's own columns: CSV (any line endings), JSON Lines,
 * a Label Studio JSON export (annotations, predictions, parent_annotation/parent_prediction)
 * and a column mapping; bad files give located errors and write nothing. Node and Chromium.
 */
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../src/lib/io/source.ts';
import { readOpinionsCsv, readOpinionsJsonl } from '../../src/lib/opinions/import-table.ts';
import { readLabelStudio } from '../../src/lib/opinions/label-studio.ts';
import { mapColumn } from '../../src/lib/opinions/map-column.ts';
import { writeOpinions } from '../../src/lib/opinions/write.ts';
import { chunkList, refused, setupOpinions, storedOpinions } from './opinions-fixture.ts';

const file = (name: string, text: string) => bytesSource(name, new TextEncoder().encode(text));
const DEFAULTS = { subjectSet: 'images', subjectKey: 'image_id', question: 'lesion' };

describe('CSV and JSON Lines', () => {
  it('reads a CSV of originals and corrections (CRLF), keys resolved to row ids', async () => {
    const { lake } = await setupOpinions();
    const csv = file(
      'reads.csv',
      'id,subject,value,actor,time,corrects\r\n' +
        'r1,img_2,0,ann_03,2021-01-01T00:00:00Z,\r\n' +
        'r2,img_2,1,qa_01,2023-05-01T00:00:00Z,r1\r\n' +
        'r3,img_3,1,ann_03,,\r\n',
    );
    const read = await readOpinionsCsv(csv, DEFAULTS);
    expect(read.opinions.map((o) => o.where)).toEqual([
      'reads.csv, row 2',
      'reads.csv, row 3',
      'reads.csv, row 4',
    ]);
    const r = await writeOpinions(lake, 'd', { branch: 'labels', ...read });
    expect(r.added).toBe(3);
    const stored = [...(await storedOpinions(lake)).values()].sort((a, b) =>
      (a.createdAt ?? 0) < (b.createdAt ?? 0) ? -1 : 1,
    );
    expect(stored.map((o) => [o.subjectRow, o.value, o.actor.id, o.createdAt])).toEqual([
      [3n, '1', 'ann_03', null],
      [2n, '0', 'ann_03', Date.UTC(2021, 0, 1)],
      [2n, '1', 'qa_01', Date.UTC(2023, 4, 1)],
    ]);
    expect(stored[2]!.parents).toEqual([stored[1]!.id]);
    const commit = await lake.readCommit(r.commit!);
    expect(commit.lineage.params.source).toMatchObject({ kind: 'csv', name: 'reads.csv' });
  });

  it('JSON Lines with typed values; an opinion id of the lake as parent', async () => {
    const { lake } = await setupOpinions();
    const first = await writeOpinions(lake, 'd', {
      branch: 'labels',
      ...(await readOpinionsCsv(file('a.csv', 'subject_row,value,actor\n1,1,m\n'), DEFAULTS)),
    });
    const parent = first.opinions[0]!.opinion.id;
    const jsonl = file(
      'fix.jsonl',
      `{"subject":"img_1","value":0,"actor":"qa","corrects":"${parent}","note":"bright artefact"}\n\n` +
        '{"subject":"img_1","question":"size_mm","value":"4.5","value_type":"number","actor":"qa","confidence":0.8}\n',
    );
    const r = await writeOpinions(lake, 'd', {
      branch: 'labels',
      ...(await readOpinionsJsonl(jsonl, DEFAULTS)),
    });
    expect(r.added).toBe(2);
    const stored = [...(await storedOpinions(lake)).values()];
    expect(stored.find((o) => o.note)?.parents).toEqual([parent]);
    expect(stored.find((o) => o.question === 'size_mm')).toMatchObject({
      value: '4.5',
      confidence: 0.8,
    });
  });

  it('bad files: located errors, nothing written', async () => {
    const s = await setupOpinions();
    const head = await s.lake.resolve('d', 'labels');
    const chunks = await chunkList(s.lake);
    const attempt = async (f: ReturnType<typeof file>, code: string, ...res: RegExp[]) => {
      const read = f.name.endsWith('.csv') ? readOpinionsCsv : readOpinionsJsonl;
      await refused(
        (async () =>
          writeOpinions(s.lake, 'd', { branch: 'labels', ...(await read(f, DEFAULTS)) }))(),
        code,
        ...res,
      );
    };
    await attempt(
      file('a.csv', 'subject,value,actr\nimg_0,1,x\n'),
      'BAD_INPUT',
      /^a\.csv, row 1: unknown column "actr"/,
    );
    // Saved by a spreadsheet in a locale whose CSV separator is ";" (the lake's CSV hint).
    await attempt(
      file('c_semicolon.csv', 'subject;value;actor\nimg_0;1;x\n'),
      'BAD_INPUT',
      /^c_semicolon\.csv, row 1: unknown column "subject;value;actor"/,
      /The file looks ";"-separated: save it comma-separated \(CSV\) and try again/,
    );
    await attempt(
      file('b.csv', 'subject,value,actor\nimg_0,1,x\nimg_9,1,x\n'),
      'UNKNOWN_SUBJECT',
      /^b\.csv, row 3: no row of images has images\/image_id = "img_9"/,
    );
    await attempt(
      file('c.csv', 'subject,value,actor,corrects\nimg_0,1,x,\nimg_0,0,y,nope\n'),
      'UNKNOWN_PARENT',
      /^c\.csv, row 3: it corrects "nope"/,
    );
    await attempt(
      file('d.csv', 'id,subject,value,actor,corrects\na,img_0,1,x,b\nb,img_0,0,y,a\n'),
      'OPINION_CYCLE',
      /^d\.csv, row 3: opinion "b" corrects opinion "a" \(d\.csv, row 2\)/,
    );
    await attempt(
      file(
        'e.jsonl',
        '{"subject":"img_0","value":1,"actor":"x"}\n{"subject":"img_0","value":[1],"actor":"x"}\n',
      ),
      'WRONG_TYPE',
      /^e\.jsonl, line 2: question "lesion": a class value must be text/,
    );
    await attempt(
      file('f.jsonl', '{"subject":"img_0","value":1,"actor":"x"}\n{"subject":\n'),
      'BAD_INPUT',
      /^f\.jsonl, line 2: not JSON/,
    );
    expect(await s.lake.resolve('d', 'labels')).toBe(head);
    expect(await chunkList(s.lake)).toEqual(chunks);
  });
});

/** A small Label Studio "JSON" export: an annotation corrected by another, a prediction corrected. */
const LS_EXPORT = [
  {
    id: 1,
    data: { image: '/data/upload/img_0.png', image_id: 'img_0' },
    annotations: [
      {
        id: 10,
        completed_by: { id: 1, email: 'ana@lab' },
        created_at: '2024-02-01T10:00:00.000000Z',
        was_cancelled: false,
        result: [
          {
            id: 'x',
            type: 'choices',
            from_name: 'lesion',
            to_name: 'image',
            value: { choices: ['1'] },
          },
        ],
        parent_annotation: null,
        parent_prediction: null,
      },
      {
        id: 11,
        completed_by: 2,
        created_at: '2024-02-03T10:00:00Z',
        result: [
          {
            id: 'y',
            type: 'choices',
            from_name: 'lesion',
            to_name: 'image',
            value: { choices: ['0'] },
          },
        ],
        parent_annotation: 10,
      },
      { id: 12, completed_by: 3, was_cancelled: true, result: [] },
    ],
    predictions: [],
  },
  {
    id: 2,
    data: { image_id: 'img_1' },
    annotations: [
      {
        id: 20,
        completed_by: 1,
        created_at: '2024-02-02T00:00:00Z',
        result: [
          { type: 'choices', from_name: 'lesion', to_name: 'image', value: { choices: ['1'] } },
          {
            type: 'rectanglelabels',
            from_name: 'bbox',
            to_name: 'image',
            value: { x: 10, y: 20, width: 5, height: 6, rectanglelabels: ['nodule'] },
          },
        ],
        parent_prediction: 7,
      },
    ],
    predictions: [
      {
        id: 7,
        model_version: 'cnn-v1',
        score: 0.62,
        result: [
          { type: 'choices', from_name: 'lesion', to_name: 'image', value: { choices: ['0'] } },
        ],
      },
    ],
  },
];

describe('Label Studio JSON export', () => {
  const LS = { subjectSet: 'images', subjectKey: 'image_id' };

  it('annotations, predictions and their parents become opinions and corrections', async () => {
    const { lake } = await setupOpinions();
    const read = await readLabelStudio(file('export.json', JSON.stringify(LS_EXPORT)), LS);
    const r = await writeOpinions(lake, 'd', { branch: 'labels', ...read });
    expect(r.added).toBe(5);
    const all = [...(await storedOpinions(lake)).values()];
    const by = (q: string, actor: string) =>
      all.find((o) => o.question === q && o.actor.id === actor)!;
    const ana = by('lesion', 'ana@lab');
    expect(ana).toMatchObject({
      subjectRow: 0n,
      value: '1',
      parents: [],
      createdAt: Date.UTC(2024, 1, 1, 10),
    });
    expect(by('lesion', 'user_2')).toMatchObject({ value: '0', parents: [ana.id] });
    const model = by('lesion', 'cnn-v1');
    expect(model).toMatchObject({
      subjectRow: 1n,
      value: '0',
      confidence: 0.62,
      actor: { kind: 'model', id: 'cnn-v1', commit: null },
    });
    expect(by('lesion', 'user_1')).toMatchObject({ value: '1', parents: [model.id] });
    // The box is about another question; the prediction had no box, so it corrects nothing.
    expect(by('bbox', 'user_1')).toMatchObject({
      valueType: 'box',
      value: '{"box":[10,20,5,6],"label":"nodule"}',
      parents: [],
    });
  });

  it('a malformed export is refused with the JSON path of the bad part, nothing written', async () => {
    const s = await setupOpinions();
    const chunks = await chunkList(s.lake);
    const bad = async (text: string, code: string, re: RegExp) =>
      refused(
        (async () =>
          writeOpinions(s.lake, 'd', {
            branch: 'labels',
            ...(await readLabelStudio(file('ls.json', text), LS)),
          }))(),
        code,
        re,
      );
    await bad(
      '{"tasks": []}',
      'BAD_INPUT',
      /ls\.json is not a Label Studio JSON export: it must be a list of tasks/,
    );
    await bad(
      '[{"id": 1, "data": {"image_id": "img_0"}, "annotations": [{"id": 5, "completed_by": 1, "result": [{"from_name": "lesion", "type": "choices"}]}]}]',
      'BAD_INPUT',
      /^ls\.json: \[0\]\.annotations\[0\]\.result\[0\]: a result has no "value" object/,
    );
    await bad(
      '[{"id": 1, "data": {"file": "x.png"}}]',
      'BAD_INPUT',
      /^ls\.json: \[0\]\.data: no "image_id" to name the subject by; the task's data has: file/,
    );
    await bad(
      '[{"id": 1, "data": {"image_id": "img_0"}, "annotations": [{"id": 5, "completed_by": 1, "parent_annotation": 99, "result": [{"from_name": "lesion", "type": "choices", "value": {"choices": ["1"]}}]}]}]',
      'UNKNOWN_PARENT',
      /\[0\]\.annotations\[0\]\.result\[0\]: its parent annotation 99 is not in this file/,
    );
    await bad(
      '[{"id": 1, "data": {"image_id": "img_0"}, "annotations": [{"id": 5, "completed_by": 1, "result": [{"from_name": "lesion", "type": "rating", "value": {"rating": "five"}}]}]}]',
      'WRONG_TYPE',
      /result\[0\]: question "lesion": the question takes numbers, and "five" is not one/,
    );
    await bad(
      '[{"id": 1, "data": {"image_id": "img_0"}, "annotations": [{"id": 5, "result": []}]}]',
      'BAD_INPUT',
      /^ls\.json: \[0\]\.annotations\[0\]: has no "completed_by"/,
    );
    expect(await chunkList(s.lake)).toEqual(chunks);
  });
});

describe('a column of the dataset as opinions', () => {
  it('maps the label column with its annotator; mapping again adds nothing', async () => {
    const { lake } = await setupOpinions();
    const mapping = {
      recordSet: 'images',
      value: 'lesion',
      annotator: 'annotator_id',
      question: 'lesion',
    };
    const r = await mapColumn(lake, 'd', { branch: 'labels', mapping });
    expect(r).toMatchObject({ added: 6, skipped: 0, unlabelled: 0 });
    const stored = [...(await storedOpinions(lake)).values()].sort((a, b) =>
      Number(a.subjectRow - b.subjectRow),
    );
    expect(stored.map((o) => [o.subjectRow, o.value, o.actor.kind, o.actor.id])).toEqual([
      [0n, '0', 'human', 'ann_01'],
      [1n, '1', 'human', 'ann_02'],
      [2n, '0', 'human', 'ann_03'],
      [3n, '1', 'human', 'ann_03'],
      [4n, '0', 'human', 'ann_01'],
      [5n, '1', 'human', 'ann_02'],
    ]);
    const commit = await lake.readCommit(r.commit!);
    expect(commit.lineage.params.source).toMatchObject({ kind: 'column', mapping });
    expect(await mapColumn(lake, 'd', { branch: 'labels', mapping })).toMatchObject({
      added: 0,
      skipped: 6,
      commit: null,
    });
    // Without an annotator the dataset is the actor.
    const plain = await mapColumn(lake, 'd', {
      branch: 'labels',
      mapping: { recordSet: 'images', value: 'lesion', question: 'lesion' },
    });
    expect(plain.opinions[0]!.opinion.actor).toEqual({ kind: 'dataset', id: 'd', commit: null });
  });

  it('an unknown column is refused naming the record set and its columns', async () => {
    const { lake } = await setupOpinions();
    await refused(
      mapColumn(lake, 'd', {
        branch: 'labels',
        mapping: { recordSet: 'images', value: 'lesoin', question: 'lesion' },
      }),
      'BAD_INPUT',
      /record set images has no column "lesoin" for the label; it has: images\/image_id, images\/lesion/,
    );
  });
});
