/** Reading the DICOM viewer's screen in e2e tests: rendered grey values and redraws. */
import { decode } from 'fast-png';
import type { Page } from 'playwright-core';
import { POLL, WAIT } from './lake-helpers.ts';

/** PS3.3 C.11.2.1.2.1, truncated as DCMTK does (the conformance suite checks the app against DCMTK). */
export const grey = (hu: number, c: number, w: number) =>
  hu <= c - 0.5 - (w - 1) / 2
    ? 0
    : hu > c - 0.5 + (w - 1) / 2
      ? 255
      : Math.floor(((hu - (c - 0.5)) / (w - 1) + 0.5) * 255);

/**
 * The inverted scale (invert, or MONOCHROME1) of a value inside the window: 255 minus the exact
 * linear value, then truncated (as DCMTK truncates its inverted output), not 255 − grey().
 */
export const greyInverted = (hu: number, c: number, w: number) =>
  Math.floor(255 - ((hu - (c - 0.5)) / (w - 1) + 0.5) * 255);

/** The screen's RGB at image pixel (x, y), the view being at 1:1 and not rotated. */
export async function pixel(page: Page, x: number, y: number): Promise<[number, number, number]> {
  const box = await page.locator('[data-testid="dicom-canvas"]').boundingBox();
  if (!box) throw new Error('no canvas');
  const shot = decode(
    await page.screenshot({ clip: { x: box.x + x, y: box.y + y, width: 1, height: 1 } }),
  );
  const ch = shot.channels;
  return [shot.data[0]!, shot.data[1]!, shot.data[2]!]
    .map((v) => Number(v))
    .slice(0, Math.min(3, ch)) as [number, number, number];
}

/** How many times the viewer has drawn. */
export async function draws(page: Page): Promise<number> {
  return Number(await page.locator('[data-testid="dicom-viewer"]').getAttribute('data-draws'));
}

/** Waits until the viewer drew again after `before`, and shows `text` in the corner. */
export async function redrawn(page: Page, before: number): Promise<void> {
  await page.waitForFunction(
    (n) =>
      Number(document.querySelector('[data-testid="dicom-viewer"]')?.getAttribute('data-draws')) >
      n,
    before,
    { timeout: WAIT, polling: POLL },
  );
}
