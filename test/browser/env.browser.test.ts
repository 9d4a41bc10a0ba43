import { describe, expect, it } from 'vitest';

describe('browser test environment', () => {
  it('runs in a real browser with OPFS', async () => {
    expect(typeof window).toBe('object');
    expect(typeof navigator.storage?.getDirectory).toBe('function');
    const root = await navigator.storage.getDirectory();
    expect(root.kind).toBe('directory');
  });

  it('is cross-origin isolated', () => {
    expect(globalThis.crossOriginIsolated).toBe(true);
  });
});
