/**
 * The headless command line over the core library, with Node adapters:
 * `croissant-lake validate <url|path>`, `croissant-lake records <url|path> --record-set ID`, and
 * the lake's commands (lake-commands.ts).
 */
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { stringify } from 'csv-stringify/sync';
import {
  CroissantError,
  readCroissant,
  recordJsonWriter,
  recordRowBatches,
  toPlainJson,
} from '../lib/croissant/index.ts';
import { formatLocation } from '../lib/croissant/errors.ts';
import { formatIssue, formatIssueLocated } from '../lib/croissant/model.ts';
import type { Issue, RecordRow } from '../lib/croissant/index.ts';
import { nodeResolver } from '../lib/io/node.ts';
import { isUrl } from '../lib/io/source.ts';
import { ModelError } from '../lib/model/errors.ts';
import { LakeError } from '../lib/store/errors.ts';
import { DICOM_HELP, DICOM_OPTIONS, dicomCommand } from './dicom-command.ts';
import { LAKE_COMMANDS, LAKE_HELP, LAKE_OPTIONS, lakeCommand } from './lake-commands.ts';
import { OutputLines, outputClosed, watchOutput, writeOutput } from './output.ts';
import { SLICES_HELP, SLICES_OPTIONS, slicesCommand } from './slices-command.ts';

const HELP = `croissant-lake — read Croissant datasets as the reference implementation does

Usage:
  croissant-lake validate <url|path> [--format text|json]
      Prints the validator's errors and warnings. Exit status 0 when valid, 1 otherwise.
      Where the reference's message names no place, the place follows on a line of its own
      ("at [Metadata(x) > RecordSet(y) > Field(z)]"). --format json prints a JSON array of
      {severity, message, location, code?}, one entry per place.
  croissant-lake records <url|path> --record-set ID [--limit N] [--format jsonl|csv]
                 [--mapping id=path ...] [--allow-path DIR ...] [--no-verify]
      Prints the records of a record set, keyed by field @id (1.0/1.1) or name (0.8).
      Bytes print as UTF-8 text when textual; images as their mode and size; other bytes
      as their length.

What a document may read: a local document only files inside its own folder (links
followed), a document read from a URL only URLs. Anything else needs --mapping or
--allow-path, and devices, FIFOs and /proc, /sys, /dev are never read.

Options:
  -r, --record-set ID   record set @id or name
  -n, --limit N         stop after N records
  -f, --format F        records: jsonl (default) or csv; validate: text (default) or json
  -m, --mapping ID=P    read FileObject ID (or URL) from local path or URL P; repeatable. P may
                        be a directory (e.g. a checked-out git repository): the FileSets and
                        FileObjects contained in ID are then read from it
      --allow-path DIR  let the document read files under DIR too; repeatable
      --no-verify       skip md5/sha256 verification
  -h, --help            this help

${LAKE_HELP}

${DICOM_HELP}

${SLICES_HELP}`;

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

async function validateCommand(target: string, values: Record<string, unknown>): Promise<number> {
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

/**
 * Parses `--mapping id=path` options. A local path that is a directory gets a trailing `/`,
 * which tells the reader to list it rather than read it as one file.
 */
async function parseMapping(list: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const m of list) {
    const i = m.indexOf('=');
    if (i <= 0) throw new CroissantError('INVALID', `--mapping expects id=path, got "${m}"`);
    let path = m.slice(i + 1);
    if (!isUrl(path) && !path.endsWith('/')) {
      const isDir = await stat(path).then(
        (s) => s.isDirectory(),
        () => false,
      );
      if (isDir) path += '/';
    }
    out[m.slice(0, i)] = path;
  }
  return out;
}

/** The Node resolver, with the folders the user allowed. */
function resolverFor(values: Record<string, unknown>) {
  return nodeResolver({ allow: (values['allow-path'] as string[] | undefined) ?? [] });
}

async function recordsCommand(target: string, values: Record<string, unknown>): Promise<number> {
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
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
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
  return 0;
}

/** Records as CSV: a header row from the first record's keys, then one row per record. */
class CsvOutput {
  private header: string[] | null = null;

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

/** Prints a failure, unless the output was closed: then the command simply ends (status 0). */
function failed(e: unknown): number {
  if (outputClosed().aborted) return 0;
  const code =
    e instanceof LakeError || e instanceof CroissantError || e instanceof ModelError
      ? ` [${e.code}]`
      : '';
  console.error(`croissant-lake: error${code}: ${(e as Error).message}`);
  // Cancelled: here only by Ctrl-C (SIGINT), so the status a shell gives a command it
  // interrupted (128 + 2), which scripts tell apart from a failure.
  return (e as { code?: unknown }).code === 'ABORTED' ? 130 : 1;
}

/** Runs the CLI; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  watchOutput();
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'record-set': { type: 'string', short: 'r' },
        limit: { type: 'string', short: 'n' },
        format: { type: 'string', short: 'f' },
        mapping: { type: 'string', short: 'm', multiple: true },
        'allow-path': { type: 'string', multiple: true },
        'no-verify': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        ...LAKE_OPTIONS,
        ...DICOM_OPTIONS,
        ...SLICES_OPTIONS,
      },
    });
  } catch (e) {
    console.error(`croissant-lake: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  const [command, target] = parsed.positionals;
  if (parsed.values.help || !command) {
    console.log(HELP);
    return command || parsed.values.help ? 0 : 2;
  }
  if (LAKE_COMMANDS.has(command)) {
    try {
      const mapping = await parseMapping((parsed.values.mapping as string[] | undefined) ?? []);
      return await lakeCommand(command, parsed.positionals.slice(1), parsed.values, mapping);
    } catch (e) {
      return failed(e);
    }
  }
  if (!target) {
    console.error(`croissant-lake: ${command} needs a URL or path\n\n${HELP}`);
    return 2;
  }
  try {
    if (command === 'validate') return await validateCommand(target, parsed.values);
    if (command === 'records') return await recordsCommand(target, parsed.values);
    if (command === 'dicom') return await dicomCommand(target, parsed.values);
    if (command === 'slices') return await slicesCommand(target, parsed.values);
    console.error(`croissant-lake: unknown command "${command}"\n\n${HELP}`);
    return 2;
  } catch (e) {
    return failed(e);
  }
}
