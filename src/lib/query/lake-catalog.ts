/**
 * The lake as SQL names (lake-names.ts). {@link LakeCatalog.binder} runs before each query: it
 * resolves every `"<dataset>@<rev>".<record set>` the query names to a commit, loads that
 * record set's live rows (deletions and extension columns applied, lake-load.ts) into a DuckDB
 * table named by commit and record set, and points the view `"<dataset>@<rev>".<record set>`
 * at it. Only the record sets a query names are loaded; describing a dataset loads nothing. A commit is loaded once: a later query at the same commit uses the table; a branch
 * that moved is bound to its new commit, and tables no SQL name refers to any more are dropped.
 */
import { LakeError } from '../store/errors.ts';
import { sqlFold } from '../versions/ref-names.ts';
import { getChunk } from '../versions/chunks.ts';
import type { Lake } from '../versions/lake.ts';
import type { Commit, RecordSetManifest } from '../versions/manifest.ts';
import type { Binder, BindContext } from './binder.ts';
import type { LoadedTable } from './engine.ts';
import { checkQueryAborted, lakeErrorInQuery } from './errors.ts';
import { loadRecordSet } from './lake-load.ts';
import {
  ROWID_COLUMN,
  findRecordSet,
  lakeSchema,
  lakeSqlName,
  parseLakeSchema,
  sqlColumns,
  viewNames,
  type SqlColumn,
} from './lake-names.ts';
import { ident, qualified, selectFrom, type TableName } from './sql.ts';
import { documentDescriptions, type Descriptions } from './roles.ts';
import type { QualifiedRef } from './tokens.ts';

/** Where loaded record sets are kept: `"_lake"."<commit>/<record set id>"`. */
export const CACHE_SCHEMA = '_lake';

const FULL_HASH = /^[0-9a-f]{64}$/;

/** A column of a record set's view, with its field's description when the document has one. */
export interface LakeColumnInfo extends SqlColumn {
  description?: string;
}

/** A record set as SQL sees it, without loading it. */
export interface LakeTableInfo {
  /** `"titanic@main"."passengers"`. */
  sqlName: string;
  recordSet: string;
  name: string;
  rows: number;
  /** The columns of the view, `_rowid` (BIGINT) first. */
  columns: LakeColumnInfo[];
  /** The record set's description in the Croissant document (roles.ts reads it). */
  description?: string;
}

/** A dataset at a revision as SQL sees it. */
export interface LakeSchemaInfo {
  /** The schema name, unquoted: `titanic@main`. */
  schema: string;
  dataset: string;
  rev: string;
  commit: string;
  tables: LakeTableInfo[];
}

interface BoundSchema {
  commit: string;
  /** Record set ids whose view exists in the schema. */
  views: Set<string>;
}

/**
 * The lake's SQL names for one engine: it remembers which tables and views it created there,
 * so give each engine its own catalog (`DuckDBEngine.open(db, { binder: catalog.binder })`).
 */
export class LakeCatalog {
  readonly #lake: Lake;
  /** Loaded tables by `<commit>/<record set id>`. */
  readonly #tables = new Set<string>();
  /** Bound schemas by lowercase name (DuckDB's names ignore case). */
  readonly #schemas = new Map<string, BoundSchema>();
  #cacheSchema = false;
  /** Descriptions of the Croissant documents described lately, by document chunk. */
  readonly #descriptions = new Map<string, Descriptions>();
  /** Record sets loaded from the lake so far (cache misses). */
  loads = 0;

  constructor(lake: Lake) {
    this.#lake = lake;
  }

  /** The binder to give the engine (`DuckDBEngine.open(db, { binder })`). */
  readonly binder: Binder = (refs, ctx) => this.#bind(refs, ctx);

  /** Resolves `rev` of `dataset`; a full hash must be a commit of that dataset. */
  async resolve(dataset: string, rev: string): Promise<[string, Commit]> {
    const hash = FULL_HASH.test(rev) ? rev : await this.#lake.resolve(dataset, rev);
    const commit = await this.#lake.readCommit(hash);
    if (commit.dataset !== dataset) {
      throw new LakeError(
        'UNKNOWN_REF',
        `commit ${hash} belongs to dataset ${commit.dataset}, not to ${dataset}`,
      );
    }
    return [hash, commit];
  }

  /**
   * The SQL names and columns of `dataset` at `rev`, loading no rows; with the descriptions the
   * commit's Croissant document gives its record sets and fields.
   */
  async describe(dataset: string, rev: string): Promise<LakeSchemaInfo> {
    const [commit, c] = await this.resolve(dataset, rev);
    const d = await this.#documentDescriptions(dataset, commit, c);
    const described = <T extends object>(value: T, text: string | undefined) =>
      text === undefined ? value : { ...value, description: text };
    return {
      schema: lakeSchema(dataset, rev),
      dataset,
      rev,
      commit,
      tables: Object.entries(c.recordSets).map(([id, rs]) =>
        described(
          {
            sqlName: lakeSqlName(dataset, rev, rs.name),
            recordSet: id,
            name: rs.name,
            rows: rs.rows,
            columns: [
              { name: ROWID_COLUMN, column: ROWID_COLUMN, type: 'int64' as const },
              ...sqlColumns(id, rs).map((col, i) => {
                const def = rs.columns[i]!;
                return described(col, d.fields.get(def.field ?? def.name));
              }),
            ],
          },
          d.recordSets.get(id) ?? d.recordSets.get(rs.name),
        ),
      ),
    };
  }

  /** The descriptions in `commit`'s Croissant document (read once per document). */
  async #documentDescriptions(dataset: string, at: string, commit: Commit): Promise<Descriptions> {
    const hash = commit.document;
    if (!hash) return documentDescriptions(null);
    const cached = this.#descriptions.get(hash);
    if (cached) return cached;
    const what = `the Croissant document of ${dataset} at commit ${at.slice(0, 12)}`;
    const bytes = await getChunk(this.#lake.chunks, hash, what);
    let doc: unknown = null;
    try {
      doc = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      // Stored verbatim as it was read: a document that is not JSON describes nothing here.
    }
    const d = documentDescriptions(doc);
    if (this.#descriptions.size >= 8) this.#descriptions.clear();
    this.#descriptions.set(hash, d);
    return d;
  }

  async #bind(refs: QualifiedRef[], ctx: BindContext): Promise<LoadedTable[]> {
    const wanted = new Map<string, { schema: string; at: number; tables: Map<string, number> }>();
    for (const r of refs) {
      if (!parseLakeSchema(r.schema)) continue;
      // One schema to DuckDB (which ignores the case of A–Z only), so one key here.
      const key = sqlFold(r.schema);
      const entry = wanted.get(key) ?? { schema: r.schema, at: r.at, tables: new Map() };
      if (entry.schema !== r.schema) {
        // Two refs whose names differ only by case (made before such names were refused):
        // DuckDB would read both as the first. Refused rather than answered wrongly.
        const e = new LakeError(
          'BAD_INPUT',
          `"${entry.schema}" and "${r.schema}" differ only by upper and lower case, which SQL ` +
            `does not tell apart, so this query cannot read both. Query one at a time, or ` +
            `give one of them another name (a new branch at the same commit)`,
        );
        throw lakeErrorInQuery(e, ctx.sql, r.at);
      }
      // The first place the query names each table: where its error is shown.
      if (!entry.tables.has(r.table)) entry.tables.set(r.table, r.tableAt);
      wanted.set(key, entry);
    }
    const loaded: LoadedTable[] = [];
    for (const [key, { schema, at, tables }] of wanted) {
      // A record set's error (missing, or failing to load) points at its name; the dataset's
      // or revision's (resolving the schema) at the schema's first mention.
      let where = at;
      try {
        await this.#bindSchema(key, schema, tables, ctx, loaded, (offset) => (where = offset));
      } catch (e) {
        if (!(e instanceof LakeError)) throw e;
        throw lakeErrorInQuery(e, ctx.sql, where);
      }
    }
    return loaded;
  }

  async #bindSchema(
    key: string,
    schema: string,
    tables: Map<string, number>,
    ctx: BindContext,
    loaded: LoadedTable[],
    at: (offset: number) => void,
  ): Promise<void> {
    const { dataset, rev } = parseLakeSchema(schema)!;
    const [hash, commit] = await this.resolve(dataset, rev);
    let bound = this.#schemas.get(key);
    if (!bound || bound.commit !== hash) {
      // The name now means another commit (a branch moved): its views are made again.
      await ctx.admin.exec(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`);
      await ctx.admin.exec(`CREATE SCHEMA ${ident(schema)}`);
      bound = { commit: hash, views: new Set() };
      this.#schemas.set(key, bound);
      await this.#evict(ctx);
    }
    for (const [table, offset] of tables) {
      at(offset);
      const hit = findRecordSet(commit, table);
      if (!hit) {
        const names = Object.values(commit.recordSets).map((rs) =>
          lakeSqlName(dataset, rev, rs.name),
        );
        throw new LakeError(
          'BAD_INPUT',
          `${dataset} at ${rev} has no record set "${table}"; it has: ${names.join(', ') || 'none'}`,
        );
      }
      const [id, rs] = hit;
      if (bound.views.has(id)) continue;
      const named = { sqlName: lakeSqlName(dataset, rev, rs.name), dataset, rev };
      const source = await this.#load(hash, id, rs, named, ctx, (info) =>
        loaded.push({ ...named, ...info }),
      );
      const view = selectFrom(source, [
        { source: ROWID_COLUMN },
        ...sqlColumns(id, rs).map((c) => ({ source: c.column, as: c.name })),
      ]);
      for (const name of viewNames(id, rs)) {
        await ctx.admin.exec(`CREATE OR REPLACE VIEW ${qualified({ schema, name })} AS ${view}`);
      }
      bound.views.add(id);
    }
  }

  /** Loads a record set at a commit into its cache table, unless it is there already. */
  async #load(
    hash: string,
    id: string,
    rs: RecordSetManifest,
    named: { sqlName: string; dataset: string; rev: string },
    ctx: BindContext,
    onLoaded: (info: Omit<LoadedTable, 'sqlName' | 'dataset' | 'rev'>) => void,
  ): Promise<TableName> {
    const key = `${hash}/${id}`;
    const table = { schema: CACHE_SCHEMA, name: key };
    if (this.#tables.has(key)) return table;
    if (!this.#cacheSchema) {
      await ctx.admin.exec(`CREATE SCHEMA IF NOT EXISTS ${ident(CACHE_SCHEMA)}`);
      this.#cacheSchema = true;
    }
    const t0 = performance.now();
    const fragments = rs.fragments.filter((f) => !f.extension).length;
    const progress = {
      stage: 'load' as const,
      ...named,
      name: rs.name,
      commit: hash,
      recordSet: id,
      fragments,
      totalRows: rs.rows,
    };
    let loaded;
    try {
      loaded = await loadRecordSet(this.#lake.chunks, rs, table, ctx.admin, {
        what: `record set ${id} at commit ${hash.slice(0, 12)}`,
        checkAborted: () => checkQueryAborted(ctx.signal, ctx.sql),
        onProgress: (state) => ctx.onProgress?.({ ...progress, ...state }),
      });
    } catch (e) {
      await ctx.admin.exec(`DROP TABLE IF EXISTS ${qualified(table)}`).catch(() => undefined);
      throw e;
    }
    this.#tables.add(key);
    this.loads++;
    const { rows, bytes } = loaded;
    const ms = performance.now() - t0;
    onLoaded({ commit: hash, recordSet: id, name: rs.name, rows, fragments, bytes, ms });
    return table;
  }

  /** Drops cached tables of commits that no bound schema refers to any more. */
  async #evict(ctx: BindContext): Promise<void> {
    const live = new Set([...this.#schemas.values()].map((s) => s.commit));
    for (const key of [...this.#tables]) {
      if (live.has(key.slice(0, key.indexOf('/')))) continue;
      await ctx.admin.exec(
        `DROP TABLE IF EXISTS ${qualified({ schema: CACHE_SCHEMA, name: key })}`,
      );
      this.#tables.delete(key);
    }
  }
}
