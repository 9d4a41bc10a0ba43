/**
 * The DICOM viewer end to end, in Chromium against the built app (issue 16): a generated CT
 * series saved to the lake, opened from the image grid (real thumbnails); window/level by
 * preset and by drag, zoom, pan, scrolling through the series (sorted by position, not by
 * file or instance number), overlays toggled (the dataset's points and mask, a model's
 * opinions imported in the Labels tab), a length in mm and a rectangle ROI whose mean and std
 * are worked out here from the fixture's pixels, saved as opinions and shown again when the
 * item is reopened; fit, rotate and flip. Pixels are read back from the screen at 1:1 zoom and
 * compared with the linear VOI function (and the mask's blend) worked out here. Then the DICOM
 * panel with broken files: each gives a located message and the page keeps working.
 */
import { describe, expect, it } from 'vitest';
import { screenshot, watchPage } from './harness.ts';
import { useProfiles } from './explore-helpers.ts';
import { POLL, WAIT, saveToLake, waitForText } from './lake-helpers.ts';
import { draws, grey, greyInverted, pixel, redrawn } from './dicom-helpers.ts';
import {
  FILE_ORDER,
  MARKER,
  MASK,
  OVERLAY,
  SLICES,
  brokenFiles,
  fileOf,
  huAt,
  writeSeriesDataset,
  zOf,
} from './dicom-series-fixture.ts';

/** The colour masks are drawn in (src/app/dicom-mask-image.ts), and its blend over a grey. */
const MASK_RGB = [0, 229, 160];
const blend = (g: number, opacity: number) => MASK_RGB.map((c) => g * (1 - opacity) + c * opacity);

/** Mean and population std of slice k's HU over pixels whose centre is in the rectangle. */
function roiText(k: number, a: { x: number; y: number }, b: { x: number; y: number }): string {
  const values: number[] = [];
  for (let y = 0; y < 64; y++) {
    for (let x = 0; x < 64; x++) {
      if (x + 0.5 >= a.x && x + 0.5 <= b.x && y + 0.5 >= a.y && y + 0.5 <= b.y)
        values.push(huAt(k, x, y));
    }
  }
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  return `mean ${mean.toFixed(1)} HU, std ${std.toFixed(1)} HU, ${values.length} px`;
}

/** A model's opinions about slice 3: a class for the image, and a box. */
const PREDICTIONS = [
  'subject,question,value,value_type,actor,actor_kind,confidence',
  `${fileOf(3)},finding,nodule,class,resnet-3,model,0.93`,
  `${fileOf(3)},nodule box,"[36,40,8,8]",box,resnet-3,model,0.8`,
].join('\n');

describe('the DICOM viewer', () => {
  const { app, open } = useProfiles('dicom-viewer-e2e-');

  it('opens a series from the image grid: W/L, zoom, pan, scroll, overlays, opinions, a mask, measurements saved and reopened, fit, rotate, flip', async () => {
    // A folder, as a user opens one: the slices are a FileSet (slices/*.dcm), which needs local files.
    const page = await open('ada');
    const watch = watchPage(page);
    {
      await page.locator('[data-testid="folder-input"]').setInputFiles(await writeSeriesDataset());
      await waitForText(page, '[data-testid="metadata"] h2', 'CT-Series');
      expect(await saveToLake(page)).toBe('saved');
      // A model's opinions, imported in the Labels tab (on the labels branch it creates).
      await page.locator('[data-testid="tab-labels"]').click();
      const form = page.locator('[data-testid="import-opinions"]');
      await form.locator('[data-testid="import-subject-set"] option[value="slices"]').waitFor({
        state: 'attached',
        timeout: WAIT,
      });
      await form.locator('[data-testid="import-file"]').setInputFiles({
        name: 'predictions.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(PREDICTIONS),
      });
      await form.locator('[data-testid="import-subject-set"]').selectOption('slices');
      await form.locator('button[type="submit"]').click();
      await waitForText(page, '[data-testid="labels-wrote"]', '2 opinions added on labels');
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
      // The row beside the image follows the slice shown (each slice is a file, a row of its
      // own), not the tile that opened the viewer.
      await waitForText(page, '[data-testid="detail-field"][data-name="image_id"] dd', fileOf(0));

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
      const annotations = page.locator('[data-testid="annotation"][data-source="dataset"]');
      await annotations.first().waitFor({ timeout: WAIT });
      expect(await annotations.count()).toBe(1);
      await page.locator('[data-testid="toggle-annotations"]').uncheck();
      await annotations.first().waitFor({ state: 'detached' });
      await page.locator('[data-testid="toggle-annotations"]').check();
      await annotations.first().waitFor();

      // The model's opinions: its box where it said, its class above the image; toggled apart.
      const box = page.locator('[data-testid="annotation"][data-source="opinions"]');
      await box.waitFor({ timeout: WAIT });
      expect(
        await box.evaluate((r) => ['x', 'y', 'width', 'height'].map((a) => r.getAttribute(a))),
      ).toEqual(['36', '40', '8', '8']);
      const finding = page.locator('[data-testid="image-label"]', {
        hasText: 'finding: nodule (model resnet-3, 0.93)',
      });
      await finding.waitFor();
      await page.locator('[data-testid="toggle-source-opinions"]').uncheck();
      await box.waitFor({ state: 'detached' });
      await finding.waitFor({ state: 'detached' });
      expect(await annotations.count()).toBe(1);
      await page.locator('[data-testid="toggle-source-opinions"]').check();
      await box.waitFor();

      // The dataset's mask over the square (30 HU at slice 3, mediastinum window), blended at
      // the default opacity 0.4; off shows the grey alone, opacity 1 the mask's colour alone.
      const inMask = () => pixel(page, MASK.x0 + 3, MASK.y0 + 3);
      const g = grey(huAt(3, MASK.x0 + 3, MASK.y0 + 3), 40, 400);
      await page.locator('[data-testid="mask"]').waitFor({ timeout: WAIT });
      await expect
        .poll(async () => (await inMask()).map((v, i) => Math.abs(v - blend(g, 0.4)[i]!) <= 2))
        .toEqual([true, true, true]);
      expect(await pixel(page, MASK.x0 + 3, MASK.y1 + 3)).toEqual([g, g, g]);
      await page.locator('[data-testid="toggle-masks"]').uncheck();
      await expect.poll(inMask).toEqual([g, g, g]);
      await page.locator('[data-testid="toggle-masks"]').check();
      await page.locator('[data-testid="mask-opacity"]').fill('1');
      await expect.poll(inMask).toEqual(MASK_RGB);
      await page.locator('[data-testid="mask-opacity"]').fill('0.4');
      await screenshot(page, 'dicom-overlays');

      // A length: 20 image pixels across at 1:1 is 20 × 0.5 mm.
      await page.locator('[data-testid="tool-length"]').click();
      const canvas = (await page.locator('[data-testid="dicom-canvas"]').boundingBox())!;
      await page.mouse.move(canvas.x + 10, canvas.y + 50);
      await page.mouse.down();
      await page.mouse.move(canvas.x + 30, canvas.y + 50, { steps: 3 });
      await page.mouse.up();
      await waitForText(page, '[data-testid="measurement"]', '10.0 mm');

      // A rectangle ROI half on air, half on the square: its statistics worked out here.
      const roi = roiText(3, { x: 12, y: 20 }, { x: 20, y: 24 });
      expect(roi).toBe('mean -485.0 HU, std 515.0 HU, 32 px');
      await page.locator('[data-testid="tool-rect"]').click();
      await page.mouse.move(canvas.x + 12, canvas.y + 20);
      await page.mouse.down();
      await page.mouse.move(canvas.x + 20, canvas.y + 24, { steps: 3 });
      await page.mouse.up();
      await waitForText(page, '[data-testid="measurement"]', roi);

      // Escape closes the shortcuts, not the viewer; closing with the two measurements unsaved
      // asks first, and Keep editing keeps them.
      await page.keyboard.press('?');
      await page.locator('[data-testid="dicom-shortcuts"]').waitFor();
      await page.keyboard.press('Escape');
      await page.locator('[data-testid="dicom-shortcuts"]').waitFor({ state: 'detached' });
      expect(await page.locator('[data-testid="dicom-viewer"]').count()).toBe(1);
      await page.keyboard.press('Escape');
      const unsaved = page.locator('[data-testid="close-unsaved"]');
      await unsaved.waitFor();
      expect(await unsaved.innerText()).toMatch(
        /^2 measurements are not saved: closing loses them/,
      );
      await screenshot(page, 'dicom-close-unsaved');
      await page.locator('[data-testid="close-unsaved-keep"]').click();
      await unsaved.waitFor({ state: 'detached' });
      expect(await page.locator('[data-testid="measurement"]').count()).toBe(2);

      // Both saved as opinions of the reader.
      await page.locator('[data-testid="dicom-reader"]').fill('dr_lee');
      await page.locator('[data-testid="dicom-save-measurements"]').click();
      await waitForText(page, '[data-testid="dicom-save-note"]', '2 measurements saved on labels');
      expect(await page.locator('[data-testid="measurement"][data-saved="true"]').count()).toBe(2);

      // Zoom (Ctrl+wheel) and pan (the pan tool) move the image on screen.
      const before = (await page.locator('[data-testid="dicom-canvas"]').boundingBox())!;
      await page.mouse.move(stage.x + stage.width / 2, stage.y + stage.height / 2);
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

      // Closed and opened again: fitted to the stage, the saved measurements back.
      await page.locator('[data-testid="close-detail"]').click();
      await page.locator(`[data-testid="image-tile"][data-row="${row}"]`).click();
      await waitForText(page, '[data-testid="dicom-position"]', `slice 4/${SLICES}`);
      // The image field is described, not dumped as JSON.
      expect(
        await page.locator('[data-testid="detail-field"][data-name="image"] dd').textContent(),
      ).toMatch(/^DICOM 64×64 \S+ · sha256 [0-9a-f]{12}…$/);
      const saved = page.locator('[data-testid="measurement"][data-saved="true"]');
      await saved.nth(1).waitFor({ timeout: WAIT });
      expect((await saved.allTextContents()).sort()).toEqual(['10.0 mm', roi].sort());
      const canvasBox = () => page.locator('[data-testid="dicom-canvas"]').boundingBox();
      const fitted = async () => {
        const c = (await canvasBox())!;
        const s = (await page.locator('[data-testid="dicom-stage"]').boundingBox())!;
        // Rounded to whole pixels (`|| 0` makes −0 plain 0).
        return [
          c.width - Math.min(s.width, s.height),
          c.x + c.width / 2 - (s.x + s.width / 2),
          c.y + c.height / 2 - (s.y + s.height / 2),
        ].map((d) => Math.round(d) || 0);
      };
      await expect.poll(fitted).toEqual([0, 0, 0]);
      await page.locator('[data-testid="mask"]').waitFor();
      await screenshot(page, 'dicom-overlays-fitted');
      await page.keyboard.press('0');
      await expect.poll(async () => (await canvasBox())!.width).toBe(64);
      await page.locator('[data-testid="dicom-fit"]').click();
      await expect.poll(fitted).toEqual([0, 0, 0]);

      // Rotate and flip at 1:1, under the file's window: the marker (5, 5) moves to where a
      // quarter turn clockwise, or a mirror, puts it in the 64×64 square.
      await page.keyboard.press('0');
      await expect.poll(async () => (await canvasBox())!.width).toBe(64);
      const marker = grey(MARKER.hu, -600, 1500);
      const air = grey(-1000, -600, 1500);
      expect((await pixel(page, 5, 5))[0]).toBe(marker);
      await page.locator('[data-testid="dicom-rotate"]').click();
      await expect.poll(async () => (await pixel(page, 58, 5))[0]).toBe(marker);
      expect((await pixel(page, 5, 5))[0]).toBe(air);
      for (let i = 0; i < 3; i++) await page.locator('[data-testid="dicom-rotate"]').click();
      await expect.poll(async () => (await pixel(page, 5, 5))[0]).toBe(marker);
      await page.locator('[data-testid="dicom-flip-h"]').click();
      await expect.poll(async () => (await pixel(page, 58, 5))[0]).toBe(marker);
      await page.locator('[data-testid="dicom-flip-v"]').click();
      await expect.poll(async () => (await pixel(page, 58, 58))[0]).toBe(marker);
      expect((await pixel(page, 58, 5))[0]).toBe(air);
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
      // No patient or study text beside the error: it would be another file's.
      expect(await page.locator('[data-testid="corner-patient"]').count()).toBe(0);
      expect(await page.locator('[data-testid="corner-study"]').count()).toBe(0);
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
      { timeout: WAIT, polling: POLL },
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
