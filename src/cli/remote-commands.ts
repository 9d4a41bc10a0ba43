/**
 * The remote commands: `remote add|list|remove`, `push`, `fetch`, `pull`, `clone` and
 * `status`, over the lake's remotes (src/lib/sync). Progress goes to stderr as chunks and
 * bytes; Ctrl-C cancels, and running the command again resumes.
 */
import { LakeError } from '../lib/store/errors.ts';
import { addRemote, getRemote, listRemotes, removeRemote } from '../lib/sync/config.ts';
import { fetchDataset } from '../lib/sync/fetch.ts';
import type { SyncProgress } from '../lib/sync/progress.ts';
import { clone, pull, remoteDatasets } from '../lib/sync/pull.ts';
import { push } from '../lib/sync/push.ts';
import { S3Remote } from '../lib/sync/s3.ts';
import { openRemote, type RemoteSession } from '../lib/sync/session.ts';
import { branchStatus } from '../lib/sync/status.ts';
import type { MergePolicy } from '../lib/versions/merge.ts';
import { mb, need, str, type CommandContext } from './lake-cli.ts';
import { credentialsFor } from './remote-credentials.ts';

/** Progress on stderr: one line, rewritten. */
function progressLine(p: SyncProgress): void {
  if (!process.stderr.isTTY) return;
  const bytes = p.bytesTotal ? `${mb(p.bytesDone)} of ${mb(p.bytesTotal)}` : mb(p.bytesDone);
  process.stderr.write(
    `\r${p.op} ${p.phase}: ${p.chunksDone}/${p.chunksTotal} chunks, ${bytes}   `,
  );
}

async function session(c: CommandContext, name: string, create = false): Promise<RemoteSession> {
  const config = await getRemote(c.lake.backend.refs, name);
  const remote = new S3Remote(config, await credentialsFor(config));
  return openRemote(name, remote, { create, signal: c.signal });
}

const short = (h: string | null) => (h ? h.slice(0, 12) : '(none)');

/** Runs a remote command; returns its exit status. */
export async function remoteCommand(command: string, c: CommandContext): Promise<number> {
  const { lake, args, values, signal } = c;
  const refs = lake.backend.refs;
  const opts = { signal, onProgress: progressLine };
  const done = () => {
    if (process.stderr.isTTY) process.stderr.write('\n');
  };
  switch (command) {
    case 'remote': {
      const [sub, name, url] = args;
      if (sub === 'add') {
        const r = await addRemote(
          refs,
          need(name, 'the remote name'),
          need(url, 'the remote URL'),
          {
            ...(str(values, 'endpoint') ? { endpoint: str(values, 'endpoint')! } : {}),
            ...(str(values, 'region') ? { region: str(values, 'region')! } : {}),
            ...(str(values, 'profile') ? { profile: str(values, 'profile')! } : {}),
          },
        );
        console.log(`added remote ${r.name}: s3://${r.bucket}/${r.prefix} at ${r.endpoint}`);
        return 0;
      }
      if (sub === 'remove') {
        await removeRemote(refs, need(name, 'the remote name'));
        console.log(`removed remote ${name}`);
        return 0;
      }
      if (sub === 'list' || !sub) {
        for (const r of await listRemotes(refs)) {
          console.log(
            `${r.name}\t${r.url}\t${r.endpoint}${r.profile ? `\tprofile ${r.profile}` : ''}`,
          );
        }
        return 0;
      }
      throw new LakeError(
        'BAD_INPUT',
        `unknown "remote ${sub}": use remote add, remote list or remote remove`,
      );
    }
    case 'push': {
      const s = await session(c, need(args[0], 'the remote'), true);
      const ds = need(args[1], 'the dataset');
      const r = await push(lake, s, ds, {
        ...opts,
        ...(args.length > 2 ? { branches: args.slice(2) } : {}),
        ...(values['no-tags'] ? { tags: false } : {}),
      });
      done();
      for (const ref of r.refs) {
        console.log(
          `${ref.kind} ${ref.name}\t${ref.status}\t${short(ref.old)} → ${short(ref.new)}`,
        );
      }
      console.log(
        `uploaded ${r.uploaded} chunk(s), ${mb(r.bytes)}; ${r.present} were there already`,
      );
      return 0;
    }
    case 'fetch': {
      const s = await session(c, need(args[0], 'the remote'));
      const r = await fetchDataset(lake, s, need(args[1], 'the dataset'), opts);
      done();
      for (const b of r.branches) console.log(`${s.name}/${b.name}\t${b.commit}`);
      for (const f of r.forks) {
        console.log(
          `warning: ${s.name}'s branch ${f.branch} forked: heads ${f.commits.map(short).join(' and ')} (kept as ${s.name}/${f.branch}@fork1…); merge them and push`,
        );
      }
      console.log(`downloaded ${r.downloaded} chunk(s), ${mb(r.bytes)}`);
      return 0;
    }
    case 'pull': {
      const s = await session(c, need(args[0], 'the remote'));
      const r = await pull(lake, s, need(args[1], 'the dataset'), {
        ...opts,
        ...(args.length > 2 ? { branches: args.slice(2) } : {}),
        ...(str(values, 'policy') ? { policy: str(values, 'policy') as MergePolicy } : {}),
      });
      done();
      for (const b of r.branches) {
        console.log(
          `${b.branch}\t${b.status}\t${short(b.from)} → ${short(b.to)}${b.conflicts ? `\t${b.conflicts} conflict(s) resolved` : ''}`,
        );
      }
      return 0;
    }
    case 'clone': {
      const s = await session(c, need(args[0], 'the remote'));
      if (!args[1]) {
        for (const d of await remoteDatasets(s, signal)) console.log(`${d.id}\t${d.name}`);
        return 0;
      }
      const r = await clone(lake, s, args[1], opts);
      done();
      console.log(
        `cloned ${args[1]}: ${r.branches.length} branch(es), ${r.tags.length} tag(s); downloaded ${r.downloaded} chunk(s), ${mb(r.bytes)}`,
      );
      return 0;
    }
    case 'status': {
      const remote = need(args[0], 'the remote');
      await getRemote(refs, remote);
      for (const b of await branchStatus(lake, need(args[1], 'the dataset'), remote)) {
        console.log(`${b.branch}\t${b.state}\tahead ${b.ahead}\tbehind ${b.behind}`);
      }
      return 0;
    }
  }
  throw new LakeError('BAD_INPUT', `unknown command ${command}`);
}
