/**
 * Lanes (a worker each, or the inline fallback) and the pool that spreads tasks over them: each
 * task goes to the lane with the least pending work. The dataloader (tensors) and the batch
 * pipeline (PNGs) both use it.
 */
import { LakeError } from '../store/errors.ts';

/** Where tasks run. */
export interface Lane<Task, Result> {
  process(task: Task): Promise<Result>;
  close(): void;
}

export class LanePool<Task, Result> {
  readonly #lanes: { lane: Lane<Task, Result>; pending: number }[];

  constructor(lanes: Lane<Task, Result>[]) {
    if (!lanes.length) throw new LakeError('BAD_INPUT', 'a pipeline pool needs a lane');
    this.#lanes = lanes.map((lane) => ({ lane, pending: 0 }));
  }

  /** Number of lanes. */
  get size(): number {
    return this.#lanes.length;
  }

  /** Processes one task; rejects only when its lane fails. */
  run(task: Task): Promise<Result> {
    let best = this.#lanes[0]!;
    for (const l of this.#lanes) if (l.pending < best.pending) best = l;
    best.pending++;
    return best.lane.process(task).finally(() => best.pending--);
  }

  /** Closes every lane (workers are terminated). */
  close(): void {
    for (const l of this.#lanes) l.lane.close();
  }
}
