/**
 * The DICOM viewer's series loader (src/app/dicom-series.svelte.ts) reads the items after the
 * clicked one in windows of 32 asked for at once, which the lake reads as one batch
 * (image-batch.ts): the clicked item is read and opened first, alone; then the reads of each
 * window all start before the window's first item opens. Every item opens; one that cannot be
 * read is listed with its error, and the series are the same as when the items open one by one.
 * The decode worker's `open` is summarize(parseDicom(bytes)), as the worker does it.
 */
import { describe, expect, it } from 'vitest';
import type { DicomClient } from '../../workers/api/dicom-client.ts';
import { SeriesLoader, type ViewerItem } from '../../src/app/dicom-series.svelte.ts';
import { parseDicom } from '../../src/lib/dicom/parse.ts';
import { summarize } from '../../src/lib/dicom/summary.ts';
import { dicomBytes, image, type El } from './dicom-writer.ts';

const slice = (z: number): El[] => [
  [0x0008, 0x0060, 'CS', 'CT'],
  [0x0020, 0x000d, 'UI', '2.25.1'],
  [0x0020, 0x000e, 'UI', '2.25.2'],
  [0x0020, 0x0032, 'DS', ['0', '0', String(z)]],
  [0x0020, 0x0037, 'DS', ['1', '0', '0', '0', '1', '0']],
  ...image({ rows: 2, columns: 2, bits: 8, pixels: new Uint8Array(4) }),
];

const N = 70;
const files = new Map<string, Uint8Array>(
  Array.from({ length: N }, (_, i) => [`s${i}`, dicomBytes(slice((i * 3) % N))] as const),
);
const items: ViewerItem[] = [...files.keys()].map((sha256) => ({ sha256, row: {} }));

function run(unreadable = new Set<string>()) {
  const events: string[] = [];
  const dicom = {
    call: async (_method: 'open', [sha, bytes]: [string, Uint8Array]) => {
      events.push(`open ${sha}`);
      return summarize(parseDicom(bytes));
    },
  } as unknown as DicomClient;
  const read = async (sha: string) => {
    events.push(`read ${sha}`);
    await Promise.resolve();
    if (unreadable.has(sha)) throw new Error(`${sha} is damaged`);
    return files.get(sha)!.slice();
  };
  return { loader: new SeriesLoader(dicom, read, items), events };
}

describe("the DICOM viewer's series loader", () => {
  it('reads the clicked item first, then each window of 32 at once, and opens them all', async () => {
    const { loader, events } = run();
    await loader.load(5);
    expect(events.slice(0, 2)).toEqual(['read s5', 'open s5']);
    const reads = events.filter((e) => e.startsWith('read')).map((e) => e.slice(5));
    expect(reads).toHaveLength(N);
    // Window after window: its 32 reads come before its first open.
    const rest = items.map((i) => i.sha256).filter((s) => s !== 's5');
    for (let k = 0; k < rest.length; k += 32) {
      const window = rest.slice(k, k + 32);
      const firstOpen = events.indexOf(`open ${window[0]}`);
      for (const s of window) expect(events.indexOf(`read ${s}`)).toBeLessThan(firstOpen);
    }
    expect(loader.opened).toBe(N);
    expect(loader.failed).toEqual([]);
    expect(loader.series).toHaveLength(1);
    expect(loader.series[0]!.slices.map((s) => s.position)).toEqual(
      Array.from({ length: N }, (_, z) => z),
    );
  });

  it('lists an item that cannot be read with its error, and opens the rest', async () => {
    const { loader } = run(new Set(['s40']));
    await loader.load(0);
    expect(loader.opened).toBe(N);
    expect(loader.failed).toEqual([
      { sha256: 's40', message: expect.stringContaining('s40 is damaged') },
    ]);
    expect(loader.series[0]!.slices).toHaveLength(N - 1);
  });
});
