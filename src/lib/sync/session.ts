/**
 * An open remote: its format (created on the first push), how its refs move, and whether the
 * server honours conditional writes (probed once, before the first ref is written).
 */
import { LakeError } from '../store/errors.ts';
import { readFormat, writeFormat, type RemoteFormat } from './layout.ts';
import type { Remote } from './remote.ts';
import { probeConditionalWrites, remoteRefs, type RemoteRefs } from './remote-refs.ts';

export interface RemoteSession {
  /** The remote's name in this lake (`origin`…). */
  name: string;
  remote: Remote;
  format: RemoteFormat;
  refs: RemoteRefs;
  /** Refuses to write refs in a way this server cannot keep safe. */
  checkWritable(signal?: AbortSignal): Promise<void>;
}

/**
 * Opens a remote. An empty one is initialised only when `create` (a push): its ref mode is
 * `cas` when the server honours conditional writes, else `claims`. Otherwise an empty remote is
 * REMOTE_NOT_FOUND.
 */
export async function openRemote(
  name: string,
  remote: Remote,
  opts: { create?: boolean; signal?: AbortSignal } = {},
): Promise<RemoteSession> {
  let format = await readFormat(remote, opts.signal);
  let probed: boolean | undefined;
  if (!format) {
    if (!opts.create) {
      throw new LakeError(
        'REMOTE_NOT_FOUND',
        `remote ${name} (${remote.label}) holds no croissant-lake data yet; push to it first`,
      );
    }
    probed = await probeConditionalWrites(remote, opts.signal);
    format = await writeFormat(remote, probed ? 'cas' : 'claims', opts.signal);
  }
  const session: RemoteSession = {
    name,
    remote,
    format,
    refs: remoteRefs(remote, format.refs),
    async checkWritable(signal) {
      if (format.refs !== 'cas') return;
      probed ??= await probeConditionalWrites(remote, signal);
      if (!probed) {
        throw new LakeError(
          'UNSUPPORTED_FORMAT',
          `remote ${name}: its refs move by compare-and-swap, but ${remote.label} does not honour conditional writes (If-Match / If-None-Match) now; refusing to move refs there, which could lose a push`,
        );
      }
    },
  };
  return session;
}
