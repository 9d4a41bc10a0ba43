/**
 * Subjects of opinions: rows of a record set at the commit a batch is written on, named by row
 * id or by the value of a key column. Loaded once per batch for the record sets and key columns
 * it uses, then answered synchronously. Dense fragments are answered from their id range
 * without reading them.
 */
import { LakeError, checkAborted } from '../store/errors.ts';
import type { ChunkStore } from '../store/types.ts';
import { matchColumn } from '../versions/cells.ts';
import { ROWID } from '../versions/columns.ts';
import { readDeletions } from '../versions/fragments.ts';
import type { Commit, RecordSetManifest } from '../versions/manifest.ts';
import { findRecordSet } from '../query/lake-names.ts';
import type { SubjectInput } from './batch.ts';
import { OPINIONS_RS, refuse } from './model.ts';
import { readColumns } from './stored.ts';

interface Range {
  lo: bigint;
  hi: bigint;
  deleted: Set<number>;
}

/** The live row ids of one record set. */
class RowSet {
  readonly ranges: Range[] = [];
  readonly ids = new Set<bigint>();
  has(id: bigint): boolean {
    if (this.ids.has(id)) return true;
    for (const r of this.ranges) {
      if (id >= r.lo && id <= r.hi && (!r.deleted.size || !r.deleted.has(Number(id - r.lo))))
        return true;
    }
    return false;
  }
}

/** A key column's values → row ids (null: the key is on several rows). */
type KeyMap = Map<string, bigint | null>;

/** Subject record sets and key columns of one commit, for {@link SubjectIndex.rowOf}. */
export class SubjectIndex {
  readonly #rows = new Map<string, RowSet>();
  readonly #keys = new Map<string, { column: string; map: KeyMap }>();
  /** Record sets looked up so far, by the name a subject gives (one lookup per name). */
  readonly #found = new Map<string, [string, RecordSetManifest] | undefined>();

  private constructor(
    private readonly store: ChunkStore,
    private readonly commit: Commit,
  ) {}

  /** Loads what `subjects` refer to (record sets, key columns); unknown ones fail later. */
  static async load(
    store: ChunkStore,
    commit: Commit,
    subjects: Iterable<SubjectInput>,
    signal?: AbortSignal,
  ): Promise<SubjectIndex> {
    const index = new SubjectIndex(store, commit);
    const sets = new Set<string>();
    const keys = new Set<string>();
    for (const s of subjects) {
      if ('key' in s) keys.add(`${s.set}\n${s.keyColumn}`);
      else sets.add(s.set);
    }
    for (const set of sets) {
      checkAborted(signal);
      const rs = index.#recordSet(set);
      if (rs) index.#rows.set(set, await index.#rowSet(rs[1], set));
    }
    for (const k of keys) {
      checkAborted(signal);
      const [set, column] = k.split('\n') as [string, string];
      const rs = index.#recordSet(set);
      if (rs) index.#keys.set(k, await index.#keyMap(rs[0], rs[1], column));
    }
    return index;
  }

  #recordSet(set: string): [string, RecordSetManifest] | undefined {
    if (set === OPINIONS_RS) return undefined;
    if (this.#found.has(set)) return this.#found.get(set);
    const hit = findRecordSet(this.commit, set);
    this.#found.set(set, hit);
    return hit;
  }

  async #rowSet(rs: RecordSetManifest, set: string): Promise<RowSet> {
    const out = new RowSet();
    const what = `record set ${set} of ${this.commit.dataset}`;
    for (const ref of rs.fragments) {
      if (ref.extension) continue;
      const deleted = await readDeletions(this.store, ref, what);
      if (ref.dense) {
        out.ranges.push({ lo: BigInt(ref.minRowId), hi: BigInt(ref.maxRowId), deleted });
        continue;
      }
      const ids = (await readColumns(this.store, ref, [ROWID], what)).getChild(ROWID)!;
      for (let i = 0; i < ids.length; i++) if (!deleted.has(i)) out.ids.add(ids.get(i) as bigint);
    }
    return out;
  }

  async #keyMap(
    id: string,
    rs: RecordSetManifest,
    column: string,
  ): Promise<{ column: string; map: KeyMap }> {
    let def;
    try {
      def = matchColumn(column, rs.columns);
    } catch (e) {
      throw new LakeError('BAD_INPUT', `subject key column: ${(e as Error).message}`);
    }
    if (!def) {
      throw new LakeError(
        'BAD_INPUT',
        `record set ${id} has no column "${column}" to find subjects by; it has: ${rs.columns.map((c) => c.name).join(', ')}`,
      );
    }
    const map: KeyMap = new Map();
    const what = `record set ${id} of ${this.commit.dataset}`;
    for (const ref of rs.fragments) {
      if (ref.extension || !ref.columns.includes(def.name)) continue;
      const t = await readColumns(this.store, ref, [ROWID, def.name], what);
      const deleted = await readDeletions(this.store, ref, what);
      const ids = t.getChild(ROWID)!;
      const values = t.getChild(def.name)!;
      for (let i = 0; i < t.numRows; i++) {
        const v = values.get(i) as unknown;
        if (deleted.has(i) || v === null || v === undefined) continue;
        const k = String(v);
        map.set(k, map.has(k) ? null : (ids.get(i) as bigint));
      }
    }
    return { column: def.name, map };
  }

  /** The row id of `subject`, or UNKNOWN_SUBJECT at `where`. */
  rowOf(subject: SubjectInput, where: string): bigint {
    const { set } = subject;
    if (!this.#recordSet(set)) {
      const names = Object.keys(this.commit.recordSets).filter((n) => n !== OPINIONS_RS);
      refuse(
        'UNKNOWN_SUBJECT',
        where,
        `the subject record set "${set}" is not in ${this.commit.dataset}; it has: ${names.join(', ') || 'none'}`,
      );
    }
    if ('key' in subject) {
      const k = this.#keys.get(`${set}\n${subject.keyColumn}`)!;
      const row = k.map.get(subject.key);
      if (row === undefined) {
        refuse(
          'UNKNOWN_SUBJECT',
          where,
          `no row of ${set} has ${k.column} = ${JSON.stringify(subject.key)}`,
        );
      }
      if (row === null) {
        refuse(
          'UNKNOWN_SUBJECT',
          where,
          `several rows of ${set} have ${k.column} = ${JSON.stringify(subject.key)}: name the subject by row id`,
        );
      }
      return row;
    }
    if (!this.#rows.get(set)!.has(subject.row)) {
      refuse('UNKNOWN_SUBJECT', where, `${set} has no row with id ${subject.row}`);
    }
    return subject.row;
  }
}
