/**
 * The DICOM viewer end to end, in Chromium against the built app (issue 16): a generated CT
 * series saved to the lake, opened from the image grid (real thumbnails); window/level by
 * preset and by drag, zoom, pan, scrolling through the series (sorted by position, not by
 * file or instance number), overlays toggled, a length measured in mm. Pixels are read back
 * from the screen at 1:1 zoom and compared with the linear VOI function worked out here. Then
 * the DICOM panel with broken files: each gives a located message and the page keeps working.
 */
import { describe, expect, it } from 'vitest';
import { screenshot, watchPage } from './harness.ts';
import { useProfiles } from './explore-helpers.ts';
import { WAIT, saveToLake, waitForText } from './lake-helpers.ts';
import { draws, grey, greyInverted, pixel, redrawn } from './dicom-helpers.ts';
import {
  FILE_ORDER,
  MARKER,
  OVERLAY,
  SLICES,
  brokenFiles,
  writeSeriesDataset,
  zOf,
} from './dicom-series-fixture.ts';

describe('the DICOM viewer', () => {
  const { app, open } = useProfiles('dicom-viewer-e2e-');

  it('opens a series from the image grid: W/L, zoom, pan, scroll, overlays, a length in mm', async () => {
    // A folder, as a user opens one: the slices are a FileSet (slices/*.dcm), which needs local files.
    const page = await open('ada');
    const watch = watchPage(page);
    {
      await page.locator('[data-testid="folder-input"]').setInputFiles(await writeSeriesDataset());
      await waitForText(page, '[data-testid="metadata"] h2', 'CT-Series');
      expect(await saveToLake(page)).toBe('saved');
      await page.goto(`${app().url}/?query=ct-series@main&rs=slices`);
      await page.locator('[data-testid="show-images"]').click();
      // Real thumbnails, drawn under the file's window.
      const thumbs = page.locator('[data-testid="dicom-thumb"]');
      // Tiles load as they come into view: bring the last one there.
      await page
        .locator(`[data-testid="image-tile"][data-row="${SLICES - 1}"]`)
        .scrollIntoViewIfNeeded({ timeout: WAIT });
      await thumbs.nth(SLICES - 1).waitFor({ timeout: WAIT });
      expect(await thumbs.first().evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(64);
      await screenshot(page, 'dicom-grid');

      // The tile of the file holding slice 3 (z = -30) opens the viewer on it.
      const row = FILE_ORDER.indexOf(3);
      await page.locator(`[data-testid="image-tile"][data-row="${row}"]`).click();
      const position = page.locator('[data-testid="dicom-position"]');
      await page
        .locator('[data-testid="dicom-loading"]')
        .waitFor({ state: 'detached', timeout: WAIT });
      await waitForText(page, '[data-testid="dicom-position"]', `slice 4/${SLICES}, z = −30.0 mm`);
      expect(await page.locator('[data-testid="corner-patient"]').textContent()).toContain(
        'Doe Jane',
      );

      // 1:1, then the file's own window (-600/1500) on the marker pixel and on air.
      let n = await draws(page);
      await page.keyboard.press('0');
      expect((await pixel(page, MARKER.x, MARKER.y))[0]).toBe(grey(MARKER.hu, -600, 1500));
      expect((await pixel(page, 1, 1))[0]).toBe(grey(-1000, -600, 1500));

      // A preset: mediastinum 40/400.
      await page
        .locator('[data-testid="dicom-preset"]')
        .selectOption({ label: 'Mediastinum (40/400)' });
      await redrawn(page, n);
      expect((await pixel(page, MARKER.x, MARKER.y))[0]).toBe(grey(MARKER.hu, 40, 400));
      expect((await pixel(page, 20, 20))[0]).toBe(grey(30, 40, 400));
      expect(await page.locator('[data-testid="corner-window"]').textContent()).toContain(
        'W 400 HU L 40 HU',
      );

      // Invert ('i'): the inverted scale on the same pixel; 'i' again undoes it.
      n = await draws(page);
      await page.keyboard.press('i');
      await redrawn(page, n);
      expect((await pixel(page, MARKER.x, MARKER.y))[0]).toBe(greyInverted(MARKER.hu, 40, 400));
      n = await draws(page);
      await page.keyboard.press('i');
      await redrawn(page, n);

      // W/L by drag: to the right widens the window, so the marker gets darker (still above mid grey).
      n = await draws(page);
      const stage = (await page.locator('[data-testid="dicom-stage"]').boundingBox())!;
      await page.mouse.move(stage.x + 100, stage.y + 100);
      await page.mouse.down();
      await page.mouse.move(stage.x + 200, stage.y + 100, { steps: 4 });
      await page.mouse.up();
      await redrawn(page, n);
      const widened = (await pixel(page, MARKER.x, MARKER.y))[0];
      expect(widened).toBeLessThan(grey(MARKER.hu, 40, 400));
      expect(widened).toBeGreaterThan(128);
      const cornerW = Number(
        /W (\d+)/.exec(
          (await page.locator('[data-testid="corner-window"]').textContent()) ?? '',
        )?.[1],
      );
      expect(cornerW).toBeGreaterThan(400);

      // Scrolling keeps the window: the next slice (z = -25) shows its square at 40 HU.
      n = await draws(page);
      await page.mouse.move(stage.x + stage.width / 2, stage.y + stage.height / 2);
      await page.mouse.wheel(0, 100);
      await waitForText(page, '[data-testid="dicom-position"]', `slice 5/${SLICES}, z = −25.0 mm`);
      await redrawn(page, n);
      expect(
        Number(
          /W (\d+)/.exec(
            (await page.locator('[data-testid="corner-window"]').textContent()) ?? '',
          )?.[1],
        ),
      ).toBe(cornerW);
      expect((await pixel(page, MARKER.x, MARKER.y))[0]).toBe(widened);
      // Cine plays on from slice 5 and stops on Space.
      await page.keyboard.press(' ');
      await waitForText(page, '[data-testid="dicom-position"]', `slice 7/${SLICES}`);
      await page.keyboard.press(' ');
      // The slider and the keyboard go to the first slice (z = -45), which has an overlay plane.
      await page.keyboard.press('Home');
      await waitForText(
        page,
        '[data-testid="dicom-position"]',
        `slice 1/${SLICES}, z = ${zOf(0).toFixed(1).replace('-', '−')} mm`,
      );

      // DICOM overlay plane: yellow where it is, grey once toggled off.
      await page
        .locator('[data-testid="dicom-preset"]')
        .selectOption({ label: 'Mediastinum (40/400)' });
      await page.waitForFunction(() => true);
      await expect
        .poll(() => pixel(page, OVERLAY.x0 + 1, OVERLAY.y0 + 1), { timeout: WAIT })
        .toEqual([255, 214, 0]);
      n = await draws(page);
      await page.locator('[data-testid="toggle-planes"]').uncheck();
      await redrawn(page, n);
      expect(await pixel(page, OVERLAY.x0 + 1, OVERLAY.y0 + 1)).toEqual([0, 0, 0]);

      // The dataset's own annotations (lesions.csv) on slice 3, toggled off and on.
      await page.locator('[data-testid="dicom-slider"]').fill('3');
      await waitForText(page, '[data-testid="dicom-position"]', `slice 4/${SLICES}`);
      const annotations = page.locator('[data-testid="annotation"]');
      await annotations.first().waitFor({ timeout: WAIT });
      expect(await annotations.count()).toBe(1);
      await page.locator('[data-testid="toggle-annotations"]').uncheck();
      await annotations.first().waitFor({ state: 'detached' });
      await page.locator('[data-testid="toggle-annotations"]').check();
      await annotations.first().waitFor();

      // A length: 20 image pixels across at 1:1 is 20 × 0.5 mm.
      await page.locator('[data-testid="tool-length"]').click();
      const canvas = (await page.locator('[data-testid="dicom-canvas"]').boundingBox())!;
      await page.mouse.move(canvas.x + 10, canvas.y + 50);
      await page.mouse.down();
      await page.mouse.move(canvas.x + 30, canvas.y + 50, { steps: 3 });
      await page.mouse.up();
      await waitForText(page, '[data-testid="measurement"]', '10.0 mm');

      // Zoom (Ctrl+wheel) and pan (the pan tool) move the image on screen.
      const before = (await page.locator('[data-testid="dicom-canvas"]').boundingBox())!;
      await page.keyboard.down('Control');
      await page.mouse.wheel(0, -300);
      await page.keyboard.up('Control');
      await expect
        .poll(async () => (await page.locator('[data-testid="dicom-canvas"]').boundingBox())!.width)
        .toBeGreaterThan(before.width * 1.5);
      const zoomed = (await page.locator('[data-testid="dicom-canvas"]').boundingBox())!;
      await page.locator('[data-testid="tool-pan"]').click();
      await page.mouse.move(stage.x + 300, stage.y + 200);
      await page.mouse.down();
      await page.mouse.move(stage.x + 360, stage.y + 240, { steps: 3 });
      await page.mouse.up();
      const panned = (await page.locator('[data-testid="dicom-canvas"]').boundingBox())!;
      expect(Math.round(panned.x - zoomed.x)).toBe(60);
      expect(Math.round(panned.y - zoomed.y)).toBe(40);

      // Privacy hides the patient's name; "?" lists the shortcuts; the tag browser searches.
      await page.locator('[data-testid="toggle-privacy"]').check();
      expect(await page.locator('[data-testid="corner-patient"]').textContent()).not.toContain(
        'Doe',
      );
      await page.keyboard.press('?');
      await page.locator('[data-testid="dicom-shortcuts"]').waitFor();
      await page.keyboard.press('?');
      await page.locator('[data-testid="dicom-tags-open"]').click();
      await page.locator('[data-testid="dicom-tag-search"]').fill('PixelSpacing');
      await waitForText(page, '[data-testid="dicom-tag-row"]', '0.5\\0.5');
      await screenshot(page, 'dicom-viewer');
      expect(await position.textContent()).toContain(`slice 4/${SLICES}`);
    }
    expect(watch.errors).toEqual([]);
  });

  it('gives a located message for each broken file in the DICOM panel, and keeps working', async () => {
    const page = await open('bo', '?dicom');
    const watch = watchPage(page);
    const files = brokenFiles();
    await page.locator('[data-testid="dicom-files"]').setInputFiles(
      Object.entries(files).map(([name, bytes]) => ({
        name,
        mimeType: 'application/dicom',
        buffer: Buffer.from(bytes),
      })),
    );
    // A structured report is shown as one, not as a broken image.
    await page.locator('[data-testid="dicom-file"]', { hasText: '0-report.dcm' }).click();
    await waitForText(
      page,
      '[data-testid="dicom-nonimage"]',
      'DICOM structured report, no pixel data',
    );
    expect(await page.locator('[data-testid="dicom-error"]').count()).toBe(0);
    const expected: [string, RegExp][] = [
      [
        '1-truncated.dcm',
        /TRUNCATED: truncated DICOM at byte \d+: .*\(7FE0,0010\) at byte \d+ declares 8192 bytes/,
      ],
      [
        '2-wrong-vr.dcm',
        /CORRUPT: corrupt DICOM: \(0028,0010\) Rows at byte \d+ has VR DS, expected US/,
      ],
      ['3-no-meta.dcm', /NOT_DICOM: .*no DICM marker at byte 128/],
      [
        '4-unknown-syntax.dcm',
        /UNSUPPORTED_SYNTAX: DICOM transfer syntax 1\.2\.3\.4\.5 \(unknown\) is not supported/,
      ],
    ];
    for (const [name, message] of expected) {
      await page.locator('[data-testid="dicom-file"]', { hasText: name }).click();
      await expect
        .poll(() => page.locator('[data-testid="dicom-error"]').textContent(), { timeout: WAIT })
        .toMatch(message);
    }
    // A frame shorter than declared: frames 0 and 1 show, frame 2 says why it cannot.
    await page.locator('[data-testid="dicom-file"]', { hasText: '5-short-frame.dcm' }).click();
    await waitForText(page, '[data-testid="dicom-position"]', 'slice 1/3');
    await page.keyboard.press('End');
    await expect
      .poll(() => page.locator('[data-testid="dicom-error"]').textContent(), { timeout: WAIT })
      .toMatch(
        /CORRUPT: .*PixelData at byte \d+ holds 20 bytes, but frame 2 .* is shorter than declared/,
      );
    // The frame shown before is not left on screen under the message, as if it were frame 2.
    expect(await page.locator('[data-testid="dicom-canvas"]').isVisible()).toBe(false);
    await screenshot(page, 'dicom-bad-input');
    // The good file still opens.
    await page.locator('[data-testid="dicom-file"]', { hasText: '6-good.dcm' }).click();
    await page.waitForFunction(
      () =>
        Number(document.querySelector('[data-testid="dicom-viewer"]')?.getAttribute('data-draws')) >
        0,
      undefined,
      { timeout: WAIT },
    );
    expect(await page.locator('[data-testid="dicom-error"]').count()).toBe(0);
    expect(await page.locator('[data-testid="dicom-canvas"]').isVisible()).toBe(true);

    // Two fingers moving apart zoom in (touch, through the DevTools protocol).
    const canvas = page.locator('[data-testid="dicom-canvas"]');
    const before = (await canvas.boundingBox())!;
    const stage = (await page.locator('[data-testid="dicom-stage"]').boundingBox())!;
    const [cx, cy] = [stage.x + stage.width / 2, stage.y + stage.height / 2];
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 2 });
    const fingers = (d: number) => [
      { x: cx - d, y: cy, id: 0 },
      { x: cx + d, y: cy, id: 1 },
    ];
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: fingers(20) });
    for (const d of [40, 60, 80])
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: fingers(d) });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await expect
      .poll(async () => (await canvas.boundingBox())!.width)
      .toBeGreaterThan(before.width * 3);
    expect(watch.errors).toEqual([]);
  });
});
