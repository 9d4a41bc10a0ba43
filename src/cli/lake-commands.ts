/**
 * The lake's commands (`--lake DIR`, default `./.lake`): ingest, datasets, log, branch, tag,
 * protect, diff, merge, append, add-columns, export, delete, gc. Each returns an exit status.
 */
import { fileSource, nodeResolver } from '../lib/io/node.ts';
import { LakeError } from '../lib/store/errors.ts';
import { openNodeBackend } from '../lib/store/node-fs.ts';
import { addColumnsCsv } from '../lib/versions/add-columns.ts';
import { appendCroissant } from '../lib/versions/append-croissant.ts';
import { appendCsv } from '../lib/versions/append.ts';
import { diffCommits, formatDiff } from '../lib/versions/diff.ts';
import { exportTarToFile, exportToFolder } from '../lib/versions/export-node.ts';
import { collectGarbage, datasetSizes } from '../lib/versions/gc.ts';
import { ingest, type IngestProgress } from '../lib/versions/ingest.ts';
import { Lake } from '../lib/versions/lake.ts';
import { mergeBranches, type MergePolicy } from '../lib/versions/merge.ts';
import { recordSetOf } from '../lib/versions/read.ts';
import { lakeRecords } from '../lib/versions/records.ts';
import { toPlainJson } from '../lib/croissant/plain.ts';

export const LAKE_HELP = `Lake commands (all take --lake DIR, default ./.lake):
  ingest <url|path> [--dataset ID] [--mapping id=path ...] [--allow-path DIR ...]
      Stores the raw files, the document and the records; main is protected.
  Commands that commit also take --author NAME and --code KEY=VALUE (repeatable: the code
  that produced the change, e.g. --code repo=https://… --code commit=abc123), kept in lineage.
  datasets                      the catalog, with sizes
  log <dataset> [rev] [-n N]    commits with their lineage
  branch <dataset>              list branches
  branch <dataset> <name> [--from REV]    create a branch (O(1))
  branch <dataset> --delete <name>
  tag <dataset> [<name> [--from REV]]     list tags, or tag a commit
  protect <dataset> <branch> [--off]
  rows <dataset> [rev] -r RS [-n N]        the records at a branch, tag or commit (JSON Lines)
  diff <dataset> <a> <b> [-n N] [--json]  rows added/removed/modified, columns
  merge <dataset> <from> --into <branch> [--policy fail|ours|theirs]
  append <dataset> <csv|croissant> --branch B --record-set RS
  add-columns <dataset> <csv> --branch B --record-set RS [--key rowid|COLUMN]
      [--ignore-unmatched]
  export <dataset> [rev] --out DIR|FILE.tar
      Croissant (the original metadata kept) plus Parquet files; all or nothing.
  delete <dataset>              remove a dataset (then gc frees its chunks)
  gc [--grace-ms MS]            delete unreferenced chunks older than the grace period
`;

export const LAKE_OPTIONS = {
  lake: { type: 'string' },
  dataset: { type: 'string' },
  from: { type: 'string' },
  into: { type: 'string' },
  branch: { type: 'string' },
  delete: { type: 'string' },
  off: { type: 'boolean' },
  policy: { type: 'string' },
  key: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  'ignore-unmatched': { type: 'boolean' },
  'grace-ms': { type: 'string' },
  author: { type: 'string' },
  code: { type: 'string', multiple: true },
} as const;

export const LAKE_COMMANDS = new Set([
  'ingest',
  'datasets',
  'log',
  'branch',
  'tag',
  'protect',
  'rows',
  'diff',
  'merge',
  'append',
  'add-columns',
  'export',
  'delete',
  'gc',
]);

type Values = Record<string, unknown>;
const str = (v: Values, k: string) => v[k] as string | undefined;

function need(value: string | undefined, what: string): string {
  if (!value) throw new LakeError('BAD_INPUT', `missing ${what} (see --help)`);
  return value;
}

/** `--code k=v` options as a lineage code reference. */
function parseCode(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new LakeError('BAD_INPUT', `--code expects key=value, got "${kv}"`);
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;

/** Runs one lake command. */
export async function lakeCommand(
  command: string,
  args: string[],
  values: Values,
  mapping: Record<string, string>,
): Promise<number> {
  const lake = await Lake.open(await openNodeBackend(str(values, 'lake') ?? '.lake'));
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const signal = controller.signal;
  const [a0, a1, a2] = args;
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  const who = {
    ...(str(values, 'author') ? { author: str(values, 'author')! } : {}),
    ...(values.code ? { code: parseCode(values.code as string[]) } : {}),
  };
  switch (command) {
    case 'ingest': {
      let last = '';
      const onProgress = (p: IngestProgress) => {
        const line = `${p.phase}: ${mb(p.bytes)} read, ${p.records} records${p.recordSet ? ` (${p.recordSet})` : ''}`;
        if (line !== last && process.stderr.isTTY) process.stderr.write(`\r${line}\x1b[K`);
        last = line;
      };
      const dataset = str(values, 'dataset');
      const r = await ingest(lake, need(a0, 'the Croissant URL or path'), {
        resolver: nodeResolver({ allow: (values['allow-path'] as string[] | undefined) ?? [] }),
        mapping,
        signal,
        onProgress,
        ...who,
        ...(dataset ? { dataset } : {}),
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
      for (const w of r.warnings) console.error(`warning: ${w}`);
      console.log(`ingested ${r.dataset} at ${r.commit} (main, protected)`);
      console.log(
        `  raw files: ${mb(r.rawBytes)}${r.resumedFiles ? `, ${r.resumedFiles} resumed from an interrupted run` : ''}`,
      );
      for (const [rs, n] of Object.entries(r.records)) console.log(`  ${rs}: ${n} records`);
      return 0;
    }
    case 'datasets': {
      const sizes = await datasetSizes(lake);
      for (const d of await lake.datasets()) {
        console.log(
          `${d.id}\t${d.name}\traw ${mb(d.rawBytes)}\tlake ${mb(sizes.byDataset[d.id] ?? 0)}\t${d.source}`,
        );
      }
      console.log(`total in lake: ${mb(sizes.total)}`);
      return 0;
    }
    case 'log': {
      const ds = need(a0, 'the dataset');
      for (const { hash, commit: c } of await lake.log(ds, a1 ?? 'main', limit)) {
        console.log(
          `commit ${hash}${c.parents.length > 1 ? `\nmerge  ${c.parents.map((p) => p.slice(0, 12)).join(' ')}` : ''}`,
        );
        console.log(`author ${c.author}\ndate   ${c.time}\n\n    ${c.message}`);
        console.log(
          `    lineage: ${c.lineage.op} ${JSON.stringify(c.lineage.params)}${c.lineage.code ? ` code ${JSON.stringify(c.lineage.code)}` : ''}\n`,
        );
      }
      return 0;
    }
    case 'branch': {
      const ds = need(a0, 'the dataset');
      const del = str(values, 'delete');
      if (del) {
        await lake.deleteBranch(ds, del);
        console.log(`deleted branch ${del}`);
      } else if (a1) {
        const b = await lake.createBranch(ds, a1, str(values, 'from') ?? 'main');
        console.log(`created branch ${b.name} at ${b.commit}`);
      } else {
        for (const b of await lake.branches(ds))
          console.log(`${b.name}\t${b.commit}${b.protected ? '\tprotected' : ''}`);
      }
      return 0;
    }
    case 'tag': {
      const ds = need(a0, 'the dataset');
      if (a1) {
        const t = await lake.tag(ds, a1, str(values, 'from') ?? 'main');
        console.log(`tagged ${t.commit} as ${t.name}`);
      } else for (const t of await lake.tags(ds)) console.log(`${t.name}\t${t.commit}`);
      return 0;
    }
    case 'protect': {
      const r = await lake.protect(need(a0, 'the dataset'), need(a1, 'the branch'), !values.off);
      console.log(`branch ${r.name} is ${r.protected ? 'protected (read-only)' : 'writable'}`);
      return 0;
    }
    case 'rows': {
      const ds = need(a0, 'the dataset');
      const commit = await lake.readCommit(await lake.resolve(ds, a1 ?? 'main'));
      const [id, rs] = recordSetOf(commit, need(str(values, 'record-set'), '--record-set RS'));
      const index = await lake.readObjects(commit);
      let n = 0;
      for await (const row of lakeRecords(lake.chunks, rs, index, `record set ${id} of ${ds}`)) {
        if (limit !== undefined && n++ >= limit) break;
        process.stdout.write(JSON.stringify(toPlainJson(row)) + '\n');
      }
      return 0;
    }
    case 'diff': {
      const ds = need(a0, 'the dataset');
      const d = await diffCommits(
        lake,
        await lake.resolve(ds, need(a1, 'the first revision')),
        await lake.resolve(ds, need(a2, 'the second revision')),
        limit === undefined ? {} : { limit },
      );
      console.log(values.json ? JSON.stringify(d, null, 1) : formatDiff(d));
      return 0;
    }
    case 'merge': {
      const policy = (str(values, 'policy') ?? 'fail') as MergePolicy;
      if (!['fail', 'ours', 'theirs'].includes(policy)) {
        throw new LakeError('BAD_INPUT', `--policy must be fail, ours or theirs, got "${policy}"`);
      }
      const r = await mergeBranches(lake, need(a0, 'the dataset'), {
        from: need(a1, 'the revision to merge'),
        into: need(str(values, 'into'), '--into BRANCH'),
        policy,
        ...who,
      });
      if (r.upToDate) console.log('already up to date: nothing to merge');
      else console.log(`merged at ${r.hash}: ${JSON.stringify(r.stats)}`);
      for (const c of r.conflicts)
        console.log(`  resolved (${policy}): row ${c.rowid} ${c.column}`);
      return 0;
    }
    case 'append': {
      const ds = need(a0, 'the dataset');
      const file = need(a1, 'the CSV or Croissant file');
      const opts = {
        branch: need(str(values, 'branch'), '--branch B'),
        recordSet: need(str(values, 'record-set'), '--record-set RS'),
        signal,
        ...who,
      };
      const r = /\.csv$|\.tsv$/i.test(file)
        ? await appendCsv(lake, ds, { ...opts, csv: fileSource(file) })
        : await appendCroissant(lake, ds, file, {
            ...opts,
            resolver: nodeResolver({ allow: (values['allow-path'] as string[] | undefined) ?? [] }),
            mapping,
          });
      console.log(`appended ${r.rows} rows to ${r.recordSet} on ${opts.branch} at ${r.hash}`);
      return 0;
    }
    case 'add-columns': {
      const key = str(values, 'key') ?? 'rowid';
      const r = await addColumnsCsv(lake, need(a0, 'the dataset'), {
        branch: need(str(values, 'branch'), '--branch B'),
        recordSet: need(str(values, 'record-set'), '--record-set RS'),
        csv: fileSource(need(a1, 'the CSV file')),
        key: key === 'rowid' ? { by: 'rowid' } : { by: 'field', column: key },
        ignoreUnmatched: !!values['ignore-unmatched'],
        signal,
        ...who,
      });
      console.log(
        `added ${r.columns.join(', ')} to ${r.recordSet} (${r.updated} rows) at ${r.hash}`,
      );
      if (r.unmatched.length)
        console.log(`  ${r.unmatched.length} key(s) matched no row and were ignored`);
      return 0;
    }
    case 'export': {
      const ds = need(a0, 'the dataset');
      const out = need(str(values, 'out'), '--out DIR or FILE.tar');
      const rev = a1 ?? 'main';
      if (out.endsWith('.tar')) {
        const result = await exportTarToFile(lake, ds, rev, out, { signal });
        console.log(`exported ${result.commit} to ${out} (${result.files.length} files)`);
      } else {
        const result = await exportToFolder(lake, ds, rev, out, { signal });
        console.log(
          `exported ${result.commit} to ${out}/metadata.json (${result.files.length} files)`,
        );
      }
      return 0;
    }
    case 'delete': {
      await lake.deleteDataset(need(a0, 'the dataset'));
      console.log(`deleted ${a0}; run gc to free its chunks`);
      return 0;
    }
    case 'gc': {
      const grace = str(values, 'grace-ms');
      const r = await collectGarbage(lake, grace === undefined ? {} : { graceMs: Number(grace) });
      console.log(
        `gc: deleted ${r.deleted} chunks (${mb(r.freedBytes)}), kept ${r.kept} (${mb(r.keptBytes)}), removed ${r.temporaryRemoved} temporary files`,
      );
      return 0;
    }
  }
  throw new LakeError('BAD_INPUT', `unknown command ${command}`);
}
