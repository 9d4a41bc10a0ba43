/** The CLI's byte counts in output (src/cli/lake-cli.ts `mb`): small ones in bytes, not "0.00 MB". */
import { describe, expect, it } from 'vitest';
import { mb } from '../../src/cli/lake-cli.ts';

describe('the CLI byte counts', () => {
  it('says a small transfer in bytes and a large one in MB', () => {
    expect(mb(0)).toBe('0 B');
    expect(mb(4_939)).toBe('4,939 B'); // a push after a one-row commit
    expect(mb(9_999)).toBe('9,999 B');
    expect(mb(10_000)).toBe('0.01 MB');
    expect(mb(118_000)).toBe('0.12 MB');
    expect(mb(5_805_241)).toBe('5.81 MB');
  });
});
