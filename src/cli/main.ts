/**
 * The headless command line over the core library, with Node adapters:
 * `croissant-lake validate <url|path>`, `croissant-lake records <url|path> --record-set ID`, and
 * the lake's commands (lake-commands.ts).
 */
import { parseArgs } from 'node:util';
import { stringify } from 'csv-stringify/sync';
import {
  CroissantError,
  formatIssue,
  readCroissant,
  recordRows,
  toPlainJson,
} from '../lib/croissant/index.ts';
import type { Issue } from '../lib/croissant/index.ts';
import { nodeResolver } from '../lib/io/node.ts';
import { LakeError } from '../lib/store/errors.ts';
import { LAKE_COMMANDS, LAKE_HELP, LAKE_OPTIONS, lakeCommand } from './lake-commands.ts';

const HELP = `croissant-lake — read Croissant datasets as the reference implementation does

Usage:
  croissant-lake validate <url|path>
      Prints the validator's errors and warnings. Exit status 0 when valid, 1 otherwise.
  croissant-lake records <url|path> --record-set ID [--limit N] [--format jsonl|csv]
                 [--mapping id=path ...] [--no-verify]
      Prints the records of a record set, keyed by field @id (1.0/1.1) or name (0.8).
      Bytes print as UTF-8 text when textual; images as their mode and size; other bytes
      as their length.

Options:
  -r, --record-set ID   record set @id or name
  -n, --limit N         stop after N records
  -f, --format F        jsonl (default) or csv
  -m, --mapping ID=P    read FileObject ID (or URL) from local path or URL P; repeatable
      --no-verify       skip md5/sha256 verification
  -h, --help            this help

${LAKE_HELP}`;

/** Prints issues in the reference validator's layout. */
export function printIssues(errors: Issue[], warnings: Issue[], out: (s: string) => void): void {
  if (errors.length) {
    out(`Found the following ${errors.length} error(s) during the validation:`);
    for (const e of errors) out(`  -  ${formatIssue(e)}`);
  }
  if (warnings.length) {
    out(`Found the following ${warnings.length} warning(s) during the validation:`);
    for (const w of warnings) out(`  -  ${formatIssue(w)}`);
  }
}

async function validateCommand(target: string): Promise<number> {
  const result = await readCroissant(target, { resolver: nodeResolver() });
  printIssues(result.errors, result.warnings, (s) => console.log(s));
  if (!result.errors.length) console.log('Done: no errors.');
  return result.errors.length ? 1 : 0;
}

function parseMapping(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of list) {
    const i = m.indexOf('=');
    if (i <= 0) throw new CroissantError('INVALID', `--mapping expects id=path, got "${m}"`);
    out[m.slice(0, i)] = m.slice(i + 1);
  }
  return out;
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
  const resolver = nodeResolver();
  const result = await readCroissant(target, { resolver });
  if (!result.metadata || result.errors.length) {
    printIssues(result.errors, result.warnings, (s) => console.error(s));
    return 1;
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  let header: string[] | null = null;
  for await (const row of recordRows(result.metadata, recordSet, {
    resolver,
    mapping: parseMapping((values.mapping as string[] | undefined) ?? []),
    verifyChecksums: !values['no-verify'],
    signal: controller.signal,
    ...(limit !== undefined ? { limit } : {}),
    onWarning: (w) => console.error(`warning: ${formatIssue(w)}`),
  })) {
    const plain = toPlainJson(row) as Record<string, unknown>;
    if (format === 'jsonl') {
      process.stdout.write(JSON.stringify(plain) + '\n');
      continue;
    }
    if (!header) {
      header = Object.keys(plain);
      process.stdout.write(stringify([header]));
    }
    const cells = header.map((k) => {
      const v = plain[k];
      return v === null || v === undefined
        ? ''
        : typeof v === 'object'
          ? JSON.stringify(v)
          : String(v);
    });
    process.stdout.write(stringify([cells]));
  }
  return 0;
}

/** Runs the CLI; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
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
        'no-verify': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        ...LAKE_OPTIONS,
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
      const mapping = parseMapping((parsed.values.mapping as string[] | undefined) ?? []);
      return await lakeCommand(command, parsed.positionals.slice(1), parsed.values, mapping);
    } catch (e) {
      const code = e instanceof LakeError || e instanceof CroissantError ? ` [${e.code}]` : '';
      console.error(`croissant-lake: error${code}: ${(e as Error).message}`);
      return 1;
    }
  }
  if (!target) {
    console.error(`croissant-lake: ${command} needs a URL or path\n\n${HELP}`);
    return 2;
  }
  try {
    if (command === 'validate') return await validateCommand(target);
    if (command === 'records') return await recordsCommand(target, parsed.values);
    console.error(`croissant-lake: unknown command "${command}"\n\n${HELP}`);
    return 2;
  } catch (e) {
    const code = e instanceof CroissantError ? ` [${e.code}]` : '';
    console.error(`croissant-lake: error${code}: ${(e as Error).message}`);
    return 1;
  }
}
