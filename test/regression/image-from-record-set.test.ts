/**
 * Regression: an ImageObject field whose source is another record set's image field received
 * an already decoded image and failed with CAST_FAILED ("an image needs bytes"). The
 * reference passes the PIL image through; so does the cast now. (Found while building the
 * synthetic-lesions example, issue 5.)
 */
import { expect, it } from 'vitest';
import type { ImageValue } from '../../src/lib/croissant/api.ts';
import { castValue } from '../../src/lib/croissant/records/cast.ts';

it('passes an already decoded image through an ImageObject cast', () => {
  const image: ImageValue = {
    kind: 'image',
    mode: 'L',
    width: 2,
    height: 1,
    format: 'PNG',
    bytes: new Uint8Array([1, 2, 3]),
  };
  expect(castValue(image, 'image', 'object')).toBe(image);
  // Bytes that are no image still fail, naming what they are.
  expect(() => castValue(new Uint8Array([1, 2, 3]), 'image', 'object')).toThrow(
    /3 bytes are not a JPEG, PNG/,
  );
});
