/**
 * The Chromium flags of the tests and the bench (scripts/chromium.ts), checked on a real launch
 * through Playwright: the command line Chromium was given (read from /proc), and what it opened.
 *
 * Chromium keeps only the last `--disable-features` of its command line. Playwright puts its own
 * list first and ours after it, so ours must carry every feature Playwright disables; an upgrade
 * of playwright-core that adds one fails here, naming it.
 */
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { BrowserServer } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  E2E_CHROMIUM_ARGS,
  TEST_CHROMIUM_ARGS,
} from '../../scripts/chromium.ts';

/** The names each `--disable-features=` switch of a command line lists, in order. */
function disabledFeatureLists(argv: string[]): string[][] {
  return argv
    .filter((a) => a.startsWith('--disable-features='))
    .map((a) => a.slice('--disable-features='.length).split(','));
}

describe('the tests’ Chromium flags', () => {
  let server: BrowserServer;
  let argv: string[] = [];

  beforeAll(async () => {
    server = await chromium.launchServer({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...TEST_CHROMIUM_ARGS],
    });
    const pid = server.process().pid;
    if (pid === undefined) throw new Error('Chromium did not start');
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  it('keeps every feature Playwright disables in the last --disable-features', () => {
    const lists = disabledFeatureLists(argv);
    // Playwright's own switch, then ours.
    expect(lists.length).toBeGreaterThanOrEqual(2);
    const last = new Set(lists.at(-1));
    const dropped = lists
      .slice(0, -1)
      .flat()
      .filter((name) => name !== '' && !last.has(name));
    expect(dropped, 'add these to PLAYWRIGHT_DISABLED_FEATURES in scripts/chromium.ts').toEqual([]);
    expect(TEST_CHROMIUM_ARGS).toEqual(expect.arrayContaining([...CHROMIUM_ARGS]));
  });

  it('gives the e2e browser both V8 flags in one --js-flags', async () => {
    // Chromium keeps only the last --js-flags: a second one would drop --liftoff-only.
    const e2e = await chromium.launchServer({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...E2E_CHROMIUM_ARGS],
    });
    try {
      const e2eArgv = readFileSync(`/proc/${e2e.process().pid}/cmdline`, 'utf8').split('\0');
      const jsFlags = e2eArgv.filter((a) => a.startsWith('--js-flags='));
      expect(jsFlags.at(-1)?.split(/[= ]/).slice(1).sort()).toEqual([
        '--liftoff-only',
        '--single-threaded',
      ]);
      expect(disabledFeatureLists(e2eArgv).at(-1)).toEqual(disabledFeatureLists(argv).at(-1));
    } finally {
      await e2e.close();
    }
  });

  it('opens no hidden address-bar pages for a new context', async () => {
    const browser = await chromium.connect(server.wsEndpoint());
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto('about:blank');
      const cdp = await browser.newBrowserCDPSession();
      // The preloaded WebUI targets are made with the window, before the first page settles.
      const { targetInfos } = await cdp.send('Target.getTargets');
      const hidden = targetInfos.filter((t) => t.type === 'browser_ui').map((t) => t.url);
      expect(hidden).toEqual([]);
      expect(targetInfos.some((t) => t.type === 'page' && t.url === 'about:blank')).toBe(true);
    } finally {
      await browser.close();
    }
  });
});
