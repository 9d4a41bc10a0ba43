/**
 * The lake's dataset commands: ingest (and update), datasets, finish, delete, gc, log, rows,
 * diff, export.
 */
import { toPlainJson } from '../lib/croissant/plain.ts';
import { nodeResolver } from '../lib/io/node.ts';
import { LakeError } from '../lib/store/errors.ts';
import { diffCommits, formatDiff, formatDiffRows } from '../lib/versions/diff.ts';
import { exportTarToFile, exportToFolder } from '../lib/versions/export-node.ts';
import { collectGarbage, datasetSizes } from '../lib/versions/gc.ts';
import {
  discardUnfinished,
  unfinishedWork,
  type UnfinishedWork,
} from '../lib/versions/unfinished.ts';
import { finishRegistration } from '../lib/versions/ingest-finish.ts';
import { ingest, type IngestProgress, type IngestResult } from '../lib/versions/ingest.ts';
import { recordSetOf } from '../lib/versions/read.ts';
import { lakeRecords } from '../lib/versions/records.ts';
import { mb, need, str, wholeNumber, type CommandContext } from './lake-cli.ts';

function describeWork(w: UnfinishedWork): string {
  return w.kind === 'ingest'
    ? `unfinished ingest of ${w.dataset} from ${w.what}`
    : `unfinished pipeline run of ${w.dataset} into branch ${w.what}`;
}

/** Says what gc kept for unfinished work, and how to resume or give it up. */
function printUnfinished(work: readonly UnfinishedWork[], what = 'gc: kept'): void {
  for (const w of work) {
    console.log(
      `${what} ${mb(w.bytes)} for the ${describeWork(w)}: run it again to resume, or \`discard ${w.dataset}\` to give it up`,
    );
  }
}

function printIngest(r: IngestResult, source: string): void {
  if (r.unchanged) {
    console.log(
      `${r.dataset} is unchanged: its import ${r.commit} already holds this source; nothing was written`,
    );
    return;
  }
  if (r.update) {
    console.log(
      `updated ${r.dataset}: new import ${r.commit} (previous import ${r.update.previous})`,
    );
    // Another document under the same id replaces what main imports: said, not only implied.
    if (r.update.previousSource !== null && r.update.previousSource !== source)
      console.log(`  source changed: was ${r.update.previousSource}, now ${source}`);
    console.log(formatDiff(r.update.diff));
  } else console.log(`ingested ${r.dataset} at ${r.commit} (main, protected)`);
  console.log(
    `  raw files: ${mb(r.rawBytes)}${r.resumedFiles ? `, ${r.resumedFiles} resumed from an interrupted run` : ''}`,
  );
  for (const [rs, n] of Object.entries(r.records)) console.log(`  ${rs}: ${n} records`);
}

/** Runs a dataset command; returns its exit status. */
export async function dataCommand(command: string, c: CommandContext): Promise<number> {
  const { lake, args, values, signal, limit } = c;
  const [a0, a1, a2] = args;
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
        mapping: c.mapping,
        signal,
        onProgress,
        // A dataset in the lake already gets this source as its new import (or is unchanged).
        update: true,
        // Ctrl-C keeps what was stored, so that running the same ingest again resumes.
        keepPartialOnCancel: true,
        ...c.who,
        ...(dataset ? { dataset } : {}),
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
      for (const w of r.warnings) console.error(`warning: ${w}`);
      printIngest(r, (await lake.dataset(r.dataset)).source);
      return 0;
    }
    case 'datasets': {
      const sizes = await datasetSizes(lake);
      for (const d of await lake.datasets()) {
        const line = `${d.id}\t${d.name}\traw ${mb(d.rawBytes)}\tlake ${mb(sizes.byDataset[d.id] ?? 0)}\t${d.source}`;
        if (!d.incomplete) console.log(line);
        else {
          console.log(`${line}\tINCOMPLETE: ${d.incomplete.reason}`);
          console.log(
            d.incomplete.finish
              ? `  finish it with: ${d.incomplete.finish}`
              : `  it cannot be finished; remove it with: croissant-lake delete ${d.id}`,
          );
        }
      }
      console.log(`total in lake: ${mb(sizes.total)}`);
      // The total counts what an interrupted ingest stored: said, or it reads as unaccounted.
      printUnfinished(await unfinishedWork(lake), '  of which');
      return 0;
    }
    case 'finish': {
      const d = await finishRegistration(lake, need(a0, 'the dataset'));
      console.log(`finished ${d.id}: it is in the catalog (${d.name}, from ${d.source})`);
      return 0;
    }
    case 'log': {
      const ds = need(a0, 'the dataset');
      for (const { hash, commit: cm } of await lake.log(ds, a1 ?? 'main', limit)) {
        console.log(
          `commit ${hash}${cm.parents.length > 1 ? `\nmerge  ${cm.parents.map((p) => p.slice(0, 12)).join(' ')}` : ''}`,
        );
        console.log(`author ${cm.author}\ndate   ${cm.time}\n\n    ${cm.message}`);
        console.log(
          `    lineage: ${cm.lineage.op} ${JSON.stringify(cm.lineage.params)}${cm.lineage.code ? ` code ${JSON.stringify(cm.lineage.code)}` : ''}\n`,
        );
      }
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
      // With -n, the rows too (they were asked for, and only --json showed them).
      if (!values.json && limit !== undefined) for (const l of formatDiffRows(d)) console.log(l);
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
      const grace = wholeNumber(values, 'grace-ms', ' of milliseconds (86400000 is a day)');
      const r = await collectGarbage(lake, grace === undefined ? {} : { graceMs: grace });
      if (r.deferred) {
        console.log(
          `gc: deleted nothing: ${r.deferred.writers.length} writer(s) are running and their chunks are not referenced yet; run gc again when they are done:`,
        );
        for (const w of r.deferred.writers) console.log(`  ${w}`);
        return 0;
      }
      console.log(
        `gc: deleted ${r.deleted} chunks (${mb(r.freedBytes)}), kept ${r.kept} (${mb(r.keptBytes)}), removed ${r.temporaryRemoved} temporary files`,
      );
      printUnfinished(r.unfinished);
      return 0;
    }
    case 'discard': {
      const ds = need(a0, 'the dataset');
      const gone = await discardUnfinished(lake, ds);
      for (const w of gone) console.log(`discarded the ${describeWork(w)}`);
      console.log(`run gc to free what only it kept`);
      return 0;
    }
  }
  throw new LakeError('BAD_INPUT', `unknown command ${command}`);
}
