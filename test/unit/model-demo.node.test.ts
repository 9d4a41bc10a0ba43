/**
 * Acceptance (issue 14 §7): on the bundled demo study `synthetic-lesions`, the zoo CNN trained
 * on wasm with the default seed (0) on the `split` column reaches a validation accuracy on
 * images from the scanners that are not degraded (all but "Orion R2", the planted noisy
 * scanner) well above the majority-class rate. Kept cheap: 24×24 gray images (the lesion
 * stays visible), 8 short epochs.
 *
 * Then issue 15 §7: the same model evaluated on the validation rows and analysed with the
 * default blind-spot parameters finds the planted noisy scanner as its top slice and the
 * planted label-flipping annotator as its top label-noise suspect group.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { FLIPPING_ANNOTATOR, NOISY_SCANNER } from '../../bench/gen/demo-study.ts';
import { runBlindspots } from '../../src/lib/analysis/blindspots.ts';
import { predict } from '../../src/lib/model/predict.ts';
import { writePredictions } from '../../src/lib/model/predictions.ts';
import { nodeResolver } from '../../src/lib/io/node.ts';
import { LakeBatches } from '../../src/lib/model/lake-batches.ts';
import { createOrtRuntime } from '../../src/lib/model/runtime-ort.ts';
import type { ModelRuntime } from '../../src/lib/model/runtime.ts';
import { loadModel } from '../../src/lib/model/store.ts';
import { trainOnLake } from '../../src/lib/model/train-lake.ts';
import { argmax } from '../../src/lib/model/train-metrics.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { scanRows } from '../../src/lib/versions/read.ts';

const DEMO = fileURLToPath(
  new URL('../../public/examples/synthetic-lesions/metadata.json', import.meta.url),
);
const DS = 'synthetic-lesions';
/**
 * 8 epochs at lr 0.005: the loss sits at the class prior for about 3 epochs, then falls
 * (measured: 3 or 4 epochs at lr 0.005 or 0.01, batch 16 or 32, 32 or 64 px, never left it).
 * 24 px learns as well as 32 px (0.960 against 0.951 below) for two thirds of the time.
 */
const SIZE = 24;
const EPOCHS = 8;
const LR = 0.005;
let lake: Lake;
let runtime: ModelRuntime;
/** The model trained by the first test. */
let modelId: string | undefined;
beforeAll(async () => {
  lake = await Lake.open(memoryBackend());
  await ingest(lake, DEMO, { resolver: nodeResolver(), dataset: DS });
  runtime = await createOrtRuntime({ provider: 'wasm' });
}, 120_000);

describe('acceptance: the zoo CNN on the demo study', () => {
  it('beats the majority class on the non-degraded scanners', { timeout: 600_000 }, async () => {
    const r = await trainOnLake(lake, {
      dataset: DS,
      ref: 'main',
      label: 'lesion',
      split: { column: 'split' },
      seed: 0,
      runtime,
      model: 'cnn',
      epochs: EPOCHS,
      batch: 32,
      lr: LR,
      imageSize: SIZE,
    });
    expect(r.data.train.rowIds.length).toBe(3523);
    expect(r.data.val.rowIds.length).toBe(776);
    const c = await lake.readCommit(r.data.commit);
    const scanner = new Map<bigint, string>();
    for await (const rows of scanRows(lake.chunks, c.recordSets.images!, 'images')) {
      for (const x of rows) scanner.set(x.rowid, String(x.row['images/scanner_model']));
    }
    const m = await loadModel(lake, DS, r.id);
    const session = await runtime.load(m.onnx);
    const batches = new LakeBatches(r.data, { lake, batch: 32, seed: 0 });
    let ok = 0;
    let n = 0;
    let positives = 0;
    for await (const b of batches.evalBatches('val', 256)) {
      const out = await session.run({ x: { data: b.x, dims: [b.n, 1, SIZE, SIZE] } });
      const z = await out.logits!.read();
      for (let i = 0; i < b.n; i++) {
        if (scanner.get(b.rowIds[i]!) === NOISY_SCANNER) continue;
        n++;
        if (b.y[i] === 1) positives++;
        if (argmax(z, i, 2) === b.y[i]) ok++;
      }
    }
    batches.close();
    await session.release();
    const majority = Math.max(positives, n - positives) / n;
    // Measured: 0.960 (552 of 575) on the non-degraded scanners' validation images, against
    // a majority-class rate of 0.671; 0.887 on all 776 (Orion R2's 201 images: 0.677, the
    // planted blind spot). Pinned with a margin.
    expect(n).toBe(575);
    expect(majority).toBeLessThan(0.7);
    expect(ok / n).toBeGreaterThanOrEqual(0.9);
    expect(r.val.accuracy).toBeGreaterThanOrEqual(0.8);
    modelId = r.id;
  });

  it(
    'finds the noisy scanner and the flipping annotator as its blind spots',
    { timeout: 300_000 },
    async () => {
      expect(modelId).toBeDefined();
      const m = await loadModel(lake, DS, modelId!);
      if (m.input.kind !== 'image') throw new Error('the demo model takes images');
      await lake.createBranch(DS, 'eval', 'main');
      // The validation rows only: the model never trained on them, so their errors are the ones
      // it makes on new data; on training rows it has partly fit the flipped labels, which would
      // hide the annotator and shrink every slice's error.
      const p = await predict({
        lake,
        runtime,
        dataset: DS,
        ref: 'eval',
        recordSet: 'images',
        image: m.input.column,
        label: 'images/lesion',
        where: (row) => row['images/split'] === 'val',
        model: { bytes: m.onnx, id: m.id, name: `model ${m.id.slice(0, 12)}`, classes: m.classes },
        mapping: { width: SIZE, height: SIZE, channels: m.input.channels },
      });
      expect(p.rowIds.length).toBe(776);
      await writePredictions(lake, DS, p, { branch: 'eval', question: null });
      const { report } = await runBlindspots(lake, { dataset: DS, branch: 'eval', store: false });
      const top = report.slices[0]!;
      // Measured: "scanner_model = Orion R2 and patient_age = [40, 50)", 52 rows, error rate
      // 0.44 against 0.11 overall (Orion R2 alone: 201 rows, 0.32); every slice of the top 10
      // is Orion R2 or its manufacturer at one of its two sites. The flipping annotator: 12 of
      // its 160 rows are suspects, lift 4.85; the next group, a site, 2.26.
      expect(top.predicates.map((x) => `${x.feature} = ${x.level}`)).toContain(
        `scanner_model = ${NOISY_SCANNER}`,
      );
      expect(top.errorRate.lo!).toBeGreaterThan(report.overall.errorRate.hi!);
      expect(report.suspects.groups[0]).toMatchObject({
        feature: 'annotator_id',
        level: FLIPPING_ANNOTATOR,
      });
    },
  );
});
