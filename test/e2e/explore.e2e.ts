/**
 * Exploration, curation and sharing, end to end in Chromium against the built app (issue 4 §6):
 * open `?url=` and save it to the lake with a progress bar; query it with SQL; see its column
 * statistics; cross-filter the charts and the grid; save the filter as a protected branch; copy
 * its share link and open it in a second, empty browser profile, which imports the source,
 * replays the filter and verifies the result is identical. Forbidden SQL is refused, and a
 * malformed link gives a clear error; 100,000 rows scroll with only those in view in the page
 * (frame times are not asserted: they measure the machine). Images and a join across
 * datasets are in explore-data.e2e.ts. Persistent profiles, one folder each.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { decodeShareLink, encodeShareLink } from '../../src/lib/share/link.ts';
import { screenshot, watchPage } from './harness.ts';
import {
  useProfiles,
  card,
  cardRows,
  chartsReady,
  expectSqlDone,
  gridHeader,
  gridRows,
  runSql,
  setEditor,
  showQuery,
  textOf,
  waitForGridRows,
  watchFor,
} from './explore-helpers.ts';
import { TITANIC, WAIT, saveToLake, waitForText } from './lake-helpers.ts';

/** The age range of the `age` facet in a filter predicate: `[lo, hi)`, or `[lo, hi]`. */
function ageRange(predicate: string): { lo: number; hi: number; closed: boolean } {
  const m = /"age".*? >= (\S+) AND .*?"age".*? (<=?) ([^\s)]+)/.exec(predicate);
  if (!m) throw new Error(`no age range in the predicate: ${predicate}`);
  return { lo: Number(m[1]), hi: Number(m[3]), closed: m[2] === '<=' };
}

/**
 * Counted from public/examples/titanic/data/titanic.csv (parsed with papaparse, not by the
 * app): women whose age (a number; `?` is unknown) lies in the range, and the survivors.
 */
function womenByAge(r: { lo: number; hi: number; closed: boolean }): {
  inRange: number;
  survived: number;
} {
  const csv = readFileSync(path.join(TITANIC, 'data/titanic.csv'), 'utf8');
  const rows = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true }).data;
  const inRange = rows.filter((p) => {
    const age = Number(p['age']);
    return (
      p['sex'] === 'female' &&
      p['age'] !== '?' &&
      age >= r.lo &&
      (r.closed ? age <= r.hi : age < r.hi)
    );
  });
  return { inRange: inRange.length, survived: inRange.filter((p) => p['survived'] === '1').length };
}

describe('exploring, curating and sharing', () => {
  const { app, open, dir } = useProfiles('explore-e2e-');
  /** The share link made in the first profile, and the rows its branch keeps. */
  let shareLink = '';
  let savedRows = 0;

  it('opens ?url=, saves it with progress, queries, charts and cross-filters it', async () => {
    const source = `${app().url}/examples/titanic/metadata.json`;
    const page = await open('alice', `?url=${encodeURIComponent(source)}`);
    const watch = watchPage(page);
    await waitForText(page, '[data-testid="metadata"] h2', 'Titanic');
    const sawProgress = await watchFor(page, '[data-testid="ingest-progress"]');
    expect(await saveToLake(page)).toBe('saved');
    expect(await sawProgress()).toBe(true);

    // The Query view opens on the dataset just saved, with its rows in the grid, loaded from
    // the lake with progress.
    const sawLoading = await watchFor(page, '[data-testid="load-progress"]');
    await showQuery(page);
    await waitForGridRows(page, 1309);
    expect(await sawLoading()).toBe(true);
    // The tab named no dataset: the address names what the view chose, in place (no history).
    await expect
      .poll(() => {
        const p = new URL(page.url()).searchParams;
        return `${p.get('query')} ${p.get('rs')}`;
      })
      .toBe('titanic@main passengers');
    expect(await gridHeader(page)).toContain('age VARCHAR');
    await screenshot(page, 'explore-query');

    // SQL: any read-only query; column types in the header.
    await runSql(
      page,
      'SELECT gender, count(*) AS n, avg(survived) AS rate\nFROM "titanic@main".passengers\nGROUP BY 1 ORDER BY 1',
    );
    await waitForGridRows(page, 2);
    expect(await gridHeader(page)).toEqual(['gender VARCHAR', 'n BIGINT', 'rate DOUBLE']);
    await waitForText(page, '[data-testid="result-grid"]', 'female');

    // Column statistics, computed in DuckDB.
    await chartsReady(page);
    expect(await cardRows(page, 'age')).toBe(1309);
    expect(await card(page, 'age').getAttribute('data-kind')).toBe('number');
    expect(await card(page, 'gender').getAttribute('data-kind')).toBe('category');
    expect(await card(page, 'name').getAttribute('data-kind')).toBe('text');
    await card(page, 'survived').locator('[data-testid="class-balance"]').waitFor();
    // A long column name is shown whole on its card (it wraps), not cut off.
    const title = card(page, 'num_parents_children').locator('h3');
    expect(await title.textContent()).toBe('num_parents_children');
    expect(await title.evaluate((h) => h.scrollWidth <= h.clientWidth)).toBe(true);
    await screenshot(page, 'explore-stats');

    // Cross-filter: a category picked on one chart filters the others and the grid.
    await card(page, 'gender').locator('[data-value="female"]').click();
    await waitForGridRows(page, 466);
    await chartsReady(page);
    expect(await cardRows(page, 'age')).toBe(466);
    // A chart is not filtered by its own facet.
    expect(await cardRows(page, 'gender')).toBe(1309);

    // A range brushed on a histogram: the grid and the other charts follow.
    const hist = card(page, 'age').locator('svg.histogram');
    // The label and the categories come first: the age chart may be further down the panel.
    await hist.scrollIntoViewIfNeeded();
    const box = (await hist.boundingBox())!;
    await page.mouse.move(box.x + 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.locator('[data-testid="facet"][data-column="age"]').waitFor({ timeout: WAIT });
    await chartsReady(page);
    const withAge = await cardRows(page, 'survived');
    await waitForGridRows(page, withAge);

    // A WHERE predicate typed by hand joins the facets.
    await setEditor(page, 'where-editor', 'survived = 1');
    await page.locator('[data-testid="apply-where"]').click();
    await chartsReady(page);
    const kept = await cardRows(page, 'name');
    savedRows = kept;
    await waitForGridRows(page, kept);
    await screenshot(page, 'explore-crossfilter');

    // Save as branch: protected, its commit records the predicate; main is untouched.
    await page.locator('[data-testid="save-branch-open"]').click();
    const predicate = (await page.locator('[data-testid="save-predicate"]').textContent()) ?? '';
    expect(predicate).toContain('survived = 1');
    expect(predicate).toContain(`("gender" IN ('female'))`);
    // The counts the charts and the grid showed, against titanic.csv itself: women whose age
    // lies in the brushed range (as the predicate states it), and the survivors among them.
    const want = womenByAge(ageRange(predicate));
    expect(want.survived).toBeGreaterThan(0);
    expect(want.inRange).toBeGreaterThan(want.survived);
    expect([withAge, kept]).toEqual([want.inRange, want.survived]);
    // A filter of the view's own (no name came with it): the generic `<record set>-subset`.
    const table = await page.locator('.explore .card-head h2').textContent();
    expect(await page.locator('[data-testid="branch-name-input"]').inputValue()).toBe(
      `${table}-subset`,
    );
    await page.locator('[data-testid="branch-name-input"]').fill('young-women-survived');
    await page.locator('[data-testid="save-branch"]').click();
    const saved = page.locator('[data-testid="branch-saved"]');
    await saved.waitFor({ timeout: WAIT });
    expect(await saved.getAttribute('data-branch')).toBe('young-women-survived');
    expect(await textOf(saved)).toContain(`kept ${kept} of 1,309 rows`);
    await screenshot(page, 'explore-saved-branch');

    // It can be queried at once, by SQL name and from the picker.
    await runSql(page, 'SELECT count(*) AS n FROM "titanic@young-women-survived".passengers');
    await waitForText(page, '[data-testid="result-grid"] [role="gridcell"]', String(kept));
    await page.locator('[data-testid="query-branch"]').click();
    await page
      .locator('[data-testid="pick-rev"]')
      .locator('option[value="young-women-survived"]')
      .waitFor({ state: 'attached' });
    await waitForGridRows(page, kept);
    expect(new URL(page.url()).searchParams.get('query')).toBe('titanic@young-women-survived');

    // The share link of the branch.
    await page.locator('[data-testid="share"] [data-testid="copy-link"]').first().click();
    const linkBox = page.locator('[data-testid="share-link"]').first();
    await linkBox.waitFor({ timeout: WAIT });
    shareLink = (await linkBox.inputValue()) ?? '';
    expect(shareLink).toMatch(new RegExp(`^${app().url}/#share=[A-Za-z0-9_-]+$`));

    // The catalog lists the branch (protected) and its last commit.
    await page.locator('[data-testid="tab-lake"]').click();
    const row = page.locator('tr[data-dataset="titanic"]');
    await row
      .locator('[data-branch="young-women-survived"][data-protected="true"]')
      .waitFor({ timeout: WAIT });
    expect(await textOf(row.locator('[data-testid="catalog-last-commit"]'))).toContain(
      'young-women-survived',
    );
    await screenshot(page, 'explore-catalog');
    expect(watch.errors).toEqual([]);
  });

  it('opens the link in a second, empty profile: imports, replays and verifies', async () => {
    expect(shareLink).not.toBe('');
    const page = await open('bob');
    const watch = watchPage(page);
    await page.goto(shareLink);
    const panel = page.locator('[data-testid="share-open"]');
    await panel.locator('[data-testid="share-sql"]').first().waitFor({ timeout: WAIT });
    // The SQL is shown before anything runs; nothing is in this lake yet.
    expect(await panel.locator('[data-testid="share-sql"]').textContent()).toContain(
      'survived = 1',
    );
    await screenshot(page, 'share-confirm');
    const sawProgress = await watchFor(page, '[data-testid="share-progress"]');
    await panel.locator('[data-testid="confirm-share"]').click();
    await panel.locator('[data-testid="share-verified"]').waitFor({ timeout: WAIT });
    expect(await sawProgress()).toBe(true);
    expect(await textOf(panel.locator('[data-testid="share-verified"]'))).toContain(
      'Verified identical',
    );
    await screenshot(page, 'share-verified');

    // The replayed branch holds the same rows, and can be queried.
    await panel.locator('[data-testid="share-query"]').click();
    await page.locator('[data-testid="query-view"]').waitFor({ timeout: WAIT });
    await waitForGridRows(page, savedRows);

    // The link with its filter turned around by hand (its name and hashes kept): replayed,
    // "Not identical" with the rows the filter kept here against the link's, and no branch.
    const recipe = decodeShareLink(shareLink);
    const step = recipe.steps[0]!;
    if (step.op !== 'filter') throw new Error(`expected a filter step, got ${step.op}`);
    const predicate = step.predicate.replace('survived = 1', 'survived = 0');
    expect(predicate).not.toBe(step.predicate);
    const want = womenByAge(ageRange(step.predicate));
    const turned = encodeShareLink({ ...recipe, steps: [{ ...step, predicate }] }, `${app().url}/`);
    if (!('url' in turned)) throw new Error('the tampered link is too long');
    await page.goto(turned.url);
    await panel.locator('[data-testid="confirm-share"]').click();
    const mismatch = panel.locator('[data-testid="share-mismatch"]');
    await mismatch.waitFor({ timeout: WAIT });
    const text = await textOf(mismatch);
    expect(text).toContain('Not identical');
    expect(text).toContain('first diverged at step 1 (filter); no branch was made');
    expect(text).toContain(`kept ${want.inRange - want.survived} rows (link: ${savedRows})`);
    expect(text).toContain(
      'The source was already in this lake, as dataset titanic; it is unchanged.',
    );
    expect(await panel.locator('[data-testid="share-query"]').count()).toBe(0);
    await screenshot(page, 'share-not-identical');
    // The lake has the import and the verified branch, protected, and no other; of the two
    // replays only the one that did not verify left a deleted branch (to look at).
    await page.goto(`${app().url}/?lake`);
    const branches = page.locator('tr[data-dataset="titanic"] [data-branch]');
    await branches.first().waitFor({ timeout: WAIT });
    expect(
      await branches.evaluateAll((bs) => bs.map((b) => b.getAttribute('data-branch'))),
    ).toEqual(['main', 'young-women-survived']);
    await page.locator('[data-testid="select-dataset"]').first().click();
    const deleted = page.locator('[data-deleted-branch]');
    await deleted.first().waitFor({ timeout: WAIT });
    expect(
      await deleted.evaluateAll((ds) => ds.map((d) => d.getAttribute('data-deleted-branch'))),
    ).toEqual(['unverified/young-women-survived']);
    await screenshot(page, 'share-not-identical-lake');
    expect(watch.errors).toEqual([]);
  });

  it('refuses every forbidden SQL statement, in the editor, the WHERE box and a link', async () => {
    const page = await open('bob', '?query=titanic@main');
    const watch = watchPage(page);
    await waitForGridRows(page, 1309);
    // Every kind of statement is refused by the engine in the browser project
    // (test/browser/query-contract-safety.ts); here a few of each family, through the editor.
    const forbidden: [string, string][] = [
      ['UPDATE "titanic@main".passengers SET age = 1', 'UPDATE'],
      ['DROP SCHEMA "titanic@main" CASCADE', 'DROP SCHEMA'],
      ["COPY (SELECT 1) TO 'out.csv'", 'COPY'],
      ["ATTACH ':memory:' AS m", 'ATTACH'],
      ['SET enable_external_access = true', 'SET'],
      ['WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x', 'WITH … INSERT'],
    ];
    const error = page.locator('[data-testid="query-status"] [data-testid="error"]');
    for (const [sql, kind] of forbidden) {
      expect(await runSql(page, sql), sql).toBe('failed');
      expect(await error.getAttribute('data-code'), sql).toBe('READ_ONLY');
      expect(await textOf(error.locator('.error-message')), sql).toContain(
        `${kind} statements are not allowed`,
      );
      // The SQL is shown with the error.
      expect(await error.locator('[data-testid="error-sql"]').textContent()).toBe(sql);
    }
    for (const sql of [
      "SELECT * FROM read_csv('/etc/passwd')",
      "SELECT * FROM 'https://example.com/x.parquet'",
      'SELECT 1; DROP TABLE t',
    ]) {
      expect(await runSql(page, sql), sql).toBe('failed');
      expect(await error.getAttribute('data-code'), sql).toBe('READ_ONLY');
    }
    await screenshot(page, 'explore-read-only');
    // DuckDB's own errors come back with the SQL too.
    expect(await runSql(page, 'SELECT nope FROM "titanic@main".passengers')).toBe('failed');
    expect(await error.getAttribute('data-code')).toBe('SQL_ERROR');
    expect(await textOf(error)).toContain('Binder Error');
    // The grid still holds the record set's rows, marked as an earlier query's result.
    expect(await textOf(page.locator('[data-testid="previous-result"]'))).toBe(
      'Showing the result of the last query that succeeded (1,309 rows): SELECT * FROM "titanic@main"."passengers"',
    );

    // A query typed in the WHERE box is refused before DuckDB sees it, on the text typed there;
    // the charts say once that the filter cannot run, rather than each repeating an error.
    const query = 'SELECT gender, count(*) FROM "titanic@main".passengers GROUP BY 1';
    const filterInvalid = page.locator('[data-testid="stats-filter-invalid"]');
    await setEditor(page, 'where-editor', query);
    await page.locator('[data-testid="apply-where"]').click();
    await page
      .locator('[data-testid="query-status"] [data-testid="error"][data-code="BAD_INPUT"]')
      .waitFor({ timeout: WAIT });
    expect(await textOf(error.locator('.error-message'))).toContain(
      'The WHERE box takes a condition (e.g. ',
    );
    expect(await error.locator('[data-testid="error-sql"]').textContent()).toBe(query);
    expect(await textOf(error.locator('[data-testid="error-position"]'))).toBe(
      'At line 1, column 1:',
    );
    expect(await error.locator('[data-testid="error-mark"]').textContent()).toBe('S');
    await filterInvalid.waitFor({ timeout: WAIT });
    expect(await page.locator('[data-testid="column-card"]').count()).toBe(0);
    await screenshot(page, 'explore-where-query');
    // A condition DuckDB cannot bind: the line and column are those of the WHERE text.
    const typo = 'survived = 1\nAND survivd = 1';
    await setEditor(page, 'where-editor', typo);
    await page.locator('[data-testid="apply-where"]').click();
    await page
      .locator('[data-testid="stats-filter-invalid"][title*="survivd"]')
      .waitFor({ timeout: WAIT });
    await error
      .locator('.error-message', { hasText: 'In the WHERE filter' })
      .waitFor({ timeout: WAIT });
    expect(await error.getAttribute('data-code')).toBe('SQL_ERROR');
    expect(await textOf(error.locator('.error-message'))).toContain('survivd');
    expect(await error.locator('[data-testid="error-sql"]').textContent()).toBe(typo);
    expect(await textOf(error.locator('[data-testid="error-position"]'))).toBe(
      'At line 2, column 5:',
    );
    expect(await page.locator('[data-testid="column-card"]').count()).toBe(0);
    await screenshot(page, 'explore-where-invalid');

    // A WHERE predicate that smuggles a statement is refused when saving a branch.
    await setEditor(page, 'where-editor', '1 = 1; DELETE FROM "titanic@main".passengers');
    await page.locator('[data-testid="apply-where"]').click();
    await page.locator('[data-testid="save-branch-open"]').click();
    await page.locator('[data-testid="branch-name-input"]').fill('sneaky');
    await page.locator('[data-testid="save-branch"]').click();
    const refused = page.locator('[data-testid="save-branch-panel"] [data-testid="error"]');
    await refused.waitFor({ timeout: WAIT });
    expect(await refused.getAttribute('data-code')).toBe('READ_ONLY');

    // So is a link whose predicate was tampered with: shown, confirmed, refused by the worker.
    const recipe = decodeShareLink(shareLink);
    const step = recipe.steps[0]!;
    const tampered = {
      ...recipe,
      result: 'f'.repeat(64),
      steps: [
        { ...step, result: 'f'.repeat(64), predicate: `1 = 1; DROP SCHEMA "titanic@main" CASCADE` },
      ],
    };
    const link = encodeShareLink(tampered, `${app().url}/`);
    if (!('url' in link)) throw new Error('the tampered link is too long');
    await page.goto(link.url);
    const panel = page.locator('[data-testid="share-open"]');
    expect(await panel.locator('[data-testid="share-sql"]').textContent()).toContain('DROP SCHEMA');
    await panel.locator('[data-testid="confirm-share"]').click();
    await panel.locator('[data-testid="error"]').waitFor({ timeout: WAIT });
    expect(await panel.locator('[data-testid="error"]').getAttribute('data-code')).toBe(
      'READ_ONLY',
    );
    // main is untouched: still every row.
    await page.goto(`${app().url}/?query=titanic@main`);
    await waitForGridRows(page, 1309);
    expect(watch.errors).toEqual([]);
  });

  it('offers a recipe file when the link would be too long, and opens it elsewhere', async () => {
    const page = await open('alice', '?query=titanic@main');
    await waitForGridRows(page, 1309);
    // A predicate long and random enough that even compressed it does not fit in a link.
    const names = Array.from({ length: 1500 }, (_, i) => `'${(i * 2654435761).toString(36)}'`);
    await setEditor(page, 'where-editor', `name NOT IN (${names.join(', ')})`);
    await page.locator('[data-testid="apply-where"]').click();
    await waitForGridRows(page, 1309);
    await page.locator('[data-testid="save-branch-open"]').click();
    await page.locator('[data-testid="branch-name-input"]').fill('long-recipe');
    await page.locator('[data-testid="save-branch"]').click();
    const saved = page.locator('[data-testid="branch-saved"]');
    await saved.waitFor({ timeout: WAIT });
    await saved.locator('[data-testid="copy-link"]').click();
    const offer = saved.locator('[data-testid="share-file"]');
    await offer.waitFor({ timeout: WAIT });
    expect(await textOf(offer)).toContain('too long for a link');
    await screenshot(page, 'share-recipe-file');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      offer.locator('[data-testid="download-recipe"]').click(),
    ]);
    expect(download.suggestedFilename()).toBe('titanic-long-recipe.recipe.json');
    const file = path.join(dir(), 'long-recipe.recipe.json');
    await download.saveAs(file);

    // Another, empty profile opens the file: same confirmation, same verification.
    const other = await open('frank');
    await other.locator('[data-testid="recipe-input"]').setInputFiles(file);
    const panel = other.locator('[data-testid="share-open"]');
    await panel.locator('[data-testid="share-sql"]').waitFor({ timeout: WAIT });
    expect(await textOf(panel)).toContain('This recipe file runs this SQL');
    await panel.locator('[data-testid="confirm-share"]').click();
    await panel.locator('[data-testid="share-verified"]').waitFor({ timeout: WAIT });
  });

  it('gives a clear error for a malformed or cut-off link, and runs nothing', async () => {
    const page = await open('carol');
    for (const [link, words] of [
      [`${app().url}/#share=%%%not-base64%%%`, 'not base64url'],
      [shareLink.slice(0, Math.floor(shareLink.length * 0.6)), 'cut off'],
      [`${app().url}/#share=`, 'empty'],
    ] as const) {
      await page.goto('about:blank');
      await page.goto(link);
      const panel = page.locator('[data-testid="share-open"][data-status="unreadable"]');
      await panel.waitFor({ timeout: WAIT });
      const error = panel.locator('[data-testid="error"]');
      expect(await error.getAttribute('data-code')).toBe('BAD_INPUT');
      expect(await textOf(error), link).toContain(words);
      expect(await panel.locator('[data-testid="confirm-share"]').count()).toBe(0);
    }
    await screenshot(page, 'share-malformed');
    // Nothing was imported.
    await page.locator('[data-testid="tab-lake"]').click();
    await page.locator('[data-testid="catalog-empty"]').waitFor({ timeout: WAIT });
  });

  it('scrolls 100,000 rows: only the rows in view are in the page', async () => {
    const page = await open('dave', '?query');
    await page.locator('[data-testid="query-view"]').waitFor({ timeout: WAIT });
    await runSql(
      page,
      "SELECT range AS i, range * 0.5 AS half, 'row ' || range AS label FROM range(100000)",
    );
    await waitForGridRows(page, 100_000);
    expect(await gridRows(page)).toBe(100_000);
    const grid = page.locator('[data-testid="result-grid"]');
    const domRows = () => grid.locator('.body [role="row"]').count();
    expect(await domRows()).toBeLessThan(80);
    // Scroll through it in steps, a frame each: only the rows in view are in the DOM.
    await grid.evaluate(async (el) => {
      for (let i = 1; i <= 60; i++) {
        el.scrollTop = (el.scrollHeight * i) / 60;
        await new Promise((r) => requestAnimationFrame(r));
      }
    });
    await waitForText(page, '[data-testid="result-grid"] [role="row"]', 'row 99999');
    expect(await domRows()).toBeLessThan(80);
    await screenshot(page, 'explore-100k');

    // A long query can be cancelled, and the engine keeps working.
    await setEditor(
      page,
      'sql-editor',
      'SELECT count(*) FROM range(40000) a, range(40000) b WHERE (a.range * b.range) % 7 = 3',
    );
    await page.locator('[data-testid="run-query"]').click();
    await page.locator('[data-testid="cancel-query"]').click({ timeout: WAIT });
    await page
      .locator('[data-testid="query-status"][data-status="cancelled"]')
      .waitFor({ timeout: 10_000 });
    await expectSqlDone(page, 'SELECT 42 AS answer');
    await waitForGridRows(page, 1);
  });
});
