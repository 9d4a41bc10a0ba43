/**
 * The pipeline kept in this browser (src/app/pipeline-saved.ts; issue 11: "Pipeline steps are
 * lost on reload"): what is saved comes back, and what cannot (another version's ops, a broken
 * entry) is said in a notice rather than crashing the view. Runs in Node and Chromium; the
 * storage is a Map behind the Storage interface (the e2e test uses the browser's own).
 */
import { describe, expect, it } from 'vitest';
import { readSavedPipeline, savePipeline } from '../../src/app/pipeline-saved.ts';
import type { PipelineSpec } from '../../src/lib/pipeline/image.ts';
import { validateSpec } from '../../src/lib/pipeline/spec.ts';

const KEY = 'croissant-lake.pipeline';
const FALLBACK: PipelineSpec = [{ op: 'resize', width: 96, height: 96 }];

/** localStorage's interface over a Map. */
function memoryStorage(): Storage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    getItem: (k) => map.get(k) ?? null,
    key: (i) => [...map.keys()][i] ?? null,
    removeItem: (k) => void map.delete(k),
    setItem: (k, v) => void map.set(k, String(v)),
  };
}

describe('the saved pipeline', () => {
  it('comes back as it was saved: steps and seed', () => {
    const storage = memoryStorage();
    expect(readSavedPipeline(FALLBACK, storage)).toBeNull();
    const steps: PipelineSpec = [
      { op: 'center-crop', width: 48, height: 48 },
      { op: 'gaussian-noise', std: 3 },
    ];
    savePipeline({ steps, seed: 7 }, storage);
    expect(readSavedPipeline(FALLBACK, storage)).toEqual({ steps, seed: 7, notice: null });
  });

  it('keeps a step of an unknown op, and says which and what to do', () => {
    const storage = memoryStorage();
    storage.setItem(
      KEY,
      JSON.stringify({
        format: 'croissant-lake/pipeline-draft',
        version: 1,
        steps: [{ op: 'flip', axis: 'vertical', p: 1 }, { op: 'sharpen', amount: 2 }, 42],
        seed: 3,
      }),
    );
    const r = readSavedPipeline(FALLBACK, storage)!;
    expect(r.steps).toEqual([
      { op: 'flip', axis: 'vertical', p: 1 },
      { op: 'sharpen', amount: 2 },
    ]);
    expect(r.seed).toBe(3);
    expect(r.notice).toContain('step 2 is "sharpen", which this version does not know');
    expect(r.notice).toContain('remove it to run the pipeline');
    expect(r.notice).toContain('step 3 is not a transform and was left out');
    // What the builder then shows under the steps names the op, not its parameter.
    expect(() => validateSpec(r.steps)).toThrow(
      /^pipeline\[1\] \(sharpen\): unknown parameter "amount" of unknown op "sharpen"; known ops: resize, /,
    );
  });

  it('falls back to the default steps, with a notice, when the entry cannot be read', () => {
    for (const [text, why] of [
      ['{not json', 'it is not JSON'],
      ['[1,2]', 'it is not a saved pipeline'],
      [
        JSON.stringify({ format: 'croissant-lake/pipeline-draft', version: 2, steps: [] }),
        'format version 2',
      ],
      [
        JSON.stringify({ format: 'croissant-lake/pipeline-draft', version: 1, steps: 'resize' }),
        'its steps are not a list',
      ],
    ] as const) {
      const storage = memoryStorage();
      storage.setItem(KEY, text);
      const r = readSavedPipeline(FALLBACK, storage)!;
      expect(r.steps, text).toEqual(FALLBACK);
      expect(r.seed).toBe(0);
      expect(r.notice, text).toContain(why);
    }
    const storage = memoryStorage();
    storage.setItem(
      KEY,
      JSON.stringify({ format: 'croissant-lake/pipeline-draft', version: 1, steps: [], seed: -1 }),
    );
    expect(readSavedPipeline(FALLBACK, storage)).toMatchObject({ seed: 0, steps: [] });
    expect(readSavedPipeline(FALLBACK, storage)?.notice).toContain('seed -1');
  });

  it('loses only the draft when storage refuses to save', () => {
    const full = memoryStorage();
    full.setItem = () => {
      throw new DOMException('full', 'QuotaExceededError');
    };
    expect(() => savePipeline({ steps: FALLBACK, seed: 0 }, full)).not.toThrow();
    expect(readSavedPipeline(FALLBACK, full)).toBeNull();
  });
});
