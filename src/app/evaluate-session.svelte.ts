/**
 * The Evaluate panel's state: the model evaluated (one of the dataset's, or a dropped or picked
 * .onnx file whose inputs and outputs the worker reads first), the rows (a branch, all of it or
 * one value of a split column), the branch the predictions go to, and for a file the mapping of
 * the image column onto its input (checked against its input as it is typed, with
 * preprocess.ts's own rules). Evaluate runs in the model worker with progress and cancel; the
 * finished run's metrics report can be downloaded as JSON, and its predictions opened in SQL,
 * joined with the metadata by `_rowid`.
 */
import type { ModelClient } from '../../workers/api/model-client.ts';
import type {
  ModelListItem,
  EvaluateProgress,
  EvaluateRequest,
  EvaluateSummary,
  InputMapping,
  OnnxSignature,
  ResolvedMapping,
} from '../../workers/api/model.api.ts';
import { resolveMapping } from '../lib/model/preprocess.ts';
import { lakeSqlName } from '../lib/query/lake-names.ts';
import { describeError, type ErrorInfo } from './format.ts';

/** The model evaluated. */
export type EvalSource =
  | { kind: 'stored'; id: string; label: string; image: string; recordSet: string }
  | { kind: 'file'; name: string; bytes: Uint8Array; signature: OnnxSignature };

/** Where an evaluation stands. */
export type EvalRun =
  | { status: 'idle' }
  | { status: 'running'; progress: EvaluateProgress | null; cancelling: boolean }
  | { status: 'done'; result: EvaluateSummary }
  | { status: 'cancelled' }
  | { status: 'failed'; error: ErrorInfo };

/** The mapping form of a file model, as typed (blank: the model's own value or the default). */
export interface MappingForm {
  input: string;
  width: string;
  height: string;
  channels: '' | '1' | '3';
  layout: '' | 'nchw' | 'nhwc' | 'flat';
  channelOrder: 'rgb' | 'bgr';
  mean: string;
  std: string;
  output: string;
  /** '' for none. */
  embedding: string;
  /** Class names in output order, separated by commas; blank: the label's sorted values. */
  classes: string;
}

/** What the panel's form holds. */
export interface EvalForm {
  ref: string;
  into: string;
  label: string;
  image: string;
  /** '' evaluates every row of the branch. */
  splitColumn: string;
  splitValue: string;
  bootstrap: number;
}

const emptyMapping = (): MappingForm => ({
  input: '',
  width: '',
  height: '',
  channels: '',
  layout: '',
  channelOrder: 'rgb',
  mean: '',
  std: '',
  output: '',
  embedding: '',
  classes: '',
});

const numbers = (s: string): number[] | undefined =>
  s.trim() ? s.split(',').map((x) => (x.trim() === '' ? NaN : Number(x))) : undefined;

/** The mapping a form asks for (blank fields left to the model). */
export function mappingOf(f: MappingForm): InputMapping {
  const m: InputMapping = { channelOrder: f.channelOrder };
  if (f.input) m.input = f.input;
  if (f.width.trim()) m.width = Number(f.width);
  if (f.height.trim()) m.height = Number(f.height);
  if (f.channels) m.channels = f.channels === '1' ? 1 : 3;
  if (f.layout) m.layout = f.layout;
  const mean = numbers(f.mean);
  const std = numbers(f.std);
  if (mean) m.mean = mean;
  if (std) m.std = std;
  return m;
}

/** See the module comment. */
export class EvaluateSession {
  source = $state.raw<EvalSource | null>(null);
  /** Reading a dropped file (its signature, in the worker). */
  inspecting = $state(false);
  fileError = $state.raw<ErrorInfo | null>(null);
  form = $state<EvalForm>({
    ref: 'main',
    into: 'eval',
    label: '',
    image: '',
    splitColumn: '',
    splitValue: '',
    bootstrap: 1000,
  });
  mapping = $state<MappingForm>(emptyMapping());
  run = $state.raw<EvalRun>({ status: 'idle' });
  /** An object URL of the last report as JSON. */
  metricsHref = $state.raw<string | null>(null);

  readonly #client: () => ModelClient;
  readonly #dataset: () => string;
  #controller: AbortController | null = null;
  #destroyed = false;

  constructor(client: () => ModelClient, dataset: () => string) {
    this.#client = client;
    this.#dataset = dataset;
  }

  get busy(): boolean {
    return this.run.status === 'running';
  }

  /** The file's mapping resolved against its input, or why it does not fit. */
  get resolved(): { mapping: ResolvedMapping } | { error: ErrorInfo } | null {
    const s = this.source;
    if (s?.kind !== 'file') return null;
    try {
      return { mapping: resolveMapping(s.signature.inputs, mappingOf(this.mapping), s.name) };
    } catch (e) {
      return { error: describeError(e) };
    }
  }

  /**
   * Evaluates a model of the dataset: its label, image column and record set by default, and
   * the validation rows of its split column (`val`), comparable with training's figure.
   */
  pickModel(m: ModelListItem): void {
    const { label, recordSet, split } = m.lineage.data;
    this.source = { kind: 'stored', id: m.id, label, image: '', recordSet };
    this.fileError = null;
    this.form.label = label;
    this.form.image = '';
    if ('column' in split) {
      this.form.splitColumn = split.column;
      this.form.splitValue = 'val';
    } else this.form.splitColumn = '';
  }

  /** Reads a dropped or picked file's signature; a file that is not ONNX is an error, kept apart. */
  async pickFile(file: File): Promise<void> {
    this.inspecting = true;
    this.fileError = null;
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const signature = await this.#client().call('inspectOnnx', [file.name, bytes]);
      if (this.#destroyed) return;
      this.source = { kind: 'file', name: file.name, bytes, signature };
      const m = emptyMapping();
      m.input = signature.inputs[0]?.name ?? '';
      m.output = signature.outputs.some((o) => o.name === 'logits')
        ? 'logits'
        : (signature.outputs[0]?.name ?? '');
      m.embedding = signature.outputs.some((o) => o.name === 'embedding') ? 'embedding' : '';
      this.mapping = m;
    } catch (e) {
      if (this.#destroyed) return;
      this.fileError = describeError(e);
    } finally {
      this.inspecting = false;
    }
  }

  /** The request the form makes. */
  request(): EvaluateRequest | null {
    const s = this.source;
    const dataset = this.#dataset();
    if (!s || !dataset) return null;
    const f = $state.snapshot(this.form);
    const req: EvaluateRequest = {
      dataset,
      ref: f.ref,
      into: f.into.trim() || f.ref,
      model:
        s.kind === 'stored'
          ? { kind: 'stored', id: s.id }
          : { kind: 'file', name: s.name, bytes: s.bytes },
      label: f.label || null,
      split: f.splitColumn ? { column: f.splitColumn, value: f.splitValue } : null,
      bootstrap: f.bootstrap,
      ...(f.image ? { image: f.image } : {}),
      ...(s.kind === 'stored' ? { recordSet: s.recordSet } : {}),
    };
    if (s.kind === 'file') {
      const m = $state.snapshot(this.mapping);
      req.mapping = mappingOf(m);
      if (m.output) req.output = m.output;
      req.embedding = m.embedding || null;
      const classes = m.classes
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean);
      if (classes.length) req.classes = classes;
    }
    return req;
  }

  /** Runs the evaluation in the model worker. */
  async evaluate(): Promise<void> {
    const req = this.request();
    if (!req || this.busy) return;
    const controller = new AbortController();
    this.#controller = controller;
    this.run = { status: 'running', progress: null, cancelling: false };
    this.#revoke();
    try {
      const result = await this.#client().call('evaluate', [req], {
        signal: controller.signal,
        onProgress: (p) => {
          if (this.#controller === controller && this.run.status === 'running') {
            this.run = { ...this.run, progress: p };
          }
        },
      });
      if (this.#destroyed) return;
      this.run = { status: 'done', result };
      if (result.metrics) {
        const blob = new Blob([JSON.stringify(result.metrics, null, 2)], {
          type: 'application/json',
        });
        this.metricsHref = URL.createObjectURL(blob);
      }
    } catch (e) {
      if (this.#destroyed) return;
      const error = describeError(e);
      this.run = error.code === 'ABORTED' ? { status: 'cancelled' } : { status: 'failed', error };
    } finally {
      if (this.#controller === controller) this.#controller = null;
    }
  }

  /** Cancels the evaluation in flight; nothing is written. */
  cancel(): void {
    if (this.run.status !== 'running' || !this.#controller) return;
    this.run = { ...this.run, cancelling: true };
    this.#controller.abort();
  }

  /** The metrics file's name. */
  get metricsName(): string {
    const r = this.run.status === 'done' ? this.run.result : null;
    const model = r ? r.model.id.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 40) : 'model';
    return `${this.#dataset()}-${model}-metrics.json`;
  }

  /** The finished run's predictions joined with the metadata record set, in SQL. */
  get sql(): string | null {
    if (this.run.status !== 'done') return null;
    const r = this.run.result;
    const p = lakeSqlName(r.dataset, r.predictions.branch, r.predictions.recordSet);
    const m = lakeSqlName(r.dataset, r.predictions.branch, r.recordSetName);
    return (
      `SELECT p.predicted, p.target, p.correct, p.confidence, p.loss, m.*\n` +
      `FROM ${p} p\nJOIN ${m} m USING (_rowid)\nORDER BY p.loss DESC`
    );
  }

  #revoke(): void {
    if (this.metricsHref) URL.revokeObjectURL(this.metricsHref);
    this.metricsHref = null;
  }

  /** Stops listening and frees the export link (the worker belongs to the Train tab). */
  destroy(): void {
    this.#destroyed = true;
    this.#controller?.abort();
    this.#revoke();
  }
}
