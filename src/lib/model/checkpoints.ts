/**
 * Checkpoints of a training run, so a cancelled, crashed or NaN-stopped run resumes where it
 * was. A run is named by the hash of everything that decides its result (data commit, label,
 * split, model spec, seed, schedule…), so training again with the same settings finds it.
 * The entry `model-run/<dataset>/<runId>` names one chunk holding the weights and optimiser
 * state (./tensors.ts); it is replaced at each checkpoint and removed when the model is saved.
 */
import { getChunk, putChunk } from '../versions/chunks.ts';
import type { Lake } from '../versions/lake.ts';
import { decodeTensors, encodeTensors, type NamedTensor } from './tensors.ts';
import type { EpochMetrics } from './store.ts';

/** Where a run stands. */
export interface CheckpointInfo {
  runId: string;
  updatedAt: string;
  /** Training steps done. */
  step: number;
  /** The epoch the next step is in, and its batch there. */
  epoch: number;
  batchInEpoch: number;
  /** Sums over the current epoch's steps so far (for its training loss and accuracy). */
  running: { loss: number; correct: number; count: number };
  history: EpochMetrics[];
  /** Chunk of the weights and optimiser state. */
  tensors: string;
}

/** A checkpoint read back. */
export interface Checkpoint extends CheckpointInfo {
  weights: Map<string, Float32Array>;
  state: Map<string, Float32Array>;
}

interface Entry extends CheckpointInfo {
  chunks: string[];
}

const key = (dataset: string, runId: string) => `model-run/${dataset}/${runId}`;

/**
 * Writes a checkpoint (weights under their names, optimiser state under `state:<name>`),
 * replacing the run's previous one. The chunk is stored before the entry names it.
 */
export async function saveCheckpoint(
  lake: Lake,
  dataset: string,
  info: Omit<CheckpointInfo, 'tensors' | 'updatedAt'>,
  weights: ReadonlyMap<string, NamedTensor>,
  state: ReadonlyMap<string, NamedTensor>,
): Promise<void> {
  const all = new Map(weights);
  for (const [k, t] of state) all.set(`state:${k}`, t);
  await lake.writing({ op: 'checkpoint', dataset }, async (l) => {
    const tensors = await putChunk(l.chunks, encodeTensors(all));
    const entry: Entry = {
      ...info,
      updatedAt: new Date().toISOString(),
      tensors,
      chunks: [tensors],
    };
    const k = key(dataset, info.runId);
    for (;;) {
      const old = await l.backend.refs.get(k);
      if (await l.backend.refs.cas(k, old?.version ?? 0, entry)) return;
    }
  });
}

/** The run's checkpoint, or null when it has none. */
export async function loadCheckpoint(
  lake: Lake,
  dataset: string,
  runId: string,
): Promise<Checkpoint | null> {
  const e = await lake.backend.refs.get<Entry>(key(dataset, runId));
  if (!e) return null;
  const what = `checkpoint of training run ${runId.slice(0, 12)} of ${dataset}`;
  const t = decodeTensors(await getChunk(lake.chunks, e.value.tensors, what), what);
  const weights = new Map<string, Float32Array>();
  const state = new Map<string, Float32Array>();
  for (const [k, v] of t) {
    if (k.startsWith('state:')) state.set(k.slice(6), v.data);
    else weights.set(k, v.data);
  }
  const { chunks: _, ...info } = e.value;
  return { ...info, weights, state };
}

/** The runs of a dataset that have a checkpoint (unfinished training). */
export async function listCheckpoints(lake: Lake, dataset: string): Promise<CheckpointInfo[]> {
  return (await lake.backend.refs.list<Entry>(`model-run/${dataset}/`)).map(
    ({ value: { chunks: _, ...info } }) => info,
  );
}

/** Forgets a run's checkpoint (its chunk goes at the next garbage collection). */
export async function dropCheckpoint(lake: Lake, dataset: string, runId: string): Promise<void> {
  const e = await lake.backend.refs.get(key(dataset, runId));
  if (e) await lake.backend.refs.cas(e.key, e.version, null);
}
