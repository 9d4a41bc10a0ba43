/**
 * Opening a loader permalink in the pipeline view: the dataset, branch, record set, columns,
 * pipeline, seed and loader settings it names are put into the builder and the loader panel.
 * The link pins a commit; a lake that does not hold that commit (another profile that saved
 * the same dataset made its own commit) reads the ref the link was made from instead, and
 * says so — the epoch hash then shows whether the batches are the same.
 */
import { parseLoaderPermalink } from '../lib/pipeline/loader-config.ts';
import { describeError, type ErrorInfo } from './format.ts';
import type { LakeCatalog } from './lake-catalog.svelte.ts';
import { permalinkIn } from './pipeline-address.ts';
import type { PipelineBuilder } from './pipeline-builder.svelte.ts';
import type { LoaderSettings } from './pipeline-settings.svelte.ts';
import type { PipelineSource } from './pipeline-source.svelte.ts';

/** Codes meaning: this lake does not hold the link's commit. */
const MISSING = new Set(['MISSING_CHUNK', 'UNKNOWN_REF']);

/** Where opening a link stands. */
export type LinkState =
  | { status: 'idle' }
  | { status: 'opening' }
  | { status: 'opened'; dataset: string; rev: string; notice: string | null }
  | { status: 'failed'; error: ErrorInfo };

/** The parts of the pipeline view a link configures. */
export interface LinkTargets {
  source: PipelineSource;
  builder: PipelineBuilder;
  settings: LoaderSettings;
}

/** See the module comment. */
export class LoaderLinkOpener {
  state = $state.raw<LinkState>({ status: 'idle' });
  readonly #lake: LakeCatalog;

  constructor(lake: LakeCatalog) {
    this.#lake = lake;
  }

  /** Reads `text` (a permalink or a link holding one) and configures `targets` from it. */
  async open(text: string, targets: LinkTargets): Promise<boolean> {
    this.state = { status: 'opening' };
    try {
      const link = parseLoaderPermalink(permalinkIn(text));
      const { config, commit } = link;
      let rev = commit;
      let notice: string | null = null;
      try {
        await this.#lake.call('commit', [config.dataset, commit]);
      } catch (e) {
        if (!MISSING.has(describeError(e).code)) throw e;
        const head = await this.#lake.call('commit', [config.dataset, link.ref]);
        rev = link.ref;
        notice =
          `Commit ${commit.slice(0, 12)} of the link is not in this lake; reading ` +
          `${link.ref} (commit ${head.hash.slice(0, 12)}) instead. Compare the epoch hashes ` +
          'to see whether the batches are the same.';
      }
      targets.builder.load(config.augment, config.shuffle.seed);
      targets.settings.load(config);
      await targets.source.select(config.dataset, rev, {
        ...(config.recordSet ? { recordSet: config.recordSet } : {}),
        image: config.fields.image,
        label: config.fields.label ?? null,
      });
      this.state = { status: 'opened', dataset: config.dataset, rev, notice };
      return true;
    } catch (e) {
      this.state = { status: 'failed', error: describeError(e) };
      return false;
    }
  }

  dismiss(): void {
    this.state = { status: 'idle' };
  }
}
