/**
 * The lake's ref commands: branch, tag, protect, reflog, restore. Every change they make is in
 * the dataset's ref log (`reflog`), and a deleted branch comes back with `restore`.
 */
import { LakeError } from '../lib/store/errors.ts';
import type { RefLogItem } from '../lib/versions/reflog.ts';
import { need, str, type CommandContext } from './lake-cli.ts';

const short = (h: string | null) => (h ? h.slice(0, 12) : '-');

/** One ref-log entry as a line. */
export function formatRefLogItem(e: RefLogItem): string {
  const change =
    e.action === 'move'
      ? `${short(e.old)} → ${short(e.new)}`
      : e.action === 'delete'
        ? `was at ${short(e.old)}`
        : `at ${short(e.new ?? e.old)}`;
  return `${e.time}\t${e.kind} ${e.name}\t${e.action}\t${change}\t${e.who}${e.message ? `\t${e.message}` : ''}`;
}

/** Runs a ref command; returns its exit status. */
export async function refCommand(command: string, c: CommandContext): Promise<number> {
  const { lake, args, values } = c;
  const ds = need(args[0], 'the dataset');
  switch (command) {
    case 'branch': {
      const del = str(values, 'delete');
      if (del) {
        await lake.deleteBranch(ds, del);
        console.log(`deleted branch ${del} (restore it with: croissant-lake restore ${ds} ${del})`);
      } else if (args[1]) {
        const b = await lake.createBranch(ds, args[1], str(values, 'from') ?? 'main');
        console.log(`created branch ${b.name} at ${b.commit}`);
      } else {
        for (const b of await lake.branches(ds))
          console.log(`${b.name}\t${b.commit}${b.protected ? '\tprotected' : ''}`);
      }
      return 0;
    }
    case 'tag': {
      if (args[1]) {
        const t = await lake.tag(ds, args[1], str(values, 'from') ?? 'main');
        console.log(`tagged ${t.commit} as ${t.name}`);
      } else for (const t of await lake.tags(ds)) console.log(`${t.name}\t${t.commit}`);
      return 0;
    }
    case 'protect': {
      const r = await lake.protect(ds, need(args[1], 'the branch'), !values.off);
      console.log(
        r.protected
          ? `branch ${r.name} is protected (read-only)`
          : `branch ${r.name} is writable: anyone can commit to it now (recorded in the ref log)`,
      );
      return 0;
    }
    case 'reflog': {
      const log = await lake.refLog(ds);
      const shown = c.limit === undefined ? log : log.slice(-c.limit);
      for (const e of shown) console.log(formatRefLogItem(e));
      const deleted = await lake.deletedBranches(ds);
      for (const d of deleted) {
        console.log(
          `deleted branch ${d.name} at ${d.commit} (${d.deletedAt} by ${d.who})${d.retained ? `: croissant-lake restore ${ds} ${d.name}` : ': past the 30-day retention, its data may be gone'}`,
        );
      }
      return 0;
    }
    case 'restore': {
      const name = need(args[1], 'the deleted branch');
      const r = await lake.restoreBranch(ds, name, str(values, 'as') ?? name);
      console.log(`restored branch ${r.name} at ${r.commit}`);
      return 0;
    }
  }
  throw new LakeError('BAD_INPUT', `unknown command ${command}`);
}
