/**
 * What a pipeline reads: a dataset of the lake at a branch or tag, one of its record sets, the
 * image column and (optionally) the label column, and a few sample images of it (decoded on the
 * page, for the builder's before/after previews). Every load is superseded by the next one, and
 * nothing lands after `destroy()`.
 */
import type { CommitInfo, RecordSetInfo, RefInfo } from '../../workers/api/lake.api.ts';
import { decodeImage } from '../lib/pipeline/decode.ts';
import type { Image } from '../lib/pipeline/image.ts';
import { describeError } from './format.ts';
import type { LakeCatalog } from './lake-catalog.svelte.ts';
import type { Loading } from './lake-dataset.svelte.ts';

/** Sample images shown by the builder. */
export const SAMPLE_COUNT = 6;

/** A sample image: its row, its label, and its pixels as stored. */
export interface Sample {
  rowId: string;
  label: string | null;
  image: Image;
}

/** Columns to pick when a record set is shown (a permalink's, else the first that fit). */
export interface SourceWish {
  recordSet?: string;
  image?: string;
  label?: string | null;
}

function shaOf(cell: unknown): string | null {
  if (typeof cell === 'string' && /^[0-9a-f]{64}$/.test(cell)) return cell;
  if (cell && typeof cell === 'object' && 'sha256' in cell) {
    const sha = (cell as { sha256: unknown }).sha256;
    return typeof sha === 'string' ? sha : null;
  }
  return null;
}

const LABEL = /label|class|categor|diagnos|target|lesion|finding/i;

/**
 * How well a record set suits a pipeline: decoded images first, then a label to go with them,
 * then the most columns (the joined record set rather than a bare file listing).
 */
function fitness(rs: RecordSetInfo): number {
  const image = rs.columns.some((c) => c.type === 'image') ? 1000 : 0;
  const label = rs.columns.some((c) => c.type !== 'image' && LABEL.test(c.name)) ? 500 : 0;
  return image + label + rs.columns.length;
}

/** See the module comment. */
export class PipelineSource {
  dataset = $state<string | null>(null);
  rev = $state('main');
  refs = $state.raw<RefInfo[]>([]);
  commit = $state.raw<Loading<CommitInfo>>({ status: 'idle' });
  recordSet = $state<string | null>(null);
  imageColumn = $state<string | null>(null);
  labelColumn = $state<string | null>(null);
  samples = $state.raw<Loading<Sample[]>>({ status: 'idle' });

  readonly #lake: LakeCatalog;
  #token = 0;
  #sampleToken = 0;
  #destroyed = false;

  constructor(lake: LakeCatalog) {
    this.#lake = lake;
  }

  /** The shown record set. */
  get recordSetInfo(): RecordSetInfo | undefined {
    if (this.commit.status !== 'ready') return undefined;
    return this.commit.value.recordSets.find((r) => r.id === this.recordSet);
  }

  /** Record sets with an image (or blob) column. */
  get imageRecordSets(): RecordSetInfo[] {
    if (this.commit.status !== 'ready') return [];
    return this.commit.value.recordSets.filter((r) =>
      r.columns.some((c) => c.type === 'image' || c.type === 'blob'),
    );
  }

  /** The commit the branch or tag points at, once read. */
  get commitHash(): string | null {
    return this.commit.status === 'ready' ? this.commit.value.hash : null;
  }

  /** Shows `dataset` at `rev` (branch, tag or commit) and picks columns (see {@link SourceWish}). */
  async select(dataset: string, rev: string, wish: SourceWish = {}): Promise<void> {
    const token = ++this.#token;
    this.dataset = dataset;
    this.rev = rev;
    this.commit = { status: 'loading' };
    this.samples = { status: 'idle' };
    try {
      const [refs, info] = await Promise.all([
        this.#lake.call('branches', [dataset]),
        this.#lake.call('commit', [dataset, rev]),
      ]);
      if (this.#destroyed || token !== this.#token) return;
      this.refs = refs;
      this.commit = { status: 'ready', value: info };
      const sets = this.imageRecordSets;
      const pick =
        sets.find((r) => r.id === wish.recordSet || r.name === wish.recordSet) ??
        sets.find((r) => r.id === this.recordSet) ??
        [...sets].sort((a, b) => fitness(b) - fitness(a))[0];
      this.recordSet = pick?.id ?? null;
      this.#pickColumns(wish);
      await this.loadSamples();
    } catch (e) {
      if (!this.#destroyed && token === this.#token) {
        this.commit = { status: 'failed', error: describeError(e) };
      }
    }
  }

  /** Shows another record set of the same commit. */
  selectRecordSet(id: string): Promise<void> {
    this.recordSet = id;
    this.#pickColumns({});
    return this.loadSamples();
  }

  /** Uses another image column. */
  selectImageColumn(name: string): Promise<void> {
    this.imageColumn = name;
    return this.loadSamples();
  }

  #pickColumns(wish: SourceWish): void {
    const cols = this.recordSetInfo?.columns ?? [];
    const images = cols.filter((c) => c.type === 'image' || c.type === 'blob');
    this.imageColumn = (images.find((c) => c.name === wish.image) ?? images[0])?.name ?? null;
    const values = cols.filter((c) => c.type === 'utf8' || c.type === 'int64' || c.type === 'bool');
    if (wish.label !== undefined) {
      this.labelColumn = values.find((c) => c.name === wish.label)?.name ?? null;
    } else {
      this.labelColumn = values.find((c) => LABEL.test(c.name))?.name ?? null;
    }
  }

  /** Reads and decodes the first {@link SAMPLE_COUNT} images of the record set. */
  async loadSamples(): Promise<void> {
    const token = ++this.#sampleToken;
    const { dataset, recordSet, imageColumn, commitHash } = this;
    if (!dataset || !recordSet || !imageColumn || !commitHash) {
      this.samples = { status: 'idle' };
      return;
    }
    this.samples = { status: 'loading' };
    try {
      const page = await this.#lake.call('rows', [dataset, commitHash, recordSet, 0, SAMPLE_COUNT]);
      const label = this.labelColumn;
      const samples = await Promise.all(
        page.rows.map(async ({ rowid, row }): Promise<Sample | null> => {
          const sha = shaOf(row[imageColumn]);
          if (!sha) return null;
          const bytes = await this.#lake.call('image', [dataset, commitHash, sha]);
          const image = await decodeImage(bytes);
          const l = label ? row[label] : null;
          return { rowId: rowid, label: l === null || l === undefined ? null : String(l), image };
        }),
      );
      if (this.#destroyed || token !== this.#sampleToken) return;
      this.samples = { status: 'ready', value: samples.filter((s): s is Sample => s !== null) };
    } catch (e) {
      if (!this.#destroyed && token === this.#sampleToken) {
        this.samples = { status: 'failed', error: describeError(e) };
      }
    }
  }

  /** Stops updates; loads in flight land nowhere. */
  destroy(): void {
    this.#destroyed = true;
  }
}
