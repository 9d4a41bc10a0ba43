/** A new vault's passphrase (src/app/vault-passphrase.ts): at least 8 characters, typed twice. */
import { describe, expect, it } from 'vitest';
import { newPassphraseProblem } from '../../src/app/vault-passphrase.ts';

describe("a new vault's passphrase", () => {
  it('is refused when short or typed differently, and taken otherwise', () => {
    expect(newPassphraseProblem('a', 'a')).toBe(
      'Choose a passphrase of at least 8 characters: it guards every key stored here.',
    );
    expect(newPassphraseProblem('1234567', '1234567')).toMatch(/at least 8 characters/);
    expect(newPassphraseProblem('a long passphrase', 'a long passphrasE')).toBe(
      'The two passphrases differ: nothing was created. Type the same one twice.',
    );
    expect(newPassphraseProblem('a long passphrase', '')).toMatch(/differ/);
    expect(newPassphraseProblem(' '.repeat(8), ' '.repeat(8))).toBe(
      'Choose a passphrase of at least 8 characters besides spaces: it guards every key stored here.',
    );
    expect(newPassphraseProblem('  abc  d  ', '  abc  d  ')).toMatch(/besides spaces/);
    expect(newPassphraseProblem('12345678', '12345678')).toBeNull();
    expect(newPassphraseProblem('a b c d e', 'a b c d e')).toBeNull();
  });
});
