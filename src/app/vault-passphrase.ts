/**
 * The passphrase chosen for a new vault (the credentials of remotes and the chat's API keys sit
 * behind it, src/lib/sync/vault.ts): typed twice, since a typo would lock what it guards away
 * for good, and not too short. Both forms that can create the vault (the Remotes panel, the
 * chat's settings) ask the same.
 */

/** The least a new vault's passphrase may hold. */
export const MIN_PASSPHRASE = 8;

/** Why a new vault's passphrase is not taken, or null when it is. */
export function newPassphraseProblem(passphrase: string, again: string): string | null {
  if (passphrase.length < MIN_PASSPHRASE) {
    return `Choose a passphrase of at least ${MIN_PASSPHRASE} characters: it guards every key stored here.`;
  }
  // Eight spaces are eight characters, and the first guess of anyone who tries.
  if (passphrase.trim().length < MIN_PASSPHRASE) {
    return `Choose a passphrase of at least ${MIN_PASSPHRASE} characters besides spaces: it guards every key stored here.`;
  }
  if (passphrase !== again) {
    return 'The two passphrases differ: nothing was created. Type the same one twice.';
  }
  return null;
}
