/**
 * `croissant-lake opinions import | map | log | leaves | consolidate | agreement`: labels,
 * corrections and predictions as opinions (docs/opinions.md), over the lake directory. This
 * module holds the help, the options and the writing commands; opinions-read.ts the others.
 */
import { extname } from 'node:path';
import { fileSource } from '../lib/io/node.ts';
import { LakeError } from '../lib/store/errors.ts';
import { readOpinionsCsv, readOpinionsJsonl } from '../lib/opinions/import-table.ts';
import { readLabelStudio } from '../lib/opinions/label-studio.ts';
import { mapColumn } from '../lib/opinions/map-column.ts';
import { DEFAULT_OPINIONS_BRANCH } from '../lib/opinions/model.ts';
import { ensureOpinionsBranch, questionsOf } from '../lib/opinions/revision.ts';
import type { Lake } from '../lib/versions/lake.ts';
import { writeOpinions, type WriteOpinionsResult } from '../lib/opinions/write.ts';
import { need, str, type CommandContext } from './lake-cli.ts';
import { subjectKeyOf, subjectSetOf } from './opinions-cli.ts';
import { readCommand, READ_SUBCOMMANDS } from './opinions-read.ts';

/** The question for lines that name none: the option, else the branch's only question. */
async function defaultQuestion(lake: Lake, dataset: string, branch: string, given?: string) {
  if (given) return { question: given };
  const commit = await lake.readCommit(await lake.resolve(dataset, branch));
  const questions = [...(await questionsOf(lake, commit)).keys()];
  return questions.length === 1 ? { question: questions[0]! } : {};
}

function report(r: WriteOpinionsResult, created: boolean, main: string): void {
  if (created) console.log(`created branch ${r.branch} from ${main}`);
  const skipped = r.skipped ? `, ${r.skipped} already present` : '';
  if (r.commit) console.log(`added ${r.added} opinion(s)${skipped} on ${r.branch} at ${r.commit}`);
  else console.log(`nothing new: all ${r.skipped} opinion(s) are on ${r.branch} already`);
}

async function importCommand(c: CommandContext): Promise<number> {
  const { lake, values, signal, who } = c;
  const dataset = need(c.args[1], 'the dataset');
  const path = need(c.args[2], 'the file of opinions');
  const branch = str(values, 'branch') ?? DEFAULT_OPINIONS_BRANCH;
  const ensured = await ensureOpinionsBranch(lake, dataset, branch);
  const format =
    str(values, 'format') ??
    ({
      '.csv': 'csv',
      '.tsv': 'csv',
      '.jsonl': 'jsonl',
      '.ndjson': 'jsonl',
      '.json': 'label-studio',
    }[extname(path).toLowerCase()] as string | undefined);
  const set = await subjectSetOf(lake, dataset, branch, values);
  const key = await subjectKeyOf(lake, dataset, branch, set, values);
  const file = fileSource(path);
  let read;
  if (format === 'label-studio') {
    if (!key)
      throw new LakeError(
        'BAD_INPUT',
        `say which column of ${set} Label Studio tasks name (--subject-key)`,
      );
    const field = str(values, 'task-field');
    read = await readLabelStudio(
      file,
      { subjectSet: set, subjectKey: key, ...(field ? { taskField: field } : {}) },
      signal,
    );
  } else if (format === 'csv' || format === 'jsonl') {
    const defaults = {
      subjectSet: set,
      ...(key ? { subjectKey: key } : {}),
      ...(await defaultQuestion(lake, dataset, branch, str(values, 'question'))),
      ...(str(values, 'actor') ? { actor: str(values, 'actor')! } : {}),
      ...(str(values, 'actor-kind') ? { actorKind: str(values, 'actor-kind')! } : {}),
    };
    read = await (format === 'csv' ? readOpinionsCsv : readOpinionsJsonl)(file, defaults, signal);
  } else {
    throw new LakeError('BAD_INPUT', `--format must be csv, jsonl or label-studio (for ${path})`);
  }
  // As the Labels tab imports: a class the question does not have yet is refused, unless asked.
  const knownClasses = values['new-classes'] !== true;
  const r = await writeOpinions(lake, dataset, { branch, ...read, signal, ...who, knownClasses });
  report(r, ensured.created, await lake.importBranch(dataset));
  return 0;
}

async function mapCommand(c: CommandContext): Promise<number> {
  const { lake, values, signal, who } = c;
  const dataset = need(c.args[1], 'the dataset');
  const branch = str(values, 'branch') ?? DEFAULT_OPINIONS_BRANCH;
  const ensured = await ensureOpinionsBranch(lake, dataset, branch);
  const opt = (k: string) => str(values, k);
  // Each needs the other: corrections name the ids of what they correct.
  if ((opt('id-column') === undefined) !== (opt('corrects') === undefined)) {
    throw new LakeError(
      'BAD_INPUT',
      "opinions map: --id-column COLUMN (each label's id) and --corrects COLUMN (the id a label corrects) go together; give both or neither",
    );
  }
  const subjectSet = opt('subject-set');
  const mapping = {
    recordSet: need(opt('record-set'), '--record-set RS (the record set holding the labels)'),
    value: need(opt('value'), '--value COLUMN (the label column)'),
    question: need(opt('question'), '--question Q'),
    ...(opt('annotator') ? { annotator: opt('annotator')! } : {}),
    ...(opt('time') ? { time: opt('time')! } : {}),
    ...(opt('id-column') ? { id: opt('id-column')! } : {}),
    ...(opt('corrects') ? { corrects: opt('corrects')! } : {}),
    ...(subjectSet
      ? {
          subject: {
            set: subjectSet,
            keyColumn:
              (await subjectKeyOf(lake, dataset, branch, subjectSet, values)) ??
              need(undefined, `--subject-key (no key is declared for ${subjectSet})`),
            column: need(
              opt('subject-column'),
              '--subject-column COLUMN (the key in the label rows)',
            ),
          },
        }
      : {}),
  };
  const r = await mapColumn(lake, dataset, {
    branch,
    mapping,
    signal,
    ...(who.author ? { author: who.author } : {}),
  });
  report(r, ensured.created, await lake.importBranch(dataset));
  if (r.unlabelled) console.log(`  ${r.unlabelled} row(s) without a label were left out`);
  return 0;
}

/** Runs `opinions <subcommand> …`; returns the exit status. */
export async function opinionsCommand(c: CommandContext): Promise<number> {
  const sub = c.args[0];
  if (sub === 'import') return importCommand(c);
  if (sub === 'map') return mapCommand(c);
  if (sub && READ_SUBCOMMANDS.has(sub)) return readCommand(sub, c);
  throw new LakeError(
    'BAD_INPUT',
    `opinions ${sub ?? ''}: expected import, map, log, leaves, consolidate or agreement`,
  );
}
