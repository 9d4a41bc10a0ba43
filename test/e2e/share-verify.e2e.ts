/**
 * A share link whose filter was edited by hand, its hashes and branch name kept, opened where
 * that branch exists: replayed, reported "Not identical" with the rows the filter kept here
 * against the link's, and no branch is left. The branch of the link's name is left as it was,
 * and no second one (`-2`) claims to be the shared data.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { decodeShareLink, encodeShareLink } from '../../src/lib/share/link.ts';
import { screenshot, watchPage } from './harness.ts';
import { setEditor, showQuery, textOf, useProfiles, waitForGridRows } from './explore-helpers.ts';
import { TITANIC, WAIT, saveToLake, showLake, waitForText } from './lake-helpers.ts';

/** Passengers by `survived`, counted from titanic.csv itself (papaparse, not the app). */
function bySurvived(): Record<string, number> {
  const csv = readFileSync(path.join(TITANIC, 'data/titanic.csv'), 'utf8');
  const rows = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true }).data;
  const out: Record<string, number> = {};
  for (const r of rows) out[r['survived']!] = (out[r['survived']!] ?? 0) + 1;
  return out;
}

describe('a share link that does not verify', () => {
  const { app, open } = useProfiles('share-verify-e2e-');

  it('is reported with its step and rows, and leaves no branch', async () => {
    const counts = bySurvived();
    const [lived, died] = [counts['1']!, counts['0']!];
    expect(lived).toBeGreaterThan(0);
    expect(died).toBeGreaterThan(0);
    const source = `${app().url}/examples/titanic/metadata.json`;
    const page = await open('alice', `?url=${encodeURIComponent(source)}`);
    const watch = watchPage(page);
    await waitForText(page, '[data-testid="metadata"] h2', 'Titanic');
    expect(await saveToLake(page)).toBe('saved');
    await showQuery(page);
    await waitForGridRows(page, 1309);
    await setEditor(page, 'where-editor', 'survived = 1');
    await page.locator('[data-testid="apply-where"]').click();
    await waitForGridRows(page, lived);
    await page.locator('[data-testid="save-branch-open"]').click();
    await page.locator('[data-testid="branch-name-input"]').fill('survivors');
    await page.locator('[data-testid="save-branch"]').click();
    const saved = page.locator('[data-testid="branch-saved"]');
    await saved.waitFor({ timeout: WAIT });
    await saved.locator('[data-testid="copy-link"]').click();
    const linkBox = page.locator('[data-testid="share-link"]').first();
    await linkBox.waitFor({ timeout: WAIT });

    // The same link with the filter turned around: same name, same hashes.
    const recipe = decodeShareLink(await linkBox.inputValue());
    const step = recipe.steps[0]!;
    if (step.op !== 'filter') throw new Error(`expected a filter step, got ${step.op}`);
    const predicate = step.predicate.replace('survived = 1', 'survived = 0');
    expect(predicate).not.toBe(step.predicate);
    const link = encodeShareLink({ ...recipe, steps: [{ ...step, predicate }] }, `${app().url}/`);
    if (!('url' in link)) throw new Error('the tampered link is too long');
    await page.goto(link.url);
    const panel = page.locator('[data-testid="share-open"]');
    await panel.locator('[data-testid="confirm-share"]').click();
    const mismatch = panel.locator('[data-testid="share-mismatch"]');
    await mismatch.waitFor({ timeout: WAIT });
    const text = await textOf(mismatch);
    expect(text).toContain('Not identical');
    expect(text).toContain('first diverged at step 1 (filter); no branch was made');
    expect(text).toContain(`kept ${died} rows (link: ${lived})`);
    expect(await panel.locator('[data-testid="share-query"]').count()).toBe(0);
    await screenshot(page, 'share-not-identical');

    // The lake has its import and the branch saved above, protected, and no other.
    await page.goto(`${app().url}/`);
    await showLake(page);
    const branches = page.locator('tr[data-dataset="titanic"] [data-branch]');
    expect(
      await branches.evaluateAll((bs) => bs.map((b) => b.getAttribute('data-branch'))),
    ).toEqual(['main', 'survivors']);
    expect(
      await page.locator('[data-branch="survivors"]').first().getAttribute('data-protected'),
    ).toBe('true');
    await screenshot(page, 'share-not-identical-lake');
    expect(watch.errors).toEqual([]);
  });
});
