/**
 * Opening a loader permalink in the pipeline view: the dataset, branch, record set, columns,
 * pipeline, seed and loader settings it names are put into the builder and the loader panel.
 * The link pins a commit; a lake that does not hold that commit (another profile that saved
 * the same dataset made its own commit) reads the ref the link was made from instead, and
 * says so — the epoch hash then shows whether the batches are the same. A lake without the
 * link's dataset still takes its pipeline, seed and loader settings (nothing of the link is
 * lost), and the view says which dataset is missing and where to get it: the bundled example
 * that saves as it, if there is one (pipeline-example.ts), and the dataset's source URL when the
 * link carries one (links made before it did, or from a local or signed source, do not).
 */
import { parseLoaderPermalink, type LoaderPermalink } from '../lib/pipeline/loader-config.ts';
import { describeError, type ErrorInfo } from './format.ts';
import type { BundledExample } from './pipeline-example.ts';
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
  | {
      status: 'missing';
      dataset: string;
      /** The link's permalink, to open again once the dataset is in the lake. */
      permalink: string;
      /** Where the dataset came from, when the link says (an http(s) URL). */
      source: string | null;
      /** The bundled example that saves as the dataset, if one does. */
      example: BundledExample | null;
      /** Why the bundled examples could not be searched, if they could not. */
      exampleError: string | null;
    }
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
  readonly #findExample: (dataset: string) => Promise<BundledExample | null>;

  /** `findExample`: the bundled example that saves as a dataset (pipeline-example.ts). */
  constructor(lake: LakeCatalog, findExample: (dataset: string) => Promise<BundledExample | null>) {
    this.#lake = lake;
    this.#findExample = findExample;
  }

  /** Reads `text` (a permalink or a link holding one) and configures `targets` from it. */
  async open(text: string, targets: LinkTargets): Promise<boolean> {
    this.state = { status: 'opening' };
    try {
      const permalink = permalinkIn(text);
      const link = parseLoaderPermalink(permalink);
      const { config } = link;
      let found: { rev: string; notice: string | null };
      try {
        found = await this.#locate(link);
      } catch (e) {
        if (describeError(e).code !== 'UNKNOWN_DATASET') throw e;
        await this.#missing(permalink, link, targets);
        return false;
      }
      const { rev, notice } = found;
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

  /**
   * The revision to read: the link's commit, or the ref it was made from when this lake does
   * not hold that commit (with a notice saying so). UNKNOWN_DATASET when the lake lacks the
   * dataset: a commit looked up by its hash is MISSING_CHUNK then, the ref UNKNOWN_DATASET.
   */
  async #locate(link: LoaderPermalink): Promise<{ rev: string; notice: string | null }> {
    const { dataset } = link.config;
    try {
      await this.#lake.call('commit', [dataset, link.commit]);
      return { rev: link.commit, notice: null };
    } catch (e) {
      if (!MISSING.has(describeError(e).code)) throw e;
    }
    const head = await this.#lake.call('commit', [dataset, link.ref]);
    const notice =
      `Commit ${link.commit.slice(0, 12)} of the link is not in this lake; reading ` +
      `${link.ref} (commit ${head.hash.slice(0, 12)}) instead. Compare the epoch hashes ` +
      'to see whether the batches are the same.';
    return { rev: link.ref, notice };
  }

  /** Takes what the link says but its dataset, which this lake lacks, and says where to get it. */
  async #missing(permalink: string, link: LoaderPermalink, targets: LinkTargets): Promise<void> {
    const { config, source } = link;
    targets.builder.load(config.augment, config.shuffle.seed);
    targets.settings.load(config);
    let example: BundledExample | null = null;
    let exampleError: string | null = null;
    try {
      example = await this.#findExample(config.dataset);
    } catch (e) {
      exampleError = describeError(e).message;
    }
    this.state = {
      status: 'missing',
      dataset: config.dataset,
      permalink,
      source,
      example,
      exampleError,
    };
  }

  dismiss(): void {
    this.state = { status: 'idle' };
  }
}
