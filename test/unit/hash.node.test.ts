/**
 * In Node, sha256 takes Node's own digest at every size: WebCrypto would copy each large buffer
 * into a thread-pool job and cost 2.5 times the CPU (store/hash.ts). The browser project runs
 * the WebCrypto path (hash.test.ts).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sha256 } from '../../src/lib/store/hash.ts';

describe('sha256 in Node', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('hashes a large buffer with node:crypto, not WebCrypto', async () => {
    const digest = vi.spyOn(crypto.subtle, 'digest');
    const a = new Uint8Array(1_000_000).fill(0x61);
    // FIPS 180-2: one million "a".
    expect(await sha256(a)).toBe(
      'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
    );
    expect(digest).not.toHaveBeenCalled();
  });
});
