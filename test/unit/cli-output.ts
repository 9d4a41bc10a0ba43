/**
 * What a CLI test's `main()` printed: console.log, console.error and process.stdout.write are
 * captured into `out` and `err` for each test (emptied before it, restored after it). The arrays
 * stay the same objects, so a test empties one with `out.length = 0` to look at what follows.
 */
import { afterEach, beforeEach, vi } from 'vitest';

/** Registers the capture for the tests of the calling file; gives the arrays it fills. */
export function captureCliOutput(): { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  beforeEach(() => {
    out.length = 0;
    err.length = 0;
    vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
    vi.spyOn(console, 'error').mockImplementation((s: string) => void err.push(s));
    vi.spyOn(process.stdout, 'write').mockImplementation(
      (s: string | Uint8Array) => (out.push(String(s)), true),
    );
  });
  afterEach(() => vi.restoreAllMocks());
  return { out, err };
}
