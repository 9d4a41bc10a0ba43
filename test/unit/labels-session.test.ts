/**
 * The Labels tab's session (src/app/labels.svelte.ts) over a query host whose answers the test
 * releases by hand: loads of different kinds run side by side (a subject looked up while the
 * question is consolidated leaves the question's classes and comparison in place), a load of
 * one kind replaces the one before, and a subject that is not a row says so and clears the
 * subject shown before.
 */
import { describe, expect, it } from 'vitest';
import { LabelsSession } from '../../src/app/labels.svelte.ts';
import type { QueryHost } from '../../src/app/query-host.svelte.ts';
import { LakeError } from '../../src/lib/store/errors.ts';
import type { OpinionsInfo, SubjectView } from '../../workers/api/opinions.api.ts';

interface Pending {
  method: string;
  args: unknown[];
  signal: AbortSignal | undefined;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

const INFO: OpinionsInfo = {
  dataset: 'lesions',
  rev: 'labels',
  commit: 'c'.repeat(64),
  writable: true,
  questions: [{ question: 'reads/lesion', valueType: 'class', opinions: 60 }],
  subjectSets: ['images'],
  recordSets: [{ id: 'images', name: 'images', rows: 200, columns: ['image_id'], key: 'image_id' }],
};
const COMPARISON = { commit: INFO.commit, question: 'reads/lesion', outcomes: [], changed: [] };
const subjectView = (row: string): SubjectView => ({
  subjectSet: 'images',
  row,
  cells: {},
  nodes: [],
});

/** A session whose every call waits in `pending` until the test settles it. */
function session() {
  const pending: Pending[] = [];
  const wait = (method: string, args: unknown[], signal?: AbortSignal) =>
    new Promise((resolve, reject) => pending.push({ method, args, signal, resolve, reject }));
  const host = {
    client: {
      call: (method: string, args: unknown[], o?: { signal?: AbortSignal }) =>
        wait(method, args, o?.signal),
    },
    rows: (sql: string, signal?: AbortSignal) => wait('rows', [sql], signal),
  } as unknown as QueryHost;
  const labels = new LabelsSession(host, () => {});
  /** The oldest call of `method` still waiting, taken out. */
  const take = (method: string): Pending => {
    const i = pending.findIndex((p) => p.method === method);
    if (i < 0) throw new Error(`no ${method} call is waiting (${pending.map((p) => p.method)})`);
    return pending.splice(i, 1)[0]!;
  };
  /** Lets the session's awaits run. */
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { labels, take, settle };
}

/** A session with INFO open and its first question's consolidation under way. */
async function opened() {
  const s = session();
  const open = s.labels.open('lesions', 'labels');
  s.take('opinionsInfo').resolve(INFO);
  await s.settle();
  return { ...s, open };
}

describe('LabelsSession', () => {
  it('a subject looked up during the consolidation does not cancel it', async () => {
    const { labels, take, settle, open } = await opened();
    expect(labels.question).toBe('reads/lesion');
    expect(labels.busy).toBe('Consolidating under each rule…');
    const shown = labels.showSubject('images', { key: 'img_000159', keyColumn: 'image_id' });
    take('rows').resolve([{ value: '0' }, { value: '1' }]);
    await settle();
    take('compareRules').resolve(COMPARISON);
    take('subjectOpinions').resolve(subjectView('159'));
    await Promise.all([open, shown]);
    expect(labels.classes).toEqual(['0', '1']);
    expect(labels.comparison).toEqual(COMPARISON);
    expect(labels.subject?.row).toBe('159');
    expect(labels.busy).toBeNull();
    expect(labels.failure).toBeNull();
    expect(labels.classesNote).toBeNull();
  });

  it('says that the review keys wait for the consolidation', async () => {
    const { labels, take, open } = await opened();
    expect(labels.classesNote).toMatch(/being read/);
    take('rows').resolve([{ value: '0' }, { value: '1' }]);
    await new Promise((r) => setTimeout(r, 0));
    take('compareRules').resolve(COMPARISON);
    await open;
    expect(labels.classesNote).toBeNull();
  });

  it('a second load of one kind replaces the first', async () => {
    const { labels, take, settle } = await opened();
    const first = labels.showSubject('images', { key: 'img_1', keyColumn: 'image_id' });
    const firstCall = take('subjectOpinions');
    const second = labels.showSubject('images', { key: 'img_2', keyColumn: 'image_id' });
    expect(firstCall.signal?.aborted).toBe(true);
    take('subjectOpinions').resolve(subjectView('2'));
    firstCall.resolve(subjectView('1'));
    await Promise.all([first, second]);
    await settle();
    expect(labels.subject?.row).toBe('2');
  });

  it('a failed consolidation says that the classes are missing', async () => {
    const { labels, take, open } = await opened();
    take('rows').reject(new LakeError('LOCKED', 'another writer holds the lake'));
    await open;
    expect(labels.failure?.message).toBe('another writer holds the lake');
    expect(labels.classes).toEqual([]);
    expect(labels.classesNote).toMatch(/could not be read/);
  });

  it('an unknown subject is said in words, and the subject before is cleared', async () => {
    const { labels, take, settle } = await opened();
    const before = labels.showSubject('images', { key: 'img_000159', keyColumn: 'image_id' });
    take('subjectOpinions').resolve(subjectView('159'));
    await before;
    expect(labels.subject?.row).toBe('159');
    const unknown = labels.showSubject('images', { key: 'img_999999', keyColumn: 'image_id' });
    // Cleared at once: the old graph is never shown under the new id.
    expect(labels.subject).toBeNull();
    take('subjectOpinions').reject(
      new LakeError(
        'UNKNOWN_SUBJECT',
        'subject img_999999: no row of images has image_id = "img_999999"',
      ),
    );
    await unknown;
    await settle();
    expect(labels.subject).toBeNull();
    expect(labels.subjectMissing).toBe('No row of images has image_id img_999999.');
    expect(labels.failure).toBeNull();
    // A row id that is not a row.
    const byRow = labels.showSubject('images', { row: '5000' });
    expect(labels.subjectMissing).toBeNull();
    take('subjectOpinions').reject(
      new LakeError('UNKNOWN_SUBJECT', 'subject 5000: images has no row with id 5000'),
    );
    await byRow;
    expect(labels.subjectMissing).toBe('images has no row with row id 5000.');
  });

  it("a new write clears the last write's outcome, so a failure is not shown beside it", async () => {
    const { labels, take, settle } = await opened();
    take('rows').resolve([]);
    await settle();
    const saved = labels.saveTraining({ rule: 'majority-of-leaves', params: {} }, 'train-v1');
    const branch = { branch: 'train-v1', commit: 'd'.repeat(64), rows: 10, review: 0 };
    take('saveTrainingBranch').resolve(branch);
    await saved;
    expect(labels.training).toEqual(branch);
    const again = labels.saveTraining({ rule: 'majority-of-leaves', params: {} }, 'train-v1');
    expect(labels.training).toBeNull();
    take('saveTrainingBranch').reject(new LakeError('REF_EXISTS', 'branch train-v1 exists'));
    await again;
    expect(labels.training).toBeNull();
    expect(labels.failure?.code).toBe('REF_EXISTS');
  });
});
