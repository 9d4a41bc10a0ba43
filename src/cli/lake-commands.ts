/**
 * The lake's commands (`--lake DIR`, default `./.lake`): the dispatch to the modules that run
 * them (lake-data.ts, lake-refs.ts, lake-write.ts, lake-verify.ts, remote-commands.ts…), each
 * loaded when its command runs, so that a command does not load what others need (a model's
 * ONNX reader for `datasets`, say). Their help and options are in help.ts and options.ts.
 * Each returns an exit status.
 */
import { hostname, userInfo } from 'node:os';
import { LakeError } from '../lib/store/errors.ts';
import { openNodeBackend } from '../lib/store/node-fs.ts';
import { Lake } from '../lib/versions/lake.ts';
import { parseCode, str, wholeNumber, type CommandContext, type Values } from './lake-cli.ts';
import { checkLakeFolder } from './lake-folder.ts';
import {
  DATA_COMMANDS,
  MODEL_COMMANDS,
  REF_COMMANDS,
  REMOTE_COMMANDS,
  WRITE_COMMANDS,
} from './options.ts';

/** Who changes refs from this process, for the ref log: `--author`, else user@host. */
function actor(values: Values): string {
  const author = str(values, 'author');
  if (author) return author;
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return `pid ${process.pid}@${hostname()}`; // no user name (some containers)
  }
}

/** Runs one lake command. */
export async function lakeCommand(
  command: string,
  args: string[],
  values: Values,
  mapping: Record<string, string>,
): Promise<number> {
  // --branch names the branch written to by these; the others take a revision as an argument,
  // and ignored it (`export titanic --branch curated` exported main).
  if (values.branch !== undefined && !TAKES_BRANCH.has(command)) {
    throw new LakeError(
      'BAD_INPUT',
      `${command} takes no --branch: give the branch or revision as its argument (croissant-lake ${command} --help)`,
    );
  }
  const dir = str(values, 'lake') ?? '.lake';
  if (!dir.trim()) throw new LakeError('BAD_INPUT', '--lake needs a folder, got ""');
  await checkLakeFolder(dir, command);
  const backend = await openNodeBackend(dir);
  const lake = await Lake.open(backend, { actor: actor(values) });
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  process.once('SIGINT', interrupt);
  try {
    return await dispatch(command, {
      lake,
      args,
      values,
      mapping,
      signal: controller.signal,
      limit: wholeNumber(values, 'limit'),
      who: {
        ...(str(values, 'author') ? { author: str(values, 'author')! } : {}),
        ...(values.code ? { code: parseCode(values.code as string[]) } : {}),
      },
    });
  } catch (e) {
    // Ctrl-C on a command that resumes: say so, where the error alone read as a failure.
    if (controller.signal.aborted && RESUMES.has(command) && (e as LakeError).code === 'ABORTED')
      throw new LakeError(
        'ABORTED',
        `${(e as Error).message}; what was stored is kept: run the same command again to resume`,
      );
    throw e;
  } finally {
    process.off('SIGINT', interrupt);
  }
}

/** Commands that read --branch. */
const TAKES_BRANCH = new Set(['append', 'add-columns', 'opinions']);

/**
 * Commands that pick up where an interrupted run stopped (journals, resumable transfers); train
 * resumes too, and its own message says so.
 */
const RESUMES = new Set(['ingest', 'push', 'fetch', 'pull', 'clone']);

async function dispatch(command: string, c: CommandContext): Promise<number> {
  if (DATA_COMMANDS.has(command)) return (await import('./lake-data.ts')).dataCommand(command, c);
  if (REF_COMMANDS.has(command)) return (await import('./lake-refs.ts')).refCommand(command, c);
  if (WRITE_COMMANDS.has(command))
    return (await import('./lake-write.ts')).writeCommand(command, c);
  if (command === 'verify') return (await import('./lake-verify.ts')).verifyCommand(c);
  if (REMOTE_COMMANDS.has(command))
    return (await import('./remote-commands.ts')).remoteCommand(command, c);
  if (command === 'opinions') return (await import('./opinions-commands.ts')).opinionsCommand(c);
  if (command === 'evaluate') return (await import('./evaluate-command.ts')).evaluateCommand(c);
  if (command === 'blindspots')
    return (await import('./blindspots-command.ts')).blindspotsCommand(c);
  if (MODEL_COMMANDS.has(command))
    return (await import('./model-commands.ts')).modelCommand(command, c);
  throw new LakeError('BAD_INPUT', `unknown command ${command}`);
}
