/**
 * The Remotes panel's "Add a remote" form (AddRemoteForm), over a lake client whose remotes are
 * the lake's own remote configs (src/lib/sync/config.ts on an in-memory ref store), so a name
 * taken is refused with REF_EXISTS as in the page. A remote added clears the form (adding again
 * was refused until the name was changed); an add refused keeps it for the user to correct.
 */
import { describe, expect, it } from 'vitest';
import { LakeCatalog } from '../../src/app/lake-catalog.svelte.ts';
import { LakeRemotes } from '../../src/app/lake-remotes.svelte.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import {
  addRemote,
  listRemotes,
  removeRemote,
  type RemoteConfig,
} from '../../src/lib/sync/config.ts';
import type { LakeClient } from '../../workers/api/lake-client.ts';

const info = ({ name, url, endpoint, bucket, prefix, region }: RemoteConfig) => ({
  ...{ name, url, endpoint, bucket, prefix, region },
  hasCredentials: false,
});

function panel() {
  const { refs } = memoryBackend();
  const added: string[] = [];
  const methods: Record<string, (...args: never[]) => Promise<unknown>> = {
    remotes: async () => (await listRemotes(refs)).map(info),
    vaultState: () => Promise.resolve({ exists: false, unlocked: false }),
    remoteStatus: () => Promise.resolve([]),
    addRemote: async (name: string, url: string, opts: { endpoint?: string; region?: string }) => {
      const config = await addRemote(refs, name, url, opts);
      added.push(`${name} ${url} ${config.endpoint} ${config.region}`);
      return info(config);
    },
    removeRemote: (name: string) => removeRemote(refs, name),
  };
  const client = {
    alive: true,
    call: (method: string, args: never[]) => methods[method]!(...args),
    terminate: () => undefined,
  } as unknown as LakeClient;
  const remotes = new LakeRemotes(new LakeCatalog(() => client));
  return { remotes, form: remotes.addForm, added };
}

describe('the "Add a remote" form', () => {
  it('is cleared once the remote is added, and suggests a name not taken', async () => {
    const { remotes, form, added } = panel();
    await remotes.load('titanic');
    expect(form.name).toBe('origin');
    form.url = 's3://bucket/lake';
    form.endpoint = 'https://s3.eu-west-1.amazonaws.com';
    form.region = 'eu-west-1';
    expect(await form.submit('titanic')).toBe(true);
    expect(added).toEqual(['origin s3://bucket/lake https://s3.eu-west-1.amazonaws.com eu-west-1']);
    expect(remotes.remotes.map((r) => r.name)).toEqual(['origin']);
    // `origin` is taken now: no name is suggested, and nothing typed for origin is left.
    expect([form.name, form.url, form.endpoint, form.region]).toEqual(['', '', '', 'us-east-1']);
    expect(form.ready).toBe(false);
    expect(remotes.failure).toBeNull();

    form.name = 'backup';
    form.url = 'http://localhost:9000/bucket/lake';
    expect(await form.submit('titanic')).toBe(true);
    expect(remotes.remotes.map((r) => r.name)).toEqual(['backup', 'origin']);
    expect([form.name, form.url]).toEqual(['', '']);
  });

  it('keeps what was typed when the add is refused, for the user to correct', async () => {
    const { remotes, form, added } = panel();
    form.url = 's3://bucket/lake';
    expect(await form.submit(null)).toBe(true);
    form.name = 'origin';
    form.url = 's3://other/lake';
    form.region = 'eu-west-1';
    expect(await form.submit(null)).toBe(false);
    expect(remotes.failure?.code).toBe('REF_EXISTS');
    expect([form.name, form.url, form.region]).toEqual(['origin', 's3://other/lake', 'eu-west-1']);

    form.name = 'mirror';
    expect(await form.submit(null)).toBe(true);
    expect(added.map((a) => a.split(' ')[0])).toEqual(['origin', 'mirror']);
    expect(remotes.failure).toBeNull();
    expect([form.name, form.url, form.region]).toEqual(['', '', 'us-east-1']);
  });

  it('suggests origin again once no remote has that name', async () => {
    const { remotes, form } = panel();
    form.url = 's3://bucket/lake';
    await form.submit(null);
    expect(form.name).toBe('');
    await remotes.remove('origin', null);
    expect(form.name).toBe('origin');
  });
});
