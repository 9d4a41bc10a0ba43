/**
 * The series-scroll figure, measured inside the page (bench/dicom.ts passes `scrollInPage` to
 * Playwright, so it must not use anything from outside its own body): the viewer of the DICOM
 * panel steps through the series with the arrow key, each step waiting until the worker drew the
 * slice (the viewer's `data-draws` went up); then the same number of steps of a plain main-thread
 * loop that windows stored values in JS and puts them on a canvas.
 */

/** What the page measures (times of `steps` steps each). */
export interface ScrollFigure {
  steps: number;
  coldMs: number;
  warmMs: number;
  baselineMs: number;
}

/** Runs in the page: see the module comment. */
export async function scrollInPage(opts: { count: number; size: number }): Promise<ScrollFigure> {
  const viewer = document.querySelector('[data-testid="dicom-viewer"]');
  const slider = document.querySelector<HTMLInputElement>('[data-testid="dicom-slider"]');
  if (!viewer || !slider) throw new Error('no DICOM viewer on the page');
  const draws = () => Number(viewer.getAttribute('data-draws'));
  const drawn = (after: number) =>
    new Promise<void>((resolve) => {
      if (draws() > after) return resolve();
      const observer = new MutationObserver(() => {
        if (draws() > after) {
          observer.disconnect();
          resolve();
        }
      });
      observer.observe(viewer, { attributes: true, attributeFilter: ['data-draws'] });
    });
  const press = async (key: string) => {
    const before = draws();
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    await drawn(before);
  };
  const pass = async () => {
    if (Number(slider.value) !== 0) await press('Home');
    const t0 = performance.now();
    for (let i = 1; i < opts.count; i++) await press('ArrowDown');
    return performance.now() - t0;
  };
  const coldMs = await pass();
  const warmMs = await pass();

  // Baseline: the same number of slices, windowed (40/400) in JS and put on a canvas.
  const n = opts.size * opts.size;
  const frames = Array.from({ length: opts.count }, (_, k) => {
    const f = new Uint16Array(n);
    for (let i = 0; i < n; i++) f[i] = (i * 7 + k * 13) % 4096;
    return f;
  });
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = opts.size;
  document.body.append(canvas);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2d context');
  const image = ctx.createImageData(opts.size, opts.size);
  const rgba = image.data;
  const t0 = performance.now();
  for (let k = 1; k < opts.count; k++) {
    const f = frames[k]!;
    for (let i = 0; i < n; i++) {
      const hu = f[i]! - 1024;
      const g = hu <= -160 ? 0 : hu >= 240 ? 255 : ((hu + 160) * 255) / 400;
      rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = g;
      rgba[i * 4 + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
    await Promise.resolve();
  }
  const baselineMs = performance.now() - t0;
  canvas.remove();
  return { steps: opts.count - 1, coldMs, warmMs, baselineMs };
}
