/**
 * Dataset ids: the `<id>` of `dataset/<id>`, `ref/<id>/…` and the other entries. Small on
 * purpose: the page derives the id a save will use, to offer updating a dataset already saved.
 */
import { LakeError } from '../store/errors.ts';

/** The longest a dataset id may be. */
export const MAX_DATASET_ID = 64;

/** A dataset id from a name: lowercase letters, digits and dashes. */
export function datasetId(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, MAX_DATASET_ID) || 'dataset'
  );
}

/**
 * BAD_INPUT unless `id` can name a dataset: letters, digits, `.`, `_` and `-`, starting with a
 * letter or digit, at most 64 characters (ids are parts of entry keys, never paths).
 */
export function checkDatasetId(id: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(id)) {
    throw new LakeError(
      'BAD_INPUT',
      `"${id}" is not a valid dataset id: use up to 64 letters, digits, ".", "_" and "-", starting with a letter or digit`,
    );
  }
}
