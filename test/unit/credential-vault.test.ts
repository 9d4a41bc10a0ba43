/**
 * The credentials vault (issue 17 §2), under Node and in Chromium: stored encrypted (the
 * entries hold no credential in any form), unlocked once with the passphrase, a wrong one
 * refused at once, locked use refused, and everything forgotten in one call.
 */
import { describe, expect, it } from 'vitest';
import { LakeError } from '../../src/lib/store/errors.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { CredentialVault } from '../../src/lib/sync/vault.ts';

const creds = {
  accessKeyId: 'AKIDVAULTTEST0001',
  secretAccessKey: 'vault-secret-Qp9Zr2Lm7',
  sessionToken: 'vault-token-Xc4Vb8Nm1',
};

async function code(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(LakeError);
  return (e as LakeError).code;
}

describe('credential vault', () => {
  it('keeps credentials encrypted, per remote, behind the passphrase', async () => {
    const { refs } = memoryBackend();
    const v = new CredentialVault(refs);
    expect(await v.exists()).toBe(false);
    expect(await code(v.set('a', creds))).toBe('VAULT_LOCKED');
    await v.unlock('correct horse');
    await v.set('a', creds);
    await v.set('b', { accessKeyId: 'AKIDOTHER', secretAccessKey: 'other-secret' });
    expect(await v.get('a')).toEqual(creds);
    expect(await v.get('none')).toBeNull();

    const stored = JSON.stringify(await refs.list(''));
    for (const s of [
      creds.accessKeyId,
      creds.secretAccessKey,
      creds.sessionToken,
      'other-secret',
      'correct horse',
    ]) {
      expect(stored).not.toContain(s);
    }

    // A new session: locked until the passphrase is given again; a wrong one is refused.
    const again = new CredentialVault(refs);
    expect(await again.exists()).toBe(true);
    expect(await again.has('a')).toBe(true);
    expect(await code(again.get('a'))).toBe('VAULT_LOCKED');
    expect(await code(again.unlock('wrong horse'))).toBe('VAULT_LOCKED');
    await again.unlock('correct horse');
    expect(await again.get('a')).toEqual(creds);

    await again.forget();
    expect(again.unlocked).toBe(false);
    expect(await again.exists()).toBe(false);
    expect(await refs.list('vault')).toEqual([]);
  });

  it('refuses an empty access key id or secret, naming what is missing, and stores nothing', async () => {
    const { refs } = memoryBackend();
    const v = new CredentialVault(refs);
    await v.unlock('correct horse');
    for (const [given, missing] of [
      [{ accessKeyId: '', secretAccessKey: '' }, 'the access key id and the secret access key are'],
      [{ accessKeyId: '  ', secretAccessKey: 's' }, 'the access key id is'],
      [{ accessKeyId: 'AKID', secretAccessKey: '' }, 'the secret access key is'],
    ] as const) {
      const e = await v.set('a', given).then(
        () => undefined,
        (x: unknown) => x as LakeError,
      );
      expect(e?.code).toBe('BAD_INPUT');
      expect(e?.message).toBe(
        `credentials for remote a: ${missing} empty; enter both (or none, for a public bucket)`,
      );
    }
    expect(await v.has('a')).toBe(false);
    await v.set('a', null); // none: a public bucket
    expect(await v.get('a')).toBeNull();
  });

  it('keeps other secrets (a chat endpoint key) sealed beside the remotes, and forgets them too', async () => {
    const { refs } = memoryBackend();
    const v = new CredentialVault(refs);
    const url = 'https://llm.example/v1';
    const key = 'sk-chat-Vt7Qm2Lx9Rp4';
    expect(await code(v.setSecret(url, key, 'the key of the chat endpoint'))).toBe('VAULT_LOCKED');
    await v.unlock('correct horse');
    await v.set('a', creds);
    await v.setSecret(url, key);
    expect(await v.getSecret(url)).toBe(key);
    expect(await v.hasSecret(url)).toBe(true);
    expect(await v.getSecret('http://other/v1')).toBeNull();
    // A remote's credentials and a secret named like it stay apart.
    await v.setSecret('a', 'not-the-remote');
    expect(await v.get('a')).toEqual(creds);
    expect(JSON.stringify(await refs.list(''))).not.toContain(key);

    const again = new CredentialVault(refs);
    expect(await again.hasSecret(url)).toBe(true);
    const locked = await again.getSecret(url, 'the key of the chat endpoint').then(
      () => null,
      (e: unknown) => e as LakeError,
    );
    expect(locked?.code).toBe('VAULT_LOCKED');
    expect(locked?.message).toContain('the key of the chat endpoint');
    await again.unlock('correct horse');
    expect(await again.getSecret(url)).toBe(key);
    await again.setSecret(url, null);
    expect(await again.hasSecret(url)).toBe(false);
    await again.setSecret(url, key);
    await again.forget();
    expect(await refs.list('vault')).toEqual([]);
  });
});
