/** The lake's commands that change data on a branch: merge, append, add-columns. */
import { resolve } from 'node:path';
import { fileSource, nodeResolver } from '../lib/io/node.ts';
import { LakeError } from '../lib/store/errors.ts';
import { addColumnsCsv } from '../lib/versions/add-columns.ts';
import { appendCroissant } from '../lib/versions/append-croissant.ts';
import { appendCsv } from '../lib/versions/append.ts';
import { mergeBranches, type MergePolicy } from '../lib/versions/merge.ts';
import { need, str, type CommandContext } from './lake-cli.ts';

/** Runs a write command; returns its exit status. */
export async function writeCommand(command: string, c: CommandContext): Promise<number> {
  const { lake, args, values, signal, who } = c;
  const [a0, a1] = args;
  switch (command) {
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
      for (const x of r.conflicts)
        console.log(`  resolved (${policy}): row ${x.rowid} ${x.column}`);
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
        ? // The path in full, as ingest keeps its source: the lineage says where the rows came
          // from whatever folder the command ran in.
          await appendCsv(lake, ds, { ...opts, csv: fileSource(resolve(file)) })
        : await appendCroissant(lake, ds, file, {
            ...opts,
            resolver: nodeResolver({
              allow: (values['allow-path'] as string[] | undefined) ?? [],
            }),
            mapping: c.mapping,
          });
      console.log(`appended ${r.rows} rows to ${r.recordSet} on ${opts.branch} at ${r.hash}`);
      if (r.emptyColumns?.length) {
        console.log(`  left empty (null), not in ${file}'s header: ${r.emptyColumns.join(', ')}`);
      }
      return 0;
    }
    case 'add-columns': {
      const key = str(values, 'key') ?? 'rowid';
      const r = await addColumnsCsv(lake, need(a0, 'the dataset'), {
        branch: need(str(values, 'branch'), '--branch B'),
        recordSet: need(str(values, 'record-set'), '--record-set RS'),
        csv: fileSource(resolve(need(a1, 'the CSV file'))),
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
  }
  throw new LakeError('BAD_INPUT', `unknown command ${command}`);
}
