/**
 * A command whose output cannot be written (a full disk behind a redirect: `records … >
 * /dev/full`) fails with status 1, even one that stops writing and would return 0. A file of
 * its own: the failure is the process's, and stays for the rest of it.
 */
import { describe, expect, it, vi } from 'vitest';
import { failureLine, main } from '../../src/cli/main.ts';

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

describe('a failure of the file system', () => {
  it('is said with its code and what it means for the command', () => {
    const denied = Object.assign(
      new Error("EACCES: permission denied, open '/srv/lake/tmp/lock-1'"),
      { code: 'EACCES' },
    );
    expect(failureLine(denied)).toBe(
      "croissant-lake: error [IO]: EACCES: permission denied, open '/srv/lake/tmp/lock-1' (this user may not write there: the lake (or the file named) must be writable)",
    );
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
    });
    expect(failureLine(full)).toMatch(
      /^croissant-lake: error \[IO\]: ENOSPC: .* \(the disk is full\)$/,
    );
    const missing = Object.assign(
      new Error("ENOENT: no such file or directory, open '/no/x.onnx'"),
      {
        code: 'ENOENT',
      },
    );
    expect(failureLine(missing)).toMatch(
      /^croissant-lake: error \[IO\]: ENOENT: .*\(no such file or folder: check the path, and that its folder exists\)$/,
    );
    expect(failureLine(new Error('plain'))).toBe('croissant-lake: error: plain');
  });
});
