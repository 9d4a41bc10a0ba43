/**
 * The lake's commands (`--lake DIR`, default `./.lake`): the help, the options, and the
 * dispatch to the modules that run them (lake-data.ts, lake-refs.ts, lake-write.ts,
 * lake-verify.ts). Each returns an exit status.
 */
import { hostname, userInfo } from 'node:os';
import { LakeError } from '../lib/store/errors.ts';
import { openNodeBackend } from '../lib/store/node-fs.ts';
import { Lake } from '../lib/versions/lake.ts';
import { parseCode, str, type CommandContext, type Values } from './lake-cli.ts';
import { DATA_COMMANDS, dataCommand } from './lake-data.ts';
import { REF_COMMANDS, refCommand } from './lake-refs.ts';
import { verifyCommand } from './lake-verify.ts';
import { WRITE_COMMANDS, writeCommand } from './lake-write.ts';
import { REMOTE_COMMANDS, REMOTE_HELP, REMOTE_OPTIONS, remoteCommand } from './remote-commands.ts';
import { OPINIONS_HELP, OPINIONS_OPTIONS, opinionsCommand } from './opinions-commands.ts';
import { EVALUATE_HELP, EVALUATE_OPTIONS, evaluateCommand } from './evaluate-command.ts';
import { MODEL_COMMANDS, MODEL_HELP, MODEL_OPTIONS, modelCommand } from './model-commands.ts';
import { BLINDSPOTS_HELP, BLINDSPOTS_OPTIONS, blindspotsCommand } from './blindspots-command.ts';

export const LAKE_HELP = `Lake commands (all take --lake DIR, default ./.lake):
  ingest <url|path> [--dataset ID] [--mapping id=path ...] [--allow-path DIR ...]
      Stores the raw files, the document and the records; main is protected. For a dataset
      in the lake already: a new import commit on main with a diff, or "unchanged".
      Ctrl-C keeps what was stored: the same ingest again resumes.
  Commands that commit also take --author NAME and --code KEY=VALUE (repeatable: the code
  that produced the change, e.g. --code repo=https://… --code commit=abc123), kept in lineage.
  datasets                      the catalog, with sizes (and incomplete datasets)
  finish <dataset>              finish an incomplete dataset (catalog entry from its import)
  log <dataset> [rev] [-n N]    commits with their lineage
  branch <dataset>              list branches
  branch <dataset> <name> [--from REV]    create a branch (O(1))
  branch <dataset> --delete <name>        not the import branch (main) nor the last one
  tag <dataset> [<name> [--from REV]]     list tags, or tag a commit
  protect <dataset> <branch> [--off]
  reflog <dataset> [-n N]       every ref change (who, when, old → new), and deleted branches
  restore <dataset> <branch> [--as NAME]  a deleted branch, at its last commit
  rows <dataset> [rev] -r RS [-n N]        the records at a branch, tag or commit (JSON Lines)
  diff <dataset> <a> <b> [-n N] [--json]  rows added/removed/modified, columns
  merge <dataset> <from> --into <branch> [--policy fail|ours|theirs]
  append <dataset> <csv|croissant> --branch B --record-set RS
  add-columns <dataset> <csv> --branch B --record-set RS [--key rowid|COLUMN]
      [--ignore-unmatched]
  export <dataset> [rev] --out DIR|FILE.tar
      Croissant (the original metadata kept) plus Parquet files; all or nothing.
  delete <dataset>              remove a dataset (then gc frees its chunks)
  gc [--grace-ms MS]            delete unreferenced chunks older than the grace period;
      keeps what the ref log can restore (30 days) and what unfinished work
      journaled, waits for running writers
  discard <dataset>             give up an unfinished ingest or pipeline run (then gc)
  verify [dataset] [rev]        re-hash every chunk and object; exit 1 naming what is damaged

${REMOTE_HELP}

${OPINIONS_HELP}

${MODEL_HELP}

${EVALUATE_HELP}

${BLINDSPOTS_HELP}`;

export const LAKE_OPTIONS = {
  lake: { type: 'string' },
  dataset: { type: 'string' },
  from: { type: 'string' },
  into: { type: 'string' },
  branch: { type: 'string' },
  delete: { type: 'string' },
  as: { type: 'string' },
  off: { type: 'boolean' },
  policy: { type: 'string' },
  key: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  'ignore-unmatched': { type: 'boolean' },
  'grace-ms': { type: 'string' },
  author: { type: 'string' },
  code: { type: 'string', multiple: true },
  ...REMOTE_OPTIONS,
  ...OPINIONS_OPTIONS,
  ...EVALUATE_OPTIONS,
  ...MODEL_OPTIONS,
  ...BLINDSPOTS_OPTIONS,
} as const;

export const LAKE_COMMANDS = new Set([
  ...DATA_COMMANDS,
  ...REF_COMMANDS,
  ...WRITE_COMMANDS,
  ...REMOTE_COMMANDS,
  ...MODEL_COMMANDS,
  'verify',
  'opinions',
  'evaluate',
  'blindspots',
]);

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
  const backend = await openNodeBackend(str(values, 'lake') ?? '.lake');
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
      limit: values.limit === undefined ? undefined : Number(values.limit),
      who: {
        ...(str(values, 'author') ? { author: str(values, 'author')! } : {}),
        ...(values.code ? { code: parseCode(values.code as string[]) } : {}),
      },
    });
  } finally {
    process.off('SIGINT', interrupt);
  }
}

function dispatch(command: string, c: CommandContext): Promise<number> {
  if (DATA_COMMANDS.has(command)) return dataCommand(command, c);
  if (REF_COMMANDS.has(command)) return refCommand(command, c);
  if (WRITE_COMMANDS.has(command)) return writeCommand(command, c);
  if (command === 'verify') return verifyCommand(c);
  if (REMOTE_COMMANDS.has(command)) return remoteCommand(command, c);
  if (command === 'opinions') return opinionsCommand(c);
  if (command === 'evaluate') return evaluateCommand(c);
  if (command === 'blindspots') return blindspotsCommand(c);
  if (MODEL_COMMANDS.has(command)) return modelCommand(command, c);
  throw new LakeError('BAD_INPUT', `unknown command ${command}`);
}
