/**
 * The chat's key store when the vault was locked behind its back (the Remotes panel's Lock now
 * locks the vault both share): the request fails with VAULT_LOCKED, and the chat's settings read
 * the vault's state again, so that they ask for the passphrase instead of saying "unlocked".
 */
import { expect, it } from 'vitest';
import { ChatKeys } from '../../src/app/chat-keys.svelte.ts';
import { LakeCatalog } from '../../src/app/lake-catalog.svelte.ts';
import { LakeError } from '../../src/lib/store/errors.ts';
import type { LakeClient } from '../../workers/api/lake-client.ts';

it('asks for the passphrase again once a request finds the vault locked', async () => {
  let unlocked = true;
  const client = {
    alive: true,
    call: (method: string) => {
      if (method === 'chatKeyState')
        return Promise.resolve({ stored: true, vault: { exists: true, unlocked } });
      if (method === 'chatKey') {
        return unlocked
          ? Promise.resolve('sk-test')
          : Promise.reject(new LakeError('VAULT_LOCKED', 'the stored credentials are locked'));
      }
      return Promise.resolve({});
    },
    terminate: () => undefined,
  } as unknown as LakeClient;
  const keys = new ChatKeys(new LakeCatalog(() => client));
  await keys.load('https://llm.example/v1/chat/completions');
  expect(keys.state.vault.unlocked).toBe(true);
  expect(await keys.store.getKey('https://llm.example/v1/chat/completions')).toBe('sk-test');

  unlocked = false; // locked elsewhere on the page
  await expect(keys.store.getKey('https://llm.example/v1/chat/completions')).rejects.toMatchObject({
    code: 'VAULT_LOCKED',
  });
  await expect.poll(() => keys.state.vault.unlocked).toBe(false);
  expect(keys.state.stored).toBe(true);
});
