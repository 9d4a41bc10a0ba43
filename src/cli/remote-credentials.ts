/**
 * A remote's credentials in the CLI, per remote (per silo), never stored in the lake:
 * 1. `CROISSANT_LAKE_<REMOTE>_ACCESS_KEY_ID`, `…_SECRET_ACCESS_KEY`, `…_SESSION_TOKEN` (the
 *    remote's name upper-cased, non-alphanumerics as `_`);
 * 2. the remote's `--profile` in the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`,
 *    else `~/.aws/credentials`);
 * 3. none: anonymous requests (a public bucket).
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { LakeError } from '../lib/store/errors.ts';
import type { RemoteConfig } from '../lib/sync/config.ts';
import type { Credentials } from '../lib/sync/s3.ts';

/** The environment variable prefix of a remote. */
export function envPrefix(remote: string): string {
  return `CROISSANT_LAKE_${remote.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`;
}

/** Parses an INI credentials file's `[profile]` section. */
function profileOf(text: string, profile: string): Record<string, string> | undefined {
  let current: string | undefined;
  const out: Record<string, Record<string, string>> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(?:profile\s+)?([^\]]+)\]$/.exec(line);
    if (section) {
      current = section[1]!.trim();
      out[current] ??= {};
      continue;
    }
    const i = line.indexOf('=');
    if (current && i > 0) out[current]![line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out[profile];
}

/** The credentials of `config`, or null for anonymous access. */
export async function credentialsFor(
  config: RemoteConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Credentials | null> {
  const p = envPrefix(config.name);
  const id = env[`${p}ACCESS_KEY_ID`];
  const secret = env[`${p}SECRET_ACCESS_KEY`];
  if (id || secret) {
    if (!id || !secret) {
      throw new LakeError(
        'REMOTE_AUTH',
        `remote ${config.name}: set both ${p}ACCESS_KEY_ID and ${p}SECRET_ACCESS_KEY`,
      );
    }
    const token = env[`${p}SESSION_TOKEN`];
    return { accessKeyId: id, secretAccessKey: secret, ...(token ? { sessionToken: token } : {}) };
  }
  if (!config.profile) return null;
  const file = env['AWS_SHARED_CREDENTIALS_FILE'] ?? path.join(homedir(), '.aws', 'credentials');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new LakeError(
      'REMOTE_AUTH',
      `remote ${config.name}: cannot read the credentials file ${file} for profile "${config.profile}" (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const section = profileOf(text, config.profile);
  const key = section?.['aws_access_key_id'];
  const sec = section?.['aws_secret_access_key'];
  if (!key || !sec) {
    throw new LakeError(
      'REMOTE_AUTH',
      `remote ${config.name}: profile "${config.profile}" of ${file} has no aws_access_key_id and aws_secret_access_key`,
    );
  }
  const token = section['aws_session_token'];
  return { accessKeyId: key, secretAccessKey: sec, ...(token ? { sessionToken: token } : {}) };
}
