import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, startPreview, watchPage } from './harness.ts';
import type { LaunchedBrowser, Served } from './harness.ts';

describe('smoke: the built app in Chromium', () => {
  let app: Served | undefined;
  let browser: LaunchedBrowser | undefined;

  beforeAll(async () => {
    app = await startPreview();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('has the right title, is cross-origin isolated and loads nothing from elsewhere', async () => {
    if (!app || !browser) throw new Error('setup failed');
    const page = await browser.newPage();
    const watch = watchPage(page);
    const response = await page.goto(app.url, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['cross-origin-opener-policy']).toBe('same-origin');
    expect(response?.headers()['cross-origin-embedder-policy']).toBe('require-corp');
    expect(await page.title()).toBe('croissant-lake');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await screenshot(page, 'smoke-home');
    // The app never loads from a CDN: every request stays on the app's own origin.
    const foreign = watch.requests.filter(
      (u) => !u.startsWith(app!.url) && !u.startsWith('data:') && !u.startsWith('blob:'),
    );
    expect(foreign).toEqual([]);
  });

  it('stands still when reduced motion is asked for, and moves otherwise', async () => {
    if (!app || !browser) throw new Error('setup failed');
    const page = await browser.newPage();
    await page.goto(app.url, { waitUntil: 'load' });
    // A spinner and a bar of unknown length, as the app shows them while it works.
    await page.evaluate(() => {
      const p = document.createElement('p');
      p.className = 'muted loading';
      p.textContent = 'Working…';
      document.body.append(p, document.createElement('progress'));
    });
    const motion = () =>
      page.evaluate(() => ({
        spinner: getComputedStyle(document.querySelector('.loading')!, '::before').animationName,
        bar: getComputedStyle(document.querySelector('progress')!).appearance,
        running: document.getAnimations().length,
      }));
    // launchBrowser's pages ask for reduced motion (harness.ts).
    expect(await page.evaluate(() => matchMedia('(prefers-reduced-motion: reduce)').matches)).toBe(
      true,
    );
    expect(await motion()).toEqual({ spinner: 'none', bar: 'none', running: 0 });
    await page.emulateMedia({ reducedMotion: 'no-preference' });
    expect(await motion()).toEqual({ spinner: 'spin', bar: 'auto', running: 1 });
    await page.close();
  });
});
