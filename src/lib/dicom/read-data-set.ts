/**
 * dicom-parser, guarded: reads the file meta header and the data set of a Part 10 file, and
 * turns whatever dicom-parser throws (strings, `{exception, dataSet}`) into DicomErrors that
 * name the last element read and its byte offset. dicom-parser trusts declared lengths, so an
 * element running past the end is refused here, and the deflated syntax is inflated with a cap
 * (an inflation bomb is refused, not held in memory).
 */
import dicomParser, { type DataSet, type Element } from 'dicom-parser';
import { Inflate } from 'fflate';
import { DicomError, tagText } from './errors.ts';

/** Largest inflated data set accepted for the deflated transfer syntax, in bytes. */
const MAX_INFLATED = 1 << 30;

/** Inflates a deflated data set (raw DEFLATE after the meta header), refusing inflation bombs. */
function inflateDataSet(bytes: Uint8Array, position: number): Uint8Array {
  const parts: Uint8Array[] = [bytes.subarray(0, position)];
  let size = position;
  const inflate = new Inflate((chunk) => {
    size += chunk.length;
    if (size > MAX_INFLATED) {
      throw new DicomError('CORRUPT', `deflated data set inflates past ${size} bytes`, {
        offset: position,
      });
    }
    parts.push(chunk);
  });
  try {
    const step = 1 << 16;
    for (let at = position; at < bytes.length; at += step) {
      inflate.push(bytes.subarray(at, at + step), at + step >= bytes.length);
    }
  } catch (e) {
    if (e instanceof DicomError) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new DicomError(
      'CORRUPT',
      `corrupt DICOM: the deflated data set from byte ${position} does not inflate: ${why}`,
      { offset: position },
      { cause: e },
    );
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** dicom-parser's meta header reader: exported at runtime but missing from its typings. */
const { readPart10Header } = dicomParser as unknown as {
  readPart10Header(bytes: Uint8Array): DataSet;
};

/** Runs a dicom-parser call, turning its throws (strings, `{exception, dataSet}`) into located errors. */
function guarded(part: string, size: number, parse: () => DataSet): DataSet {
  try {
    return parse();
  } catch (e) {
    if (e instanceof DicomError) throw e;
    const wrapped = e as { exception?: unknown; dataSet?: DataSet } | null;
    const cause =
      wrapped && typeof wrapped === 'object' && 'exception' in wrapped ? wrapped.exception : e;
    if (cause instanceof DicomError) throw cause;
    const why = cause instanceof Error ? cause.message : String(cause);
    const last = Object.values(wrapped?.dataSet?.elements ?? {}).reduce<Element | null>(
      (a, el) => (a === null || el.dataOffset > a.dataOffset ? el : a),
      null,
    );
    const undefinedLength = last?.length === 0xffffffff || last?.hadUndefinedLength;
    const inside = last && (undefinedLength || last.dataOffset + last.length > size);
    const truncated = inside || /end of buffer|past the end|buffer overrun|eof/i.test(why);
    let where = '';
    if (last && inside) {
      where = undefinedLength
        ? `: ${tagText(last.tag)} at byte ${last.dataOffset} has undefined length and the file ends inside it`
        : `: ${tagText(last.tag)} at byte ${last.dataOffset} declares ${last.length} bytes, past the end`;
    } else if (last) {
      where = ` after element ${tagText(last.tag)}, whose value starts at byte ${last.dataOffset}`;
    }
    throw new DicomError(
      truncated ? 'TRUNCATED' : 'CORRUPT',
      truncated
        ? `truncated DICOM at byte ${size}: the ${part} cannot be read${where} (${why})`
        : `corrupt DICOM: the ${part} cannot be read${where}: ${why}`,
      last ? { tag: tagText(last.tag), offset: last.dataOffset } : {},
      { cause },
    );
  }
}

/** Refuses an element whose declared value runs past the end of the bytes. */
function checkBounds(ds: DataSet, part: string): void {
  const size = ds.byteArray.length;
  for (const el of Object.values(ds.elements)) {
    if (el.length !== 0xffffffff && !el.hadUndefinedLength && el.dataOffset + el.length > size) {
      throw new DicomError(
        'TRUNCATED',
        `truncated DICOM at byte ${size}: ${tagText(el.tag)} at byte ${el.dataOffset} in the ${part} declares ${el.length} bytes, past the end`,
        { tag: tagText(el.tag), offset: el.dataOffset },
      );
    }
  }
}

/** The file meta header (group 0002) of a Part 10 file, every element within the bytes. */
export function readMetaHeader(bytes: Uint8Array): DataSet {
  const meta = guarded('file meta header', bytes.length, () => readPart10Header(bytes));
  checkBounds(meta, 'file meta header');
  return meta;
}

/** The data set of a Part 10 file (inflated for the deflated syntax), every element within it. */
export function readDataSet(bytes: Uint8Array): DataSet {
  const ds = guarded('data set', bytes.length, () =>
    dicomParser.parseDicom(bytes, { inflater: inflateDataSet }),
  );
  checkBounds(ds, 'data set');
  return ds;
}
