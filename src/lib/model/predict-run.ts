/**
 * The batch loop of predict.ts: each loader batch mapped onto the model input, run, and its
 * scores (and embedding) collected in storage order, with progress and cancellation.
 */
import type { Loader } from '../pipeline/loader.ts';
import { checkAborted } from '../store/errors.ts';
import { ModelError } from './errors.ts';
import type { PredictOptions } from './predict.ts';
import { toModelInput, type ResolvedMapping } from './preprocess.ts';
import type { ModelSession } from './runtime.ts';

/** What the batches gave: `k` scores per row. */
export interface Collected {
  k: number;
  rowIds: BigInt64Array;
  y: Int32Array;
  scores: Float32Array;
  embeddings: Float32Array[];
}

/** Runs every batch; returns the raw scores, labels and embeddings in storage order. */
export async function runBatches(
  loader: Loader,
  session: ModelSession,
  total: number,
  run: { output: string; embeddingOutput: string | null; name: string; mapping: ResolvedMapping },
  opts: PredictOptions,
): Promise<Collected> {
  const { mapping } = run;
  let k = 0;
  const ids: bigint[] = [];
  const ys: number[] = [];
  const scores: Float32Array[] = [];
  const embeddings: Float32Array[] = [];
  let done = 0;
  opts.onProgress?.({ done, total });
  for await (const batch of loader.epoch(0)) {
    checkAborted(opts.signal);
    const b = batch.shape[0];
    const x = toModelInput(batch.x, b, mapping);
    const out = await session.run({ [mapping.input]: x });
    checkAborted(opts.signal);
    const logits = out[run.output]!;
    if (logits.dims.length !== 2 || logits.dims[0] !== b) {
      throw new ModelError(
        'BAD_INPUT_SHAPE',
        `${run.name}: output "${run.output}" has shape [${logits.dims.join(', ')}] for a batch of ${b}; a classifier gives [batch, classes]`,
      );
    }
    k = logits.dims[1]!;
    scores.push(await logits.read());
    if (run.embeddingOutput) {
      const e = out[run.embeddingOutput]!;
      if (e.dims[0] !== b) {
        throw new ModelError(
          'BAD_INPUT_SHAPE',
          `${run.name}: embedding "${run.embeddingOutput}" has shape [${e.dims.join(', ')}] for a batch of ${b}`,
        );
      }
      const data = await e.read();
      const d = data.length / b;
      for (let r = 0; r < b; r++) embeddings.push(data.slice(r * d, (r + 1) * d));
    }
    for (const t of Object.values(out)) t.dispose();
    ids.push(...batch.rowIds);
    ys.push(...batch.y);
    done += b;
    opts.onProgress?.({ done, total });
  }
  const all = new Float32Array(ids.length * k);
  let at = 0;
  for (const s of scores) {
    all.set(s, at);
    at += s.length;
  }
  return { k, rowIds: BigInt64Array.from(ids), y: Int32Array.from(ys), scores: all, embeddings };
}
