/**
 * The command line's help texts, apart from the code that runs the commands: `--help` (and a
 * mistyped command) print them without loading the modules every command needs (main.ts loads
 * a command's module when it runs). Nothing here imports more than constants.
 */
import { DEFAULT_OPINIONS_BRANCH } from '../lib/opinions/branch-name.ts';

export const REMOTE_HELP = `Remote commands (S3-compatible storage; credentials per remote, never stored in the lake:
  CROISSANT_LAKE_<REMOTE>_ACCESS_KEY_ID / _SECRET_ACCESS_KEY / _SESSION_TOKEN, or --profile):
  remote add <name> <s3://bucket/prefix | http(s)://host:port/bucket/prefix>
      [--endpoint URL] [--region R] [--profile P]
  remote list | remote remove <name>
  push <remote> <dataset> [branch ...] [--no-tags]   fast-forwards only; uploads what is missing
  fetch <remote> <dataset>          remote heads as <remote>/<branch>; verified downloads
  pull <remote> <dataset> [branch ...] [--policy fail|ours|theirs]   fetch, then merge
  clone <remote> [dataset]          a dataset this lake lacks (no dataset: list the remote's)
  status <remote> <dataset>         ahead/behind per branch, as of the last fetch or push
`;

export const OPINIONS_HELP = `Opinions (labels, corrections, predictions; docs/opinions.md), on --branch (default ${DEFAULT_OPINIONS_BRANCH},
created from main when missing):
  opinions import <dataset> <file.csv|.jsonl|.json> [--format csv|jsonl|label-studio]
      [--subject-set RS] [--subject-key COLUMN] [--question Q] [--actor A] [--actor-kind K]
      [--task-field F] [--new-classes]   one batch, checked whole: a bad row writes nothing;
      a class its question does not have on the branch is refused without --new-classes
  opinions map <dataset> -r RS --value COLUMN --question Q [--annotator COLUMN] [--time COLUMN]
      [--id-column COLUMN --corrects COLUMN] [--subject-set RS --subject-key COLUMN
      --subject-column COLUMN]   a label column of the dataset as opinions
  opinions log <dataset> <subject> [rev] [--question Q]   one subject's graph (#ROWID or a key)
  opinions leaves <dataset> [rev] [--question Q] [-n N]   the leaves, as JSON Lines
  opinions consolidate <dataset> [rev] [--question Q] [--rule R] [--param K=V ...]
      [--weights FILE.json] [--save BRANCH] [--json]
      rules: latest-leaf, majority-of-leaves (default), weighted, dawid-skene, human-review;
      --save writes a protected training branch
  opinions agreement <dataset> [rev] [--question Q] [--rule R]   kappas, alpha, annotators
`;

export const MODEL_HELP = `Models:
  train <dataset> <branch> --label FIELD [--split FIELD|--val 0.2] [--model logreg|mlp|cnn|SPEC.json]
        [--epochs N] [--batch N] [--lr X] [--seed S] [--augment PERMALINK]
        [--size PX] [--channels 1|3] [--features COL,COL] [--fresh] [-r RS]
      Trains on onnxruntime's wasm (defaults: cnn on the image column, 64×64 gray, --split
      split, 5 epochs, batch 32, lr 0.003, seed 0). --split FIELD: rows whose value is train
      train, val/valid/validation validate, the rest are left out; --val F: a seeded hash of
      the row id picks a fraction F for validation. With --features (or no image column) the
      numeric columns, standardised, are the input. Progress on stderr; at the end the model
      id and metrics. Ctrl-C keeps a checkpoint: the same command resumes it (--fresh: no).
  models <dataset> [--json]       the dataset's models with their lineage
  model-export <dataset> ID --out FILE.onnx
      The inference graph (input x, outputs logits and embedding) and FILE.card.json.`;

export const EVALUATE_HELP = `Evaluation:
  evaluate <dataset> <branch> --model FILE.onnx|ID [--label FIELD] [--into BRANCH]
      Runs a classifier (an .onnx file, or a model of the lake by id or a 6+ digit prefix:
      its image column, size and channels as trained) over the branch's images, writes the \`predictions\` record set (joinable
      by _rowid) and the predictions as opinions of the model onto --into (created from
      <branch> when new; default <branch>), and prints the metrics as JSON with 95% bootstrap
      intervals. Options: --record-set RS --image FIELD --split FIELD=VALUE (those rows only)
      --classes a,b,… (the model's classes in output order; default the label's sorted values)
      --size WxH --channels 1|3 --mean m[,m,m] --std s[,s,s] (on the 0–1 scale) --bgr
      --layout nchw|nhwc --output NAME --embedding NAME|none --batch N (32)
      --bootstrap N (1000) --seed S (0) --question Q (opinions; default the label) --no-opinions`;

export const BLINDSPOTS_HELP = `Blind spots:
  blindspots <dataset> <evaluation-branch> [--alpha A] [--min-support F] [--max-level L]
        [--k K] [--columns a,b,…] [--error zero-one|loss|class:NAME] [--seed S]
        [--predictions RS] [-r RS] [--no-store] [--format text|json]
      Finds where a model does worse than average, from the predictions record set that
      \`evaluate\` wrote onto the branch: SliceLine over every metadata column (defaults: α 0.95,
      minimum support 0.01 of the rows, at least 8; max level 3; K 10; error zero-one; seed 0),
      embedding clusters and label-noise suspects. Prints the ranked slices (column → value,
      size, error rate with its 95% CI, score), the clusters and the suspects; --format json
      prints the report. The report is committed to the branch (record set blindspots) unless
      --no-store.`;

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

/** Its part of `--help`. */
export const DICOM_HELP = `DICOM:
  croissant-lake dicom <file.dcm> [--frame N] [--raw OUT]
      Prints the transfer syntax, geometry (rows, columns, frames, samples, bits allocated
      and stored, pixel representation, photometric interpretation) and main tags as JSON,
      or a located error. --frame N (0-based) also decodes frame N and prints its range.
      --raw OUT writes the decoded stored values (all frames, or frame N): little endian,
      frames × rows × columns × samples (interleaved), in the file's sample type (int8 …
      uint32; 1-bit data as one uint8 per pixel); no rescale, windowing or inversion.`;

export const SLICES_HELP = `Slices:
  slices <file.csv|file.parquet> --error COLUMN [--alpha A] [--min-support N] [--max-level L]
         [--k K] [--columns a,b,…] [--format text|json]
      SliceLine (SIGMOD 2021) alone: the K slices (conjunctions of column = value) where the
      error is worst, by α·((error of slice / size)/mean error − 1) − (1−α)·(rows/size − 1).
      Every other column (or --columns) is a feature: integer codes ≥ 1 as they are, other
      values coded by their sorted distinct values, a missing value as a level of its own.
      The error is a number ≥ 0 per row (0/1, a loss) or a boolean. Defaults: --alpha 0.95,
      --min-support max(ceil(1% of rows), 8) rows, --max-level 3, --k 4. JSON adds each
      level's candidates; progress goes to stderr.`;

/** The whole help (`croissant-lake --help`). */
export const HELP = `croissant-lake — read Croissant datasets as the reference implementation does

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
 * The help of one command: the lines of {@link HELP} that show its use (`  ingest <url|path> …`,
 * or `croissant-lake records …`) with the lines under them, and where to find the rest; null
 * for a name no line shows. `croissant-lake ingest --help` printed all 150 lines, and a usage
 * error scrolled away above them.
 */
export function commandHelp(command: string): string | null {
  const lines = HELP.split('\n');
  const indent = (l: string) => l.length - l.trimStart().length;
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trimStart().replace(/^croissant-lake /, '');
    if (t !== command && !t.startsWith(`${command} `)) continue;
    const at = indent(lines[i]!);
    out.push(lines[i]!);
    while (i + 1 < lines.length && lines[i + 1]!.trim() && indent(lines[i + 1]!) > at) {
      out.push(lines[++i]!);
    }
  }
  return out.length
    ? `${out.join('\n')}\n\n(croissant-lake --help: every command and option)`
    : null;
}
