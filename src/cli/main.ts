/**
 * The headless command line over the core library, with Node adapters:
 * `croissant-lake validate <url|path>`, `croissant-lake records <url|path> --record-set ID`
 * (read-commands.ts), and the lake's commands (lake-commands.ts). Parsing the arguments and
 * printing the help load nothing else (help.ts, options.ts); a command's module is loaded when
 * it runs, so that `--help` starts at once and each command loads only what it needs.
 */
import { parseArgs } from 'node:util';
import { CroissantError } from '../lib/croissant/errors.ts';
import { ModelError } from '../lib/model/errors.ts';
import { LakeError } from '../lib/store/errors.ts';
import { HELP, commandHelp } from './help.ts';
import { parseMapping } from './mapping.ts';
import { DICOM_OPTIONS, LAKE_COMMANDS, LAKE_OPTIONS, SLICES_OPTIONS } from './options.ts';
import { outputClosed, outputFailed, watchOutput } from './output.ts';

/** What the file system's refusals mean for a command, said after Node's own message. */
const SYSTEM_ADVICE: Record<string, string> = {
  EACCES: 'this user may not write there: the lake (or the file named) must be writable',
  EPERM: 'this user may not write there: the lake (or the file named) must be writable',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  ENOTDIR: 'a path named as a folder is a file',
  EISDIR: 'a path named as a file is a folder',
  ENOENT: 'no such file or folder: check the path, and that its folder exists',
};

/** A failure as one line: its code, its message, and for a system error what it means. */
export function failureLine(e: unknown): string {
  if (e instanceof LakeError || e instanceof CroissantError || e instanceof ModelError)
    return `croissant-lake: error [${e.code}]: ${e.message}`;
  const sys = (e as NodeJS.ErrnoException | null)?.code;
  const advice = typeof sys === 'string' ? SYSTEM_ADVICE[sys] : undefined;
  if (advice) return `croissant-lake: error [IO]: ${(e as Error).message} (${advice})`;
  return `croissant-lake: error: ${(e as Error).message}`;
}

/** Prints a failure, unless the output was closed: then the command simply ends (status 0). */
function failed(e: unknown): number {
  if (outputClosed().aborted) return 0;
  console.error(failureLine(e));
  // Cancelled: here only by Ctrl-C (SIGINT), so the status a shell gives a command it
  // interrupted (128 + 2), which scripts tell apart from a failure.
  return (e as { code?: unknown }).code === 'ABORTED' ? 130 : 1;
}

/** Runs the CLI; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const code = await run(argv);
  // Output that could not be written (a full disk behind a redirect) fails the command, even
  // one that stopped writing and returned 0 (`records … > /dev/full` exited 0).
  return code === 0 && outputFailed() ? 1 : code;
}

/** The commands that read a document (the lake's are in LAKE_COMMANDS), and their options. */
const READ_OPTIONS: Record<string, readonly string[]> = {
  validate: ['format', 'allow-path'],
  records: ['record-set', 'limit', 'format', 'mapping', 'allow-path', 'no-verify'],
  dicom: Object.keys(DICOM_OPTIONS),
  slices: ['format', ...Object.keys(SLICES_OPTIONS)],
};
const READ_COMMANDS = Object.keys(READ_OPTIONS);

/**
 * INVALID naming an option `command` does not read: parseArgs takes every option of every
 * command, so `validate … --policy ours` was accepted and ignored.
 */
function checkOptions(command: string, values: Record<string, unknown>): void {
  const own = new Set([...(READ_OPTIONS[command] ?? []), 'help']);
  const stray = Object.keys(values).filter((k) => values[k] !== undefined && !own.has(k));
  if (!stray.length) return;
  throw new CroissantError(
    'INVALID',
    `${command} takes no ${stray.map((k) => `--${k}`).join(', ')}; its options: ${[...own]
      .filter((k) => k !== 'help')
      .map((k) => `--${k}`)
      .join(', ')}`,
  );
}

async function run(argv: string[]): Promise<number> {
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
    // The error, then the help of the command it is about (not all of it, above which it
    // scrolled away).
    const about = argv.find((a) => !a.startsWith('-'));
    const help =
      (about && commandHelp(about)) ?? 'croissant-lake --help lists every command and option';
    console.error(`croissant-lake: ${(e as Error).message}\n\n${help}`);
    return 2;
  }
  const [command, target] = parsed.positionals;
  if (parsed.values.help || !command) {
    console.log((command && parsed.values.help && commandHelp(command)) || HELP);
    return command || parsed.values.help ? 0 : 2;
  }
  if (LAKE_COMMANDS.has(command)) {
    try {
      const mapping = await parseMapping((parsed.values.mapping as string[] | undefined) ?? []);
      const { lakeCommand } = await import('./lake-commands.ts');
      return await lakeCommand(command, parsed.positionals.slice(1), parsed.values, mapping);
    } catch (e) {
      return failed(e);
    }
  }
  if (!READ_COMMANDS.includes(command)) {
    console.error(
      `croissant-lake: unknown command "${command}"; the commands are ${[...READ_COMMANDS, ...LAKE_COMMANDS].join(', ')} (croissant-lake --help says what each does)`,
    );
    return 2;
  }
  if (!target) {
    console.error(
      `croissant-lake: ${command} needs a URL or path\n\n${commandHelp(command) ?? HELP}`,
    );
    return 2;
  }
  try {
    checkOptions(command, parsed.values);
    if (command === 'validate')
      return await (await import('./read-commands.ts')).validateCommand(target, parsed.values);
    if (command === 'records')
      return await (await import('./read-commands.ts')).recordsCommand(target, parsed.values);
    if (command === 'dicom')
      return await (await import('./dicom-command.ts')).dicomCommand(target, parsed.values);
    if (command === 'slices')
      return await (await import('./slices-command.ts')).slicesCommand(target, parsed.values);
    console.error(`croissant-lake: unknown command "${command}"\n\n${HELP}`);
    return 2;
  } catch (e) {
    return failed(e);
  }
}
