/**
 * Dataset ids: the `<id>` of `dataset/<id>`, `ref/<id>/…` and the other entries. Small on
 * purpose: the page derives the id a save will use, to offer updating a dataset already saved.
 */
import { LakeError } from '../store/errors.ts';
import { caseTwinOf } from './ref-names.ts';

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

/**
 * BAD_INPUT when a new dataset `id` differs from one of `existing` only by the case of A–Z: the
 * Query tab names its tables `"<id>@<branch>"`, and SQL would not tell the two apart.
 */
export function checkDatasetTwin(id: string, existing: Iterable<string>): void {
  const other = caseTwinOf(id, existing);
  if (other === undefined) return;
  throw new LakeError(
    'BAD_INPUT',
    `dataset id "${id}" differs from "${other}", already in this lake, only by upper and ` +
      `lower case, which SQL does not tell apart. Pick another id.`,
    { detail: { id, existing: other } },
  );
}
