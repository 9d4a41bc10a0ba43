/**
 * Ingest's fragment columns, built as the records arrive: float64 and int64 cells go straight
 * into typed arrays, and text cells are UTF-8 encoded a batch of records at a time, so a
 * fragment's 65,536 rows do not stay on the JavaScript heap as cells until the fragment is
 * built (the garbage collector copied them again and again). The other column types keep their
 * cells and are built as `buildColumnsTable` builds them. The vectors are the ones
 * `buildColumnsTable` makes from the same cells: the same buffers, so the same Parquet bytes.
 */
import { Table, makeVector, type Vector } from 'apache-arrow';
import { ROWID, type Cell } from './columns.ts';
import { CellsBuilder, NumericBuilder, Utf8Builder, type ColumnBuilder } from './column-buffers.ts';
import type { ColumnDef } from './manifest.ts';

const [TEXT, FLOAT, INT, OTHER] = [0, 1, 2, 3];

/**
 * One fragment's columns being filled: `push(j, cell)` the cells of each record (the cells
 * `appendCells` gives), `endBatch()` after each batch, then `table(rowids)`.
 */
export class FragmentBuilder {
  private readonly builders: ColumnBuilder[];
  /** Each column's kind for `pushPlain`: TEXT, FLOAT, INT or OTHER. */
  private readonly kinds: Uint8Array;

  constructor(private readonly columns: readonly ColumnDef[]) {
    this.kinds = Uint8Array.from(columns, (c) =>
      c.type === 'utf8' || c.type === 'blob'
        ? TEXT
        : c.type === 'float64'
          ? FLOAT
          : c.type === 'int64'
            ? INT
            : OTHER,
    );
    this.builders = columns.map((c) =>
      c.type === 'float64' || c.type === 'int64'
        ? new NumericBuilder(c)
        : c.type === 'utf8' || c.type === 'blob'
          ? new Utf8Builder(c)
          : new CellsBuilder(c),
    );
  }

  push(j: number, v: Cell): void {
    this.builders[j]!.push(v);
  }

  /**
   * Pushes the cells of `record` from column `from` on, as long as a value needs nothing of
   * `appendCells`' conversions (a missing value, a string in a text column, a finite number in
   * a number column, a bigint in an int64 one): the cell is then the value itself, taken here
   * without a call per cell. Returns the first column left to the caller (or the count).
   */
  pushPlain(record: Readonly<Record<string, unknown>>, from: number): number {
    const { columns, builders, kinds } = this;
    for (let j = from; j < columns.length; j++) {
      const v = record[columns[j]!.name];
      const kind = kinds[j];
      if (v === null || v === undefined) builders[j]!.push(null);
      else if (kind === TEXT) {
        if (typeof v !== 'string') return j;
        (builders[j] as Utf8Builder).set(v);
      } else if (kind === FLOAT) {
        if (typeof v !== 'number') return j;
        (builders[j] as NumericBuilder).set(v);
      } else if (kind === INT) {
        if (typeof v === 'bigint') (builders[j] as NumericBuilder).set(v);
        else if (typeof v !== 'number') return j;
        else {
          // coerceCell's BigInt(Math.trunc(v)); NaN and ±Infinity are left to it (an error).
          const t = Math.trunc(v);
          if (!(t >= -Number.MAX_SAFE_INTEGER && t <= Number.MAX_SAFE_INTEGER)) return j;
          (builders[j] as NumericBuilder).setSafeInt(t);
        }
      } else return j;
    }
    return columns.length;
  }

  endBatch(): void {
    for (const b of this.builders) b.endBatch();
  }

  /**
   * The Arrow table `_rowid` + the columns: what `buildColumnsTable` builds. The table's buffers
   * are its own; the builder is then empty, ready for the next fragment, and keeps the buffers
   * it grew (a new one would grow them again, in memory never touched before).
   */
  table(rowids: BigInt64Array): Table {
    const vectors: Record<string, Vector> = { [ROWID]: makeVector(rowids) };
    this.columns.forEach((c, j) => (vectors[c.name] = this.builders[j]!.vector()));
    for (const b of this.builders) b.reset();
    return new Table(vectors);
  }

  /**
   * The same table, holding the builder's own buffers rather than copies of them, lent to
   * `use`, which must be done with them when it returns (an IPC stream copied out of them,
   * ipc-pieces.ts): the builder is then reset, and the buffers hold the next fragment.
   */
  lend<T>(rowids: BigInt64Array, use: (table: Table) => T): T {
    const vectors: Record<string, Vector> = { [ROWID]: makeVector(rowids) };
    this.columns.forEach((c, j) => (vectors[c.name] = this.builders[j]!.vector(true)));
    try {
      return use(new Table(vectors));
    } finally {
      for (const b of this.builders) b.reset();
    }
  }
}
