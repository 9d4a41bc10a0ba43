/** An access key id in messages (src/lib/sync/s3-errors.ts `maskKeyId`): never whole. */
import { describe, expect, it } from 'vitest';
import { maskKeyId } from '../../src/lib/sync/s3-errors.ts';

describe('maskKeyId', () => {
  it('keeps the first four characters of a key id, and hides a short one whole', () => {
    expect(maskKeyId('AKIAIOSFODNN7EXAMPLE')).toBe('AKIA…');
    expect(maskKeyId('AKIAX')).toBe('AKIA…');
    // "BAD…" would say a longer key had been cut.
    expect(maskKeyId('BAD')).toBe('*** (3 characters)');
    expect(maskKeyId('ABCD')).toBe('**** (4 characters)');
  });
});
