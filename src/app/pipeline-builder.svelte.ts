/**
 * The pipeline being built: its steps (add, remove, reorder, edit), the seed, the validated
 * spec with its JSON and `specHash`, and before/after previews of the source's sample images,
 * each augmented as the loader augments that row in epoch 0 (`rngFor(seed, 0, rowId)`).
 */
import type { Image, PipelineSpec, TransformSpec } from '../lib/pipeline/image.ts';
import { rngFor } from '../lib/pipeline/rng.ts';
import type { SpecPlace } from '../lib/pipeline/spec.ts';
import { applyPipeline, specHash, validateSpec } from '../lib/pipeline/transforms.ts';
import { LakeError } from '../lib/store/errors.ts';
import { defaultStep, moveItem, stepWords, withParam, type ParamKind } from './pipeline-steps.ts';
import type { Sample } from './pipeline-source.svelte.ts';

/** A sample before and after the pipeline (or why the pipeline failed on it). */
export interface PreviewPair {
  rowId: string;
  label: string | null;
  before: Image;
  after: Image | null;
  error: string | null;
}

/** The steps a new builder starts with: a small, visible augmentation. */
export const STARTER_STEPS: PipelineSpec = [
  { op: 'resize', width: 96, height: 96 },
  { op: 'flip', axis: 'horizontal', p: 0.5 },
  { op: 'rotate', degrees: 15, random: true },
];

/** See the module comment. */
export class PipelineBuilder {
  steps = $state.raw<TransformSpec[]>(STARTER_STEPS);
  seed = $state(0);
  /** The hash of {@link spec}, once computed (null while the spec is invalid). */
  hash = $state<string | null>(null);
  #hashToken = 0;

  /** The normalised spec, or why it is invalid. */
  readonly checked = $derived.by<
    { spec: PipelineSpec; error: null } | { spec: null; error: string; place: SpecPlace }
  >(() => {
    try {
      return { spec: validateSpec(this.steps), error: null };
    } catch (e) {
      const place = e instanceof LakeError ? ((e.detail as SpecPlace | undefined) ?? {}) : {};
      return { spec: null, error: stepWords(e instanceof Error ? e.message : String(e)), place };
    }
  });

  /** The spec as stored in lineage and permalinks. */
  readonly json = $derived(JSON.stringify(this.checked.spec ?? this.steps, null, 2));

  add(op: TransformSpec['op']): void {
    this.steps = [...this.steps, defaultStep(op)];
  }

  remove(i: number): void {
    this.steps = this.steps.filter((_, k) => k !== i);
  }

  move(i: number, by: number): void {
    this.steps = moveItem(this.steps, i, by);
  }

  setParam(i: number, key: string, kind: ParamKind, raw: string | boolean): void {
    this.steps = this.steps.map((s, k) => (k === i ? withParam(s, key, kind, raw) : s));
  }

  /** Replaces the steps and seed (from a permalink); an invalid spec is kept to be shown. */
  load(spec: PipelineSpec, seed: number): void {
    this.steps = spec.map((s) => ({ ...s }));
    this.seed = seed;
  }

  /** Why the last seed entered was refused (the seed in use stays); null when it was taken. */
  seedError = $state<string | null>(null);

  /**
   * Sets the seed from an input's text: a non-negative integer. Anything else leaves the seed in
   * use as it was and says so in {@link seedError}; returns whether the text was taken.
   */
  setSeed(text: string): boolean {
    const n = text.trim() === '' ? NaN : Number(text);
    if (Number.isSafeInteger(n) && n >= 0) {
      this.seed = n;
      this.seedError = null;
      return true;
    }
    this.seedError = `Seed must be an integer in [0, ${Number.MAX_SAFE_INTEGER}], got ${JSON.stringify(text)}: the seed in use stays ${this.seed}.`;
    return false;
  }

  /** Computes {@link hash} for the current spec (the latest call wins). */
  async updateHash(): Promise<void> {
    const token = ++this.#hashToken;
    const spec = this.checked.spec;
    const hash = spec ? await specHash(spec) : null;
    if (token === this.#hashToken) this.hash = hash;
  }

  /**
   * A note for each crop larger than the image it gets (the crop pads with zeros: black), from
   * the first sample, the steps run one by one to know the size each gets.
   */
  padNotes(samples: readonly Sample[]): string[] {
    const spec = this.checked.spec;
    const first = samples[0];
    if (!spec || !first) return [];
    const notes: string[] = [];
    const rng = rngFor(this.seed, 0, BigInt(first.rowId));
    let img = first.image;
    try {
      spec.forEach((step, i) => {
        if (step.op === 'center-crop' || step.op === 'random-crop') {
          if (step.width > img.width || step.height > img.height) {
            notes.push(
              `Step ${i + 1} (${step.op} ${step.width}×${step.height}) is larger than the ${img.width}×${img.height} image it gets: the rest is filled with zeros (black).`,
            );
          }
        }
        img = applyPipeline([step], img, rng);
      });
    } catch {
      // A step that fails says so in the previews (below); no note then.
    }
    return notes;
  }

  /** Each sample before and after the pipeline. */
  previews(samples: readonly Sample[]): PreviewPair[] {
    const spec = this.checked.spec;
    return samples.map((s) => {
      const base = { rowId: s.rowId, label: s.label, before: s.image };
      if (!spec) return { ...base, after: null, error: 'the pipeline is invalid' };
      try {
        const after = applyPipeline(spec, s.image, rngFor(this.seed, 0, BigInt(s.rowId)));
        return { ...base, after, error: null };
      } catch (e) {
        return { ...base, after: null, error: e instanceof Error ? e.message : String(e) };
      }
    });
  }
}
