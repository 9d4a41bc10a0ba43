/**
 * The pipeline being built, kept in localStorage (per browser profile) so that a reload finds
 * the same steps and seed (the source is picked again, as on a first visit). What is read back
 * is untrusted (another version of the app may have written it, or someone edited it):
 * anything that cannot be a step is left out, and every problem is said in a notice; a step of
 * an op this version does not know is kept, so the user sees it named (the builder's validation
 * says what is wrong) and can remove it. Storage that is full or unavailable (private windows)
 * only loses the draft, never the work on screen.
 */
import type { PipelineSpec, TransformSpec } from '../lib/pipeline/image.ts';
import { TRANSFORM_OPS } from '../lib/pipeline/spec.ts';

const KEY = 'croissant-lake.pipeline';
const FORMAT = 'croissant-lake/pipeline-draft';
const VERSION = 1;

/** What is kept. */
export interface SavedPipeline {
  steps: PipelineSpec;
  seed: number;
}

/** What was read back, with what could not be. */
export interface RestoredPipeline extends SavedPipeline {
  /** Why part or all of the saved pipeline was not restored as it was; null when it was. */
  notice: string | null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * The pipeline saved in `storage`; null when none was. `fallback` is what to show when the
 * saved steps cannot be read at all.
 */
export function readSavedPipeline(
  fallback: PipelineSpec,
  storage: Storage | undefined = globalThis.localStorage,
): RestoredPipeline | null {
  let text: string | null;
  try {
    text = storage?.getItem(KEY) ?? null;
  } catch {
    return null; // Storage disabled: there is nothing to restore.
  }
  if (text === null) return null;
  const unreadable = (why: string): RestoredPipeline => ({
    steps: fallback,
    seed: 0,
    notice: `The pipeline saved in this browser could not be restored (${why}); the default steps are shown.`,
  });
  let saved: unknown;
  try {
    saved = JSON.parse(text);
  } catch {
    return unreadable('it is not JSON');
  }
  if (!isObj(saved) || saved.format !== FORMAT) return unreadable('it is not a saved pipeline');
  if (saved.version !== VERSION) {
    return unreadable(`it was saved in format version ${String(saved.version)}, not ${VERSION}`);
  }
  if (!Array.isArray(saved.steps)) return unreadable('its steps are not a list');
  const problems: string[] = [];
  const steps: TransformSpec[] = [];
  saved.steps.forEach((step: unknown, i) => {
    if (!isObj(step) || typeof step.op !== 'string') {
      problems.push(`step ${i + 1} is not a transform and was left out`);
      return;
    }
    if (!(TRANSFORM_OPS as readonly string[]).includes(step.op)) {
      problems.push(
        `step ${i + 1} is "${step.op}", which this version does not know (known: ${TRANSFORM_OPS.join(', ')}); remove it to run the pipeline`,
      );
    }
    steps.push({ ...step } as unknown as TransformSpec);
  });
  let seed = 0;
  if (Number.isSafeInteger(saved.seed) && (saved.seed as number) >= 0) seed = saved.seed as number;
  else problems.push(`its seed ${JSON.stringify(saved.seed)} is not a whole number ≥ 0; 0 is used`);
  return {
    steps,
    seed,
    notice: problems.length
      ? `The pipeline saved in this browser was restored with problems: ${problems.join('; ')}.`
      : null,
  };
}

/** Keeps `pipeline` in `storage` (see the module comment). */
export function savePipeline(
  pipeline: SavedPipeline,
  storage: Storage | undefined = globalThis.localStorage,
): void {
  const value = { format: FORMAT, version: VERSION, ...pipeline };
  try {
    storage?.setItem(KEY, JSON.stringify(value));
  } catch {
    // Full or disabled storage: the draft is a convenience; the pipeline on screen is intact.
  }
}
