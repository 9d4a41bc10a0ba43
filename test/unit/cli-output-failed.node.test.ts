/**
 * A command whose output cannot be written (a full disk behind a redirect: `records … >
 * /dev/full`) fails with status 1, even one that stops writing and would return 0. A file of
 * its own: the failure is the process's, and stays for the rest of it.
 */
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';

const TITANIC = 'public/examples/titanic/metadata.json';

describe('output that cannot be written', () => {
  it('fails the command that wrote it', async () => {
    const errors: string[] = [];
    const err = vi.spyOn(console, 'error').mockImplementation((s: string) => errors.push(s));
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
      errors.push(String(s));
      return true;
    });
    // What Node reports on stdout when the disk behind it is full.
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((_s, cb?: unknown) => {
      const e = Object.assign(new Error('ENOSPC: no space left on device, write'), {
        code: 'ENOSPC',
      });
      queueMicrotask(() => process.stdout.emit('error', e));
      if (typeof cb === 'function') (cb as (e?: Error) => void)(e);
      return false;
    });
    try {
      const code = await main(['records', TITANIC, '-r', 'passengers']);
      expect(errors.join('')).toContain('cannot write the output: ENOSPC');
      expect(code).toBe(1);
    } finally {
      stdout.mockRestore();
      write.mockRestore();
      err.mockRestore();
      process.exitCode = 0;
    }
  });
});
