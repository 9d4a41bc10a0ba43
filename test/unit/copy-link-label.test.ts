/**
 * "Copy link to <version>": after "Save as branch" the Query view shows two share buttons (the
 * version queried, the branch just saved); each names what it shares.
 */
import { describe, expect, it } from 'vitest';
import { copyLinkLabel } from '../../src/app/share-link.svelte.ts';

describe('copy link button', () => {
  it('names the version it shares', () => {
    expect(copyLinkLabel('main')).toBe('Copy link to main');
    expect(copyLinkLabel('lakeside-f')).toBe('Copy link to lakeside-f');
    const commit = 'ab2465f7'.repeat(8);
    expect(copyLinkLabel(commit)).toBe('Copy link to ab2465f7ab');
  });
});
