/**
 * `croissant-lake records … | head -1`: the CLI, spawned as a user runs it, whose output pipe
 * is closed after the first line. It must end quietly: status 0, nothing on stderr (it used
 * to crash with an unhandled EPIPE and a stack trace, status 1).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/croissant-lake.js', import.meta.url));
const titanic = fileURLToPath(
  new URL('../fixtures/croissant/1.0/titanic/metadata.json', import.meta.url),
);

/** Runs the CLI, reads stdout until its first line, then closes the pipe as `head -1` does. */
function firstLineThenClose(args: string[]) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise<{ line: string; status: number | null; stderr: string }>((resolve, reject) => {
    let text = '';
    let line = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      text += s;
      if (!line && text.includes('\n')) {
        line = text.slice(0, text.indexOf('\n'));
        child.stdout.destroy();
      }
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ line, status, stderr }));
  });
}

describe('a closed output pipe', () => {
  it('ends `records` quietly with status 0', async () => {
    // 1,309 records (about 450 kB), far more than a pipe holds: the CLI is still writing.
    const r = await firstLineThenClose(['records', titanic, '-r', 'passengers']);
    expect(JSON.parse(r.line)).toMatchObject({
      'passengers/name': 'Allen, Miss. Elisabeth Walton',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
