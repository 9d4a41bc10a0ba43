import path from 'node:path';
import { it } from 'vitest';
import { REPO_ROOT, launchBrowser, screenshot, startPreview, startStaticServer, watchPage } from '/work/main/test/e2e/harness.ts';

it('debug', async () => {
  const app = await startPreview();
  const fixtures = await startStaticServer('test/fixtures/croissant/1.0', { cors: true });
  const browser = await launchBrowser();
  const page = await browser.newPage();
  const watch = watchPage(page);
  page.on('console', (m) => console.log('console', m.type(), m.text()));
  page.on('worker', (w) => w.on('console', (m) => console.log('worker console', m.text())));
  await page.goto(`${app.url}/?url=${encodeURIComponent(fixtures.url + '/coco2014-mini/metadata.json')}`);
  await page.waitForTimeout(5000);
  await screenshot(page, 'debug-coco');
  console.log(await page.locator('main').innerText());
  await page.goto(app.url);
  await page.locator('[data-testid="folder-input"]').setInputFiles(path.join(REPO_ROOT, 'test/fixtures/croissant/1.0/titanic'));
  await page.waitForTimeout(5000);
  await screenshot(page, 'debug-folder');
  console.log(await page.locator('main').innerText());
  console.log(watch.errors, watch.requests.filter(u => !u.includes('/assets/')));
  await browser.close(); await fixtures.close(); await app.close();
}, 60000);
