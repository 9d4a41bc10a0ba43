/**
 * The Query view's cold start (issue 12 §1), end to end in Chromium against the built app:
 * opening `?query=titanic@main` in a fresh browser shows the schema sidebar from the commit
 * manifests while DuckDB-WASM has not even been downloaded (its wasm is held back until the
 * sidebar is there), says that DuckDB is starting, then loads only the record set the view
 * shows; a query of another record set loads only that one; switching to another dataset and
 * back reloads nothing, and the charts come ordered by what they tell.
 */
import type { Page, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { screenshot, watchPage } from './harness.ts';
import {
  afterNextRun,
  card,
  chartsReady,
  runSql,
  textOf,
  useProfiles,
  waitForGridRows,
  watchFor,
} from './explore-helpers.ts';
import { WAIT, saveToLake, waitForText } from './lake-helpers.ts';

/** The record sets a run loaded from the lake, as its summary lists them ('' for none). */
async function loadedBy(page: Page): Promise<string> {
  const loaded = page.locator('[data-testid="result-summary"] [data-testid="loaded-tables"]');
  return (await loaded.count()) ? ((await loaded.getAttribute('data-loaded')) ?? '') : '';
}

describe('the Query view cold start', () => {
  const { open } = useProfiles('query-cold-e2e-');
  /** Each attempt (vitest retries a failed test once) starts from its own empty profile. */
  let attempt = 0;

  it('shows the schema before DuckDB is up and loads only what a query reads', async () => {
    const profile = `u${attempt++}`;
    // Two datasets in the lake.
    const first = await open(profile);
    for (const example of ['titanic', 'coco2014-mini']) {
      await first.locator('[data-testid="tab-open"]').click();
      await first.locator(`[data-example="${example}"]`).first().click();
      await first.locator('[data-testid="metadata"] h2').waitFor({ timeout: WAIT });
      expect(await saveToLake(first)).toBe('saved');
    }

    // The profile opened anew (its first tab closed): nothing started. DuckDB's wasm is held
    // back until the schema sidebar shows.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let held = 0;
    let requested!: () => void;
    const wasmRequested = new Promise<void>((resolve) => (requested = resolve));
    const page = await open(profile, '?query=titanic@main', async (context) => {
      await context.route(/duckdb-(eh|mvp)[^/]*\.wasm/, async (route: Route) => {
        held++;
        requested();
        await released;
        await route.continue();
      });
    });
    const watch = watchPage(page);
    try {
      const sidebar = page.locator('[data-testid="pick-record-set"]');
      await sidebar.first().waitFor({ timeout: WAIT });
      expect(
        await sidebar.evaluateAll((b) => b.map((x) => x.getAttribute('data-record-set'))),
      ).toEqual(['embarkation_ports', 'genders', 'passengers']);
      await waitForText(page, '[data-testid="schema-sidebar"]', '1,309 rows');
      // The view's query waits for DuckDB, and says so.
      await page.locator('[data-testid="engine-starting"]').waitFor({ timeout: WAIT });
      expect(await page.locator('[data-testid="result-grid"]').count()).toBe(0);
      await screenshot(page, 'query-cold-schema-first');
      // The engine's worker asks for the wasm in its own time (later on a busy machine): the
      // schema was there before it, as the request is held until now.
      await Promise.race([
        wasmRequested,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('DuckDB never asked for its wasm')), WAIT),
        ),
      ]);
      expect(await page.locator('[data-testid="result-grid"]').count()).toBe(0);
    } finally {
      release();
    }
    expect(held).toBeGreaterThan(0);

    // Then only the record set shown is loaded, and the summary says what was read.
    await waitForGridRows(page, 1309);
    expect(await loadedBy(page)).toBe('"titanic@main"."passengers"');
    const summary = await textOf(page.locator('[data-testid="loaded-tables"]'));
    expect(summary).toMatch(
      /^· loaded titanic@main · passengers \(1,309 rows, 1 fragment, [\d.]+ kB\) in /,
    );

    // The charts: the label first (its class balance), the categories next.
    await chartsReady(page);
    const order = await page
      .locator('[data-testid="column-card"]')
      .evaluateAll((cards) => cards.map((c) => c.getAttribute('data-column')));
    expect(order[0]).toBe('survived');
    expect(await card(page, 'survived').getAttribute('data-kind')).toBe('category');
    expect(order.indexOf('gender')).toBeLessThan(order.indexOf('age'));
    expect(order.indexOf('age')).toBeLessThan(order.indexOf('name'));
    await screenshot(page, 'query-cold-loaded');

    // A query of another record set loads that one alone; one already loaded loads nothing.
    await runSql(page, 'SELECT * FROM "titanic@main".genders');
    expect(await loadedBy(page)).toBe('"titanic@main"."genders"');
    await runSql(page, 'SELECT count(*) FROM "titanic@main".passengers');
    expect(await loadedBy(page)).toBe('');

    // Another dataset, then back: titanic's rows and charts come from what was loaded.
    const sawLoad = await watchFor(page, '[data-testid="load-line"][data-record-set="passengers"]');
    // Each choice of dataset starts a run; wait for that run, not the status of the one before.
    await afterNextRun(page, () =>
      page.locator('[data-testid="pick-dataset"]').selectOption('mini-coco'),
    );
    expect(await loadedBy(page)).toContain('"mini-coco@main"');
    await afterNextRun(page, () =>
      page.locator('[data-testid="pick-dataset"]').selectOption('titanic'),
    );
    await waitForGridRows(page, 1309);
    expect(await loadedBy(page)).toBe('');
    expect(await sawLoad()).toBe(false);
    await chartsReady(page);
    expect(
      await page
        .locator('[data-testid="column-card"]')
        .evaluateAll((cards) => cards.map((c) => c.getAttribute('data-column'))),
    ).toEqual(order);
    expect(watch.errors).toEqual([]);
  });
});
