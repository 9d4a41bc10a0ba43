/**
 * An import refuses a class its question does not have on the branch (`knownClasses`, checked
 * by `checkKnownClasses` in src/lib/opinions/stored.ts): a typo such as "maybe" for a 0/1
 * question would otherwise be stored and counted by no view. The refusal names the file and
 * row, the value and the question's classes, and writes nothing; allowing new classes, or a
 * question new to the branch, takes the value. Node and Chromium.
 */
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../src/lib/io/source.ts';
import { readOpinionsCsv } from '../../src/lib/opinions/import-table.ts';
import { writeOpinions } from '../../src/lib/opinions/write.ts';
import { chunkList, refused, setupOpinions, storedOpinions } from './opinions-fixture.ts';

const DEFAULTS = { subjectSet: 'images', subjectKey: 'image_id', question: 'lesion' };
const csv = (name: string, text: string) =>
  readOpinionsCsv(bytesSource(name, new TextEncoder().encode(text)), DEFAULTS);

/** A lake whose branch `labels` has question "lesion" with the classes 0 and 1. */
async function withClasses() {
  const s = await setupOpinions();
  const first = await writeOpinions(s.lake, 'd', {
    branch: 'labels',
    ...(await csv('reads.csv', 'subject,value,actor\nimg_0,0,dr_x\nimg_1,1,dr_x\n')),
  });
  expect(first.added).toBe(2);
  return s;
}

describe('classes a question does not have', () => {
  it('are refused with their place, the value and the classes; nothing written', async () => {
    const { lake } = await withClasses();
    const head = await lake.resolve('d', 'labels');
    const chunks = await chunkList(lake);
    const read = await csv('maybe.csv', 'subject,value,actor\nimg_4,1,dr_y\nimg_5,maybe,dr_y\n');
    await refused(
      writeOpinions(lake, 'd', { branch: 'labels', ...read, knownClasses: true }),
      'BAD_INPUT',
      /^maybe\.csv, row 3: value "maybe" is not a class of question "lesion", which has: 0, 1; nothing was written/,
    );
    expect(await lake.resolve('d', 'labels')).toBe(head);
    expect(await chunkList(lake)).toEqual(chunks);
  });

  it('known classes, and opinions of a question new to the branch, are taken', async () => {
    const { lake } = await withClasses();
    const read = await csv(
      'more.csv',
      'subject,question,value,actor\nimg_4,lesion,1,dr_y\nimg_4,quality,blurred,dr_y\n',
    );
    const r = await writeOpinions(lake, 'd', { branch: 'labels', ...read, knownClasses: true });
    expect(r.added).toBe(2);
  });

  it('a new class is taken when new classes are allowed (the default of writeOpinions)', async () => {
    const { lake } = await withClasses();
    const read = await csv('maybe.csv', 'subject,value,actor\nimg_5,maybe,dr_y\n');
    const r = await writeOpinions(lake, 'd', { branch: 'labels', ...read });
    expect(r.added).toBe(1);
    const values = [...(await storedOpinions(lake)).values()].map((o) => o.value).sort();
    expect(values).toEqual(['0', '1', 'maybe']);
  });
});
