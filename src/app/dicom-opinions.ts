/**
 * The DICOM viewer's link to the opinions of a dataset (docs/opinions.md): an overlay source
 * drawing the opinions about the item shown (labels, predictions, corrections, boxes, points,
 * masks), and where measurements are saved as opinions and read back when the item is opened
 * again. An item is a subject when the viewer knows its record set and row id (the Query
 * view's rows of one record set). Opinions are read from the revision viewed and from the
 * opinions branch (`labels`, where they are written, created from the import branch when
 * missing, as the Labels tab does); read by SQL in the query worker, written by its
 * `addOpinions`.
 */
import { DEFAULT_OPINIONS_BRANCH, OPINIONS_RS } from '../lib/opinions/model.ts';
import { lakeSqlName } from '../lib/query/lake-names.ts';
import { literal } from '../lib/query/sql.ts';
import type { BatchSummary, PageOpinion } from '../../workers/api/opinions.api.ts';
import type { Annotation, AnnotatedItem, OverlaySource } from './dicom-annotations.ts';
import {
  MEASUREMENT_QUESTION,
  readOpinions,
  type ItemOpinion,
  type MeasurementValue,
} from './dicom-opinion-shapes.ts';
import type { LakeCatalog } from './lake-catalog.svelte.ts';
import type { QueryHost } from './query-host.svelte.ts';

/** The item as a subject of opinions: a record set and a row id (decimal). */
export interface SubjectRef {
  set: string;
  row: string;
}

/** What the opinions about one item show. */
export type ItemOpinions = ReturnType<typeof readOpinions>;

/** A measurement to save, with the item it was made on. */
export interface MeasurementToSave {
  subject: SubjectRef;
  value: MeasurementValue;
}

/** The subject of an item, when known (see ImageGrid). */
export const subjectOf = (item: AnnotatedItem): SubjectRef | undefined => item.subject;

/** See the module comment. */
export class ViewerOpinions implements OverlaySource {
  readonly id = 'opinions';
  readonly label = 'Opinions';
  readonly #cache = new Map<string, Promise<ItemOpinions>>();
  #heads: Promise<string[]> | null = null;

  constructor(
    readonly lake: LakeCatalog,
    readonly host: QueryHost,
    readonly dataset: string,
    readonly rev: string,
    /** Aliases of the subject record set (its @id and name), as opinions may name it either way. */
    readonly setNames: readonly string[],
    readonly branch: string = DEFAULT_OPINIONS_BRANCH,
  ) {}

  /** The commits to read opinions from: the one viewed, and the opinions branch's head. */
  #commits(): Promise<string[]> {
    // Read once (scrolling a series asks for every slice), again after a save moved the branch.
    if (!this.#heads) {
      const p = this.#readCommits();
      p.catch(() => (this.#heads = null));
      this.#heads = p;
    }
    return this.#heads;
  }

  async #readCommits(): Promise<string[]> {
    const viewed = await this.lake.call('commit', [this.dataset, this.rev]);
    const out = viewed.recordSets.some((r) => r.id === OPINIONS_RS) ? [viewed.hash] : [];
    const branches = await this.lake.call('branches', [this.dataset]);
    const own = branches.find((b) => b.name === this.branch);
    if (own && !out.includes(own.commit)) {
      const c = await this.lake.call('commit', [this.dataset, own.commit]);
      if (c.recordSets.some((r) => r.id === OPINIONS_RS)) out.push(c.hash);
    }
    return out;
  }

  async #load(subject: SubjectRef): Promise<ItemOpinions> {
    const seen = new Map<string, ItemOpinion>();
    const sets = [...new Set([subject.set, ...this.setNames])].map(literal).join(', ');
    for (const commit of await this.#commits()) {
      const rows = await this.host.rows(
        `SELECT opinion_id, question, value_type, value, region, confidence, actor_kind, actor_id, parents
         FROM ${lakeSqlName(this.dataset, commit, OPINIONS_RS)}
         WHERE subject_set IN (${sets}) AND subject_row = ${literal(BigInt(subject.row))}
         ORDER BY created_at NULLS FIRST, opinion_id`,
      );
      for (const r of rows) {
        const id = String(r.opinion_id);
        if (seen.has(id)) continue;
        seen.set(id, {
          id,
          question: String(r.question),
          valueType: String(r.value_type),
          value: String(r.value),
          region: r.region === null ? null : String(r.region),
          confidence: r.confidence === null ? null : Number(r.confidence),
          actorKind: String(r.actor_kind),
          actorId: String(r.actor_id),
          parents: r.parents ? String(r.parents).split(',') : [],
        });
      }
    }
    return readOpinions([...seen.values()]);
  }

  /** The opinions about `item` (none when it is not a subject), read once until a save. */
  opinionsFor(item: AnnotatedItem): Promise<ItemOpinions> {
    const subject = subjectOf(item);
    if (!subject) return Promise.resolve({ shapes: [], measurements: [] });
    const key = `${subject.set}#${subject.row}`;
    let p = this.#cache.get(key);
    if (!p) {
      p = this.#load(subject);
      // A failed read is not kept: the next look tries again.
      p.catch(() => this.#cache.delete(key));
      this.#cache.set(key, p);
    }
    return p;
  }

  async annotationsFor(item: AnnotatedItem): Promise<Annotation[]> {
    return (await this.opinionsFor(item)).shapes;
  }

  /** Saves measurements as opinions of `reader` (a human) on the opinions branch: one commit. */
  async save(list: readonly MeasurementToSave[], reader: string): Promise<BatchSummary> {
    const createdAt = new Date().toISOString();
    const opinions: PageOpinion[] = list.map((m) => ({
      subject: m.subject,
      question: MEASUREMENT_QUESTION,
      valueType: 'json',
      value: m.value,
      actor: { kind: 'human', id: reader },
      createdAt,
    }));
    const r = await this.host.client.call('addOpinions', [
      this.dataset,
      this.branch,
      opinions,
      'viewer measurement',
    ]);
    this.#heads = null;
    for (const m of list) this.#cache.delete(`${m.subject.set}#${m.subject.row}`);
    void this.lake.refresh();
    return r;
  }
}
