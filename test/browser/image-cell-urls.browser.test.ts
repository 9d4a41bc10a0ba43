/**
 * The first screen's image previews make one blob URL per image: a record set's table is given
 * its state through `session.recordSets`, which changes whenever any record set's previews
 * change, and the image cells re-ran their effect each time (the bundled demo made 220 blob URLs
 * for its 40 PNG cells, and asked the decode worker 60 times for its 20 DICOM thumbnails). The
 * session is the real one, over a stand-in Croissant client whose calls the test settles (as in
 * test/unit/dataset-session-hold.test.ts); RecordSetView gets its state as DatasetView passes it.
 */
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, expect, it, vi } from 'vitest';
import RecordSetView from '../../src/app/components/RecordSetView.svelte';
import { DatasetSession } from '../../src/app/dataset-session.svelte.ts';
import type { Metadata, RecordSet } from '../../src/lib/croissant/model.ts';
import type { CroissantClient } from '../../workers/api/croissant-client.ts';
import type { RecordsResult, WireRow } from '../../workers/api/croissant.api.ts';

/** A 1×1 PNG. */
const PNG = Uint8Array.from(
  atob(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==',
  ),
  (c) => c.charCodeAt(0),
);
const SETS = ['images', 'b', 'c', 'd'];
const recordSet = (uuid: string) =>
  ({ uuid, name: uuid, fields: [], key: [], kind: 'RecordSet' }) as unknown as RecordSet;
const METADATA = { name: 'd', recordSets: SETS.map(recordSet) } as unknown as Metadata;
const image = (): WireRow => ({
  'images/image': { t: 'image', mode: 'L', width: 1, height: 1, format: 'PNG', bytes: PNG.slice() },
});
const text = (v: string): WireRow => ({ 'x/v': { t: 'str', v } }) as unknown as WireRow;

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
  vi.restoreAllMocks();
});

it('makes one blob URL per image while the other record sets load', async () => {
  const pending: ((r: RecordsResult) => void)[] = [];
  const client = {
    alive: true,
    open: async () => ({ handle: 1, source: 'x', metadata: METADATA, errors: [], warnings: [] }),
    records: () => new Promise<RecordsResult>((resolve) => pending.push(resolve)),
    close: () => undefined,
    terminate: () => undefined,
  };
  const session = new DatasetSession(() => client as unknown as CroissantClient);
  const made = vi.spyOn(URL, 'createObjectURL');
  const target = document.body.appendChild(document.createElement('div'));
  const app = mount(RecordSetView, {
    target,
    props: {
      recordSet: recordSet('images'),
      get state() {
        return session.recordSets['images'];
      },
    },
  });
  cleanup.push(() => {
    void unmount(app);
    target.remove();
    session.destroy();
  });

  const opened = session.open({ kind: 'url', url: 'https://example.org/d.json' });
  const next = async () => {
    await vi.waitFor(() => expect(pending.length).toBeGreaterThan(0));
    return pending.shift()!;
  };
  (await next())({ rows: [image(), image(), image()], more: false });
  await vi.waitFor(() => expect(target.querySelectorAll('img')).toHaveLength(3));
  // The next record sets' states change, one after another.
  for (const v of ['b', 'c', 'd']) {
    (await next())({ rows: [text(v)], more: false });
    flushSync();
  }
  await opened;
  flushSync();
  expect(SETS.map((s) => session.recordSets[s]?.status)).toEqual([
    'ready',
    'ready',
    'ready',
    'ready',
  ]);
  expect(target.querySelectorAll('img')).toHaveLength(3);
  expect(made).toHaveBeenCalledTimes(3);
});
