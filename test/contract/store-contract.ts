/**
 * The one contract every storage backend passes (memory, Node filesystem, browser). Runners
 * call {@link storeContract} with a factory per backend; each test gets a fresh, empty lake.
 * Expected hashes are computed with WebCrypto, never with the code under test.
 */
import { afterEach, beforeEach, describe } from 'vitest';
import { chunkContract } from './chunk-contract.ts';
import type { ContractSubject } from './contract-helpers.ts';
import { entryLockContract } from './entry-lock-contract.ts';

export { bytesOf, digest } from './contract-helpers.ts';
export type { ContractSubject } from './contract-helpers.ts';

/**
 * Registers the contract tests for backend `name`. `temporaryFiles`: the backend writes
 * through temporary files (and the subject can leave one behind), so their tests apply.
 */
export function storeContract(
  name: string,
  make: () => Promise<ContractSubject>,
  opts: { temporaryFiles: boolean },
): void {
  describe(`store contract: ${name}`, () => {
    let s: ContractSubject | undefined;
    const subject = (): ContractSubject => {
      if (!s) throw new Error('no subject: beforeEach did not run');
      return s;
    };
    beforeEach(async () => {
      s = await make();
    });
    afterEach(async () => {
      await s?.cleanup();
      s = undefined;
    });
    chunkContract(subject, opts);
    entryLockContract(subject);
  });
}
