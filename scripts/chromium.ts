/**
 * The one place that says which Chromium the tests drive and with which flags. Used by the vitest
 * browser project (vitest.config.ts) and the e2e harness (test/e2e/harness.ts).
 *
 * Debian's Chromium (`apt-get install -y chromium`, done by `scripts/ensure-deps.mjs --browser`)
 * is used because Playwright's browser downloads do not work on these machines.
 */
export const CHROMIUM_PATH: string = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/**
 * Flags for headless Chromium on a closed network. Playwright adds `--headless` itself.
 * The background-networking flags keep Chromium from flooding the (closed) network.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
