/**
 * The commands that read a Croissant document as the reference implementation does:
 * `croissant-lake validate <url|path>` and `croissant-lake records <url|path> --record-set ID`.
 * Loaded by main.ts when one of them runs.
 */
import { stringify } from 'csv-stringify/sync';
import {
  CroissantError,
  readCroissant,
  recordJsonWriter,
  recordRowBatches,
  toPlainJson,
} from '../lib/croissant/index.ts';
import { formatLocation } from '../lib/croissant/errors.ts';
import { checkMappingKeys } from '../lib/croissant/resources/mapping.ts';
import { formatIssue, formatIssueLocated } from '../lib/croissant/model.ts';
import type { Issue, RecordRow } from '../lib/croissant/index.ts';
import { nodeResolver } from '../lib/io/node.ts';
import { parseMapping } from './mapping.ts';
import { OutputLines, outputClosed, writeOutput } from './output.ts';

/**
 * Prints issues in the reference validator's layout; where its text names no place, the place
 * follows on lines of their own.
 */
export function printIssues(errors: Issue[], warnings: Issue[], out: (s: string) => void): void {
  if (errors.length) {
    out(`Found the following ${errors.length} error(s) during the validation:`);
    for (const e of errors) out(`  -  ${formatIssueLocated(e)}`);
  }
  if (warnings.length) {
    out(`Found the following ${warnings.length} warning(s) during the validation:`);
    for (const w of warnings) out(`  -  ${formatIssueLocated(w)}`);
  }
}

/** One entry of `validate --format json`. */
export interface JsonIssue {
  severity: 'error' | 'warning';
  message: string;
  /** e.g. `Metadata(x) > RecordSet(y) > Field(z)`, or the file and byte offset. */
  location: string;
  code?: string;
}

/** Issues as `validate --format json` prints them: one entry per place. */
export function jsonIssues(issues: Issue[]): JsonIssue[] {
  return issues.flatMap((i) => {
    const places = i.locations?.length ? i.locations : [i.context.replace(/^\[|\]$/g, '')];
    return places.map((location) => ({
      severity: i.severity,
      message: i.message,
      location,
      ...(i.code ? { code: i.code } : {}),
    }));
  });
}

/** A document that could not be read at all, as a `validate --format json` entry. */
function jsonFailure(e: CroissantError): JsonIssue {
  const where = formatLocation(e.location);
  return {
    severity: 'error',
    message: e.message.slice(0, e.message.length - where.length),
    location: where.replace(/^ \[|\]$/g, ''),
    code: e.code,
  };
}

export async function validateCommand(
  target: string,
  values: Record<string, unknown>,
): Promise<number> {
  const format = (values.format as string | undefined) ?? 'text';
  if (format !== 'text' && format !== 'json')
    throw new CroissantError('INVALID', `--format must be text or json, got "${format}"`);
  let result;
  try {
    result = await readCroissant(target, { resolver: resolverFor(values) });
  } catch (e) {
    if (format !== 'json' || !(e instanceof CroissantError)) throw e;
    console.log(JSON.stringify([jsonFailure(e)], null, 2));
    return 1;
  }
  if (format === 'json') {
    console.log(JSON.stringify(jsonIssues([...result.errors, ...result.warnings]), null, 2));
  } else {
    printIssues(result.errors, result.warnings, (s) => console.log(s));
    if (!result.errors.length) console.log('Done: no errors.');
  }
  return result.errors.length ? 1 : 0;
}

/** The Node resolver, with the folders the user allowed. */
function resolverFor(values: Record<string, unknown>) {
  return nodeResolver({ allow: (values['allow-path'] as string[] | undefined) ?? [] });
}

export async function recordsCommand(
  target: string,
  values: Record<string, unknown>,
): Promise<number> {
  const recordSet = values['record-set'] as string | undefined;
  if (!recordSet) throw new CroissantError('INVALID', 'records needs --record-set ID');
  const format = (values.format as string | undefined) ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv')
    throw new CroissantError('INVALID', `--format must be jsonl or csv, got "${format}"`);
  const limitText = values.limit as string | undefined;
  const limit = limitText === undefined ? undefined : Number(limitText);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw new CroissantError(
      'INVALID',
      `--limit must be a non-negative integer, got "${limitText}"`,
    );
  }
  const mapping = await parseMapping((values.mapping as string[] | undefined) ?? []);
  const resolver = resolverFor(values);
  const result = await readCroissant(target, { resolver });
  if (!result.metadata || result.errors.length) {
    printIssues(result.errors, result.warnings, (s) => console.error(s));
    return 1;
  }
  checkMappingKeys(result.metadata, mapping);
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  process.once('SIGINT', interrupt);
  try {
    const csv = new CsvOutput();
    const toJson = recordJsonWriter();
    const lines = new OutputLines();
    for await (const rows of recordRowBatches(result.metadata, recordSet, {
      resolver,
      mapping,
      verifyChecksums: !values['no-verify'],
      // Stops generating when the reader of the output has gone (`records … | head -1`).
      signal: AbortSignal.any([controller.signal, outputClosed()]),
      ...(limit !== undefined ? { limit } : {}),
      onWarning: (w) => console.error(`warning: ${formatIssue(w)}`),
    })) {
      // One write per batch of records: a write per record cost more than making the records.
      let text: string | Uint8Array;
      if (format === 'jsonl') {
        for (const row of rows) lines.add(toJson(row));
        text = lines.take();
      } else text = csv.text(rows);
      if (!(await writeOutput(text))) break;
    }
    // No record (--limit 0, an empty record set): a CSV still has its header.
    if (format === 'csv' && !csv.started) {
      const md = result.metadata;
      const rs = md.recordSets.find((r) => r.uuid === recordSet || r.name === recordSet);
      if (rs)
        await writeOutput(
          csv.headerOnly(rs.fields.map((f) => (md.version === '0.8' ? f.name : f.uuid))),
        );
    }
    return 0;
  } finally {
    // Called as a library (main() again in the same process), it leaves no listener behind.
    process.off('SIGINT', interrupt);
  }
}

/** Records as CSV: a header row from the first record's keys, then one row per record. */
class CsvOutput {
  private header: string[] | null = null;

  /** True once the header was written. */
  get started(): boolean {
    return this.header !== null;
  }

  /** The header alone, for a record set that gave no record. */
  headerOnly(keys: string[]): string {
    this.header = keys;
    return stringify([keys]);
  }

  /** The CSV text of `rows` (with the header, the first time). */
  text(rows: readonly RecordRow[]): string {
    const table: string[][] = [];
    for (const row of rows) {
      const plain = toPlainJson(row) as Record<string, unknown>;
      if (!this.header) table.push((this.header = Object.keys(plain)));
      table.push(
        this.header.map((k) => {
          const v = plain[k];
          return v === null || v === undefined
            ? ''
            : typeof v === 'object'
              ? JSON.stringify(v)
              : String(v);
        }),
      );
    }
    return stringify(table);
  }
}
