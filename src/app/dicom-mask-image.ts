/**
 * A segmentation mask as an image the viewer's SVG layer can draw over the frame: the mask's
 * pixels in one colour, fully opaque inside and transparent outside, so the layer's opacity
 * alone says how strongly it covers the image. Made once per mask (a PNG data URL).
 */
import type { Mask } from '../lib/dicom/masks.ts';

const made = new WeakMap<Mask, string>();

/** The colour masks are drawn in (RGB). */
export const MASK_RGB: readonly [number, number, number] = [0, 229, 160];

/** The mask as a PNG data URL, in {@link MASK_RGB}. */
export function maskImage(mask: Mask): string {
  const known = made.get(mask);
  if (known) return known;
  const canvas = document.createElement('canvas');
  canvas.width = mask.width;
  canvas.height = mask.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas to draw a mask on');
  const img = ctx.createImageData(mask.width, mask.height);
  for (let i = 0; i < mask.data.length; i++) {
    if (!mask.data[i]) continue;
    img.data.set([...MASK_RGB, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
  const url = canvas.toDataURL('image/png');
  made.set(mask, url);
  return url;
}
