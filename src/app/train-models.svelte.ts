/**
 * A dataset's trained models and unfinished runs (checkpoints), as the Train tab lists them,
 * and a model's export (.onnx and model card) as download links: object URLs, freed when
 * another export replaces them or the tab goes.
 */
import type { ModelClient } from '../../workers/api/model-client.ts';
import type { CheckpointInfo, ModelListItem } from '../../workers/api/model.api.ts';
import { describeError, type ErrorInfo } from './format.ts';

/** A downloadable export: object URLs of the .onnx file and the model card. */
export interface ExportLinks {
  id: string;
  onnxName: string;
  onnxHref: string;
  cardName: string;
  cardHref: string;
}

/** See the module comment. */
export class TrainModels {
  list = $state.raw<ModelListItem[]>([]);
  checkpoints = $state.raw<CheckpointInfo[]>([]);
  exported = $state.raw<ExportLinks | null>(null);
  exportError = $state.raw<ErrorInfo | null>(null);

  readonly #model: () => ModelClient;

  /** `model` gives the model worker's client (started when it is not running). */
  constructor(model: () => ModelClient) {
    this.#model = model;
  }

  /**
   * Reads `dataset`'s models and unfinished runs; they are shown only if `current()` still
   * holds when they arrive (the tab may have moved to another dataset meanwhile).
   */
  async refresh(dataset: string, current: () => boolean): Promise<void> {
    const [models, checkpoints] = await Promise.all([
      this.#model().call('models', [dataset]),
      this.#model().call('checkpoints', [dataset]),
    ]);
    if (!current()) return;
    this.list = models;
    this.checkpoints = checkpoints;
  }

  /** Fetches model `id` of `dataset` (.onnx and card) and makes download links for both. */
  async export(dataset: string, id: string): Promise<ExportLinks | null> {
    this.exportError = null;
    try {
      const x = await this.#model().call('exportModel', [dataset, id]);
      this.revokeExport();
      const card = new Blob([JSON.stringify(x.card, null, 2)], { type: 'application/json' });
      this.exported = {
        id,
        onnxName: `${x.base}.onnx`,
        onnxHref: URL.createObjectURL(new Blob([x.onnx], { type: 'application/octet-stream' })),
        cardName: `${x.base}.model-card.json`,
        cardHref: URL.createObjectURL(card),
      };
      return this.exported;
    } catch (e) {
      this.exportError = describeError(e);
      return null;
    }
  }

  /** Frees the export's links and hides them. */
  revokeExport(): void {
    if (!this.exported) return;
    URL.revokeObjectURL(this.exported.onnxHref);
    URL.revokeObjectURL(this.exported.cardHref);
    this.exported = null;
  }
}
