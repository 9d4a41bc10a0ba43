/**
 * `croissant-lake slices <file.csv|file.parquet> --error COLUMN`: SliceLine alone on a table of
 * features and an error column, without a lake (issue 15 §6). Every other column is a feature
 * (src/lib/analysis/sliceline-table.ts says how columns are coded). Prints the ranked slices as
 * text, or as JSON with the levels' statistics.
 */
import { stat } from 'node:fs/promises';
import { tableFromIPC } from 'apache-arrow';
import { loadParquet } from '../lib/croissant/formats/parquet.ts';
import type { SliceLineParams, SliceLineResult } from '../lib/analysis/blindspots-types.ts';
import { DEFAULT_SLICELINE, defaultMinSupport, sliceLine } from '../lib/analysis/sliceline.ts';
import { SliceTableBuilder, type TableFeature } from '../lib/analysis/sliceline-table.ts';
import { collect } from '../lib/io/source.ts';
import { fileSource } from '../lib/io/node.ts';
import { LakeError } from '../lib/store/errors.ts';
import { csvRows } from '../lib/versions/csv-input.ts';
import { str, type Values } from './lake-cli.ts';

const bad = (m: string) => new LakeError('BAD_INPUT', m);

function numberOption(values: Values, key: string, integer: boolean): number | undefined {
  const s = str(values, key);
  if (s === undefined) return undefined;
  const v = Number(s);
  if (s.trim() === '' || !(integer ? Number.isSafeInteger(v) : Number.isFinite(v))) {
    throw bad(`--${key} must be ${integer ? 'an integer' : 'a number'}, got "${s}"`);
  }
  return v;
}

/** Reads the table's rows into a builder: CSV through the lake's reader, Parquet through parquet-wasm. */
async function readTable(
  path: string,
  errorColumn: string,
  features: string[] | undefined,
): Promise<SliceTableBuilder> {
  const st = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw bad(
      e.code === 'ENOENT' ? `file not found: ${path}` : `cannot read ${path}: ${e.message}`,
    );
  });
  if (!st.isFile()) throw bad(`cannot read ${path}: it is not a file`);
  const src = fileSource(path);
  if (/\.parquet$/i.test(path)) {
    const pq = await loadParquet();
    const bytes = await collect(src.stream());
    let table;
    try {
      table = tableFromIPC(pq.readParquet(bytes).intoIPCStream());
    } catch (e) {
      throw bad(`${path} is not a readable Parquet file: ${String((e as Error).message ?? e)}`);
    }
    const header = table.schema.fields.map((f) => f.name);
    const b = new SliceTableBuilder(header, errorColumn, {
      ...(features ? { features } : {}),
      rowName: (r) => `${path}, row ${r}`,
    });
    // Whole columns at once: Arrow's per-cell get() costs more than the rest of the read.
    const columns = header.map((h) => {
      const v = table.getChild(h)!;
      const values = v.toArray() as ArrayLike<unknown>;
      const valid =
        v.nullCount > 0 ? Array.from({ length: v.length }, (_, i) => v.isValid(i)) : null;
      return { values, valid };
    });
    const cells: unknown[] = new Array(header.length);
    for (let i = 0; i < table.numRows; i++) {
      for (let j = 0; j < columns.length; j++) {
        const c = columns[j]!;
        cells[j] = c.valid && !c.valid[i] ? null : c.values[i];
      }
      b.addRow(cells, i + 1);
    }
    return b;
  }
  let b: SliceTableBuilder | null = null;
  for await (const { header, records } of csvRows({ csv: src })) {
    b ??= new SliceTableBuilder(header, errorColumn, {
      ...(features ? { features } : {}),
      rowName: (r) => `${path}, row ${r}`,
    });
    for (const r of records) b.addRow(r.cells, r.row);
  }
  if (!b) throw bad(`${path} is empty: it needs a header row`);
  return b;
}

/** A slice's predicates in words: `scanner = Kestrel and kVp = 140`. */
function describe(s: SliceLineResult['top'][number], features: TableFeature[]) {
  const predicates = s.predicates.map((p) => ({
    column: features[p.feature]!.name,
    value: features[p.feature]!.levels[p.code - 1]!,
  }));
  return { predicates, text: predicates.map((p) => `${p.column} = ${p.value}`).join(' and ') };
}

/** Runs `slices`; returns the exit status. */
export async function slicesCommand(path: string, values: Values): Promise<number> {
  const format = str(values, 'format') ?? 'text';
  if (format !== 'text' && format !== 'json') {
    throw bad(`--format must be text or json, got "${format}"`);
  }
  const errorColumn = str(values, 'error');
  if (!errorColumn) throw bad('slices needs --error COLUMN (the column of per-row errors)');
  const columns = str(values, 'columns')
    ?.split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const alpha = numberOption(values, 'alpha', false);
  const minSupport = numberOption(values, 'min-support', true);
  const maxLevel = numberOption(values, 'max-level', true);
  const k = numberOption(values, 'k', true);

  const { input, features } = (await readTable(path, errorColumn, columns)).build();
  const rows = input.errors.length;
  const params: SliceLineParams = {
    alpha: alpha ?? DEFAULT_SLICELINE.alpha,
    minSupport: minSupport ?? defaultMinSupport(rows),
    maxLevel: maxLevel ?? DEFAULT_SLICELINE.maxLevel,
    k: k ?? DEFAULT_SLICELINE.k,
  };
  // Progress on stderr, so that stdout stays the result alone (a 1M-row run takes seconds).
  const result = sliceLine(input, params, {
    onProgress: (p) =>
      console.error(`slices: level ${p.level}, ${p.candidates} candidate slices to evaluate`),
  });
  const slices = result.top.map((s, i) => ({
    rank: i + 1,
    ...describe(s, features),
    size: s.size,
    errorSum: s.errorSum,
    errorRate: s.errorSum / s.size,
    maxError: s.maxError,
    score: s.score,
  }));
  if (format === 'json') {
    const out = {
      file: path,
      rows,
      errorColumn,
      averageError: result.averageError,
      params,
      features: features.map((f) => ({ name: f.name, levels: f.levels.length })),
      slices,
      levels: result.levels,
    };
    console.log(JSON.stringify(out, null, 2));
    return 0;
  }
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  console.log(
    `SliceLine on ${path}: ${rows} rows, ${features.length} features, error "${errorColumn}" (mean ${result.averageError.toPrecision(4)})`,
  );
  console.log(
    `alpha ${params.alpha}, min support ${params.minSupport} rows, max level ${params.maxLevel}, k ${params.k}`,
  );
  if (!slices.length) console.log('No slice has an error rate high enough to score above 0.');
  for (const s of slices) {
    console.log(
      `${String(s.rank).padStart(2)}. ${s.text}\n    size ${s.size}, error rate ${pct(s.errorRate)} (overall ${pct(result.averageError)}), score ${s.score.toFixed(4)}`,
    );
  }
  console.log(
    `levels: ${result.levels.map((l) => `${l.level}: ${l.candidates} candidates, ${l.valid} valid`).join('; ')}`,
  );
  return 0;
}
