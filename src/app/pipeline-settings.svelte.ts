/**
 * The loader panel's settings, and the loader configuration they make with the builder's. A
 * value typed into a field is used only when it is valid; otherwise the field keeps it, says
 * why it is refused ({@link LoaderSettings.errors}) and no configuration is made, so a run never
 * uses a value other than the one shown.
 */
import type { LoaderConfig } from '../lib/pipeline/loader-config.ts';
import type { PipelineSpec } from '../lib/pipeline/image.ts';
import type { PipelineSource } from './pipeline-source.svelte.ts';

/** Worker counts offered. */
export const WORKER_CHOICES = [1, 2, 4] as const;

/** The typed settings, with their labels and bounds. */
export const SETTING_FIELDS = {
  batchSize: { label: 'Batch size', min: 1, max: 4096 },
  prefetch: { label: 'Prefetch', min: 0, max: 16 },
  epoch: { label: 'Epoch', min: 0, max: 1_000_000 },
} as const;
export type SettingField = keyof typeof SETTING_FIELDS;

/** See the module comment. */
export class LoaderSettings {
  batchSize = $state(32);
  workers = $state(2);
  prefetch = $state(2);
  epoch = $state(0);
  /** The text typed into a field that was refused, and why, by field. */
  refused = $state.raw<Partial<Record<SettingField, { text: string; message: string }>>>({});

  /** The first refused field's message, or null when every field holds a valid value. */
  get problem(): string | null {
    const field = (Object.keys(SETTING_FIELDS) as SettingField[]).find((f) => this.refused[f]);
    return field ? this.refused[field]!.message : null;
  }

  /** What `field` shows: the refused text, or the value in use. */
  shown(field: SettingField): string {
    return this.refused[field]?.text ?? String(this[field]);
  }

  /** Takes the text typed into `field`: an integer in its bounds is used, anything else refused. */
  set(field: SettingField, text: string): void {
    const { label, min, max } = SETTING_FIELDS[field];
    const t = text.trim();
    const n = t === '' ? NaN : Number(t);
    const others = { ...this.refused };
    delete others[field];
    if (Number.isInteger(n) && n >= min && n <= max) {
      this[field] = n;
      this.refused = others;
    } else {
      const got = t === '' ? 'nothing' : t;
      const message = `${label} must be an integer in [${min}, ${max}], got ${got}`;
      this.refused = { ...others, [field]: { text, message } };
    }
  }

  /** Takes the settings of a permalink's configuration. */
  load(config: LoaderConfig): void {
    this.batchSize = config.batchSize;
    this.workers = config.workers;
    this.prefetch = config.prefetch;
    const { epoch } = this.refused;
    this.refused = epoch ? { epoch } : {};
  }

  /** The loader configuration, or null while the source or spec is not ready or a field is refused. */
  config(source: PipelineSource, spec: PipelineSpec | null, seed: number): LoaderConfig | null {
    const rs = source.recordSetInfo;
    if (!source.dataset || !rs || !source.imageColumn || !spec || this.problem) return null;
    return {
      dataset: source.dataset,
      ref: source.rev,
      recordSet: rs.id,
      fields: {
        image: source.imageColumn,
        ...(source.labelColumn ? { label: source.labelColumn } : {}),
      },
      batchSize: this.batchSize,
      shuffle: { seed },
      augment: spec,
      workers: this.workers,
      prefetch: this.prefetch,
    };
  }
}
