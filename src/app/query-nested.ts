/**
 * Nested result cells (LIST, ARRAY, STRUCT, MAP, at any depth) as the grids write them: JSON's
 * shape (`[1,2]`, `{"a":1}`, a MAP as `{"key":value}`), with each value inside written as the
 * grid writes that type alone. A user saw `TIME '13:45:00'` in a list as `"49500000000"`, an
 * INTERVAL in a struct as `{"0":0,"1":0}`, a BLOB as `{"0":170}`, a DECIMAL as `"\"150\""`, a
 * DATE as milliseconds and a NaN as `null`: Arrow's values, through JSON.stringify.
 *
 * The values are read from the column's Arrow data by index, never through a sliced vector:
 * apache-arrow 17 slices an INTERVAL (MONTH_DAY_NANO) child with the wrong stride (query-cells.ts).
 * Text, times, intervals, blobs, dates and timestamps are quoted; numbers are not.
 */
import { DataType, TimeUnit, makeVector, type Data, type Vector } from 'apache-arrow';
import {
  blobText,
  cellAt,
  dateText,
  intervalText,
  isIntervalValue,
  timeText,
  timestampText,
  timestampTextAt,
  uhugeintText,
} from './query-cells.ts';
import { float32Text, formatCell, json, scaled } from './query-format.ts';

/** At most this many characters are written (then `…`), however large the value. */
const MAX_CHARS = 200;

/** Thrown inside the walk once the text is long enough. */
const FULL = Symbol('full');

class Out {
  text = '';
  add(s: string): void {
    this.text += s;
    if (this.text.length > MAX_CHARS) throw FULL;
  }
}

/** Leaves read through a vector made once per Data (an index into it, never a slice). */
const leaves = new WeakMap<Data, Vector>();
function leafVector(data: Data): Vector {
  let v = leaves.get(data);
  if (!v) leaves.set(data, (v = makeVector(data)));
  return v;
}

/**
 * The text of row `row` of a nested column, or undefined when the column is not nested (or has
 * no such row). A null cell gives '' (the grids show NULL themselves).
 */
export function nestedTextAt(vector: Vector | null | undefined, row: number): string | undefined {
  if (!vector || !isNested(vector.type)) return undefined;
  let i = row;
  for (const data of vector.data) {
    if (i >= data.length) {
      i -= data.length;
      continue;
    }
    if (!data.getValid(i)) return '';
    const out = new Out();
    try {
      write(data, i, out);
    } catch (e) {
      if (e !== FULL) throw e;
      return out.text.slice(0, MAX_CHARS) + '…';
    }
    return out.text;
  }
  return undefined;
}

/**
 * Cell `row` of a column as the grids write it (not NULL, which they show themselves): a nested
 * cell from its column's data, anything else as formatCell writes `value` (`cellAt`'s value).
 */
export function cellTextAt(
  vector: Vector | null | undefined,
  row: number,
  type: string,
  value: unknown = cellAt(vector, row),
): string {
  return nestedTextAt(vector, row) ?? timestampTextAt(vector, row) ?? formatCell(value, type);
}

function isNested(t: DataType): boolean {
  return (
    DataType.isList(t) || DataType.isFixedSizeList(t) || DataType.isStruct(t) || DataType.isMap(t)
  );
}

function write(data: Data, i: number, out: Out): void {
  if (!data.getValid(i)) return out.add('null');
  const t = data.type as DataType;
  if (DataType.isList(t) || DataType.isFixedSizeList(t)) {
    const [from, to] = DataType.isList(t)
      ? [data.valueOffsets[i]!, data.valueOffsets[i + 1]!]
      : [i * t.listSize, (i + 1) * t.listSize];
    out.add('[');
    for (let k = from; k < to; k++) {
      if (k > from) out.add(',');
      write(data.children[0]!, k, out);
    }
    return out.add(']');
  }
  if (DataType.isMap(t)) {
    // A list of {key, value} structs; each key written as a JSON key.
    const entries = data.children[0]!;
    const [keys, values] = [entries.children[0]!, entries.children[1]!];
    out.add('{');
    for (let k = data.valueOffsets[i]!; k < data.valueOffsets[i + 1]!; k++) {
      if (k > data.valueOffsets[i]!) out.add(',');
      out.add(JSON.stringify(keyText(keys, k)) + ':');
      write(values, k, out);
    }
    return out.add('}');
  }
  if (DataType.isStruct(t)) {
    out.add('{');
    t.children.forEach((f, j) => {
      out.add(`${j ? ',' : ''}${JSON.stringify(f.name)}:`);
      write(data.children[j]!, i, out);
    });
    return out.add('}');
  }
  out.add(leafText(data, i));
}

/** A map's key as text: a string as is, anything else as it is written as a value. */
function keyText(keys: Data, k: number): string {
  const v = leafVector(keys).get(k) as unknown;
  if (typeof v === 'string') return v;
  const out = new Out();
  write(keys, k, out);
  return out.text;
}

const quoted = (s: string) => `"${s}"`;

/** A value that is not nested, as the grid writes its type alone (quoted where it is text). */
function leafText(data: Data, i: number): string {
  const t = data.type as DataType;
  const vector = leafVector(data);
  if (DataType.isInterval(t)) {
    const v = cellAt(vector, i);
    return isIntervalValue(v) ? quoted(intervalText(v)) : 'null';
  }
  if (DataType.isTimestamp(t)) {
    return quoted(timestampText((data.values as BigInt64Array)[i]!, t.unit));
  }
  const v = vector.get(i) as unknown;
  if (DataType.isTime(t)) return quoted(timeText(micros(BigInt(v as number | bigint), t.unit)));
  // DuckDB hands a UHUGEINT over as 16 bytes (the only fixed-size binary it writes).
  if (DataType.isFixedSizeBinary(t) && t.byteWidth === 16) return uhugeintText(v as Uint8Array);
  if (DataType.isBinary(t) || DataType.isFixedSizeBinary(t) || DataType.isLargeBinary(t))
    return quoted(blobText(v as Uint8Array));
  if (DataType.isDecimal(t)) return scaled(String(v), t.scale);
  if (DataType.isDate(t)) return quoted(dateText(v as number));
  if (typeof v === 'number')
    return DataType.isFloat(t) && t.precision === 1 ? float32Text(v) : String(v);
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  return json(v) ?? 'null';
}

/** A time of `unit` in microseconds. */
function micros(n: bigint, unit: TimeUnit): bigint {
  if (unit === TimeUnit.SECOND) return n * 1_000_000n;
  if (unit === TimeUnit.MILLISECOND) return n * 1000n;
  if (unit === TimeUnit.NANOSECOND) return n / 1000n;
  return n;
}
