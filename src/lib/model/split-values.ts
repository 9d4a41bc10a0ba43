/**
 * How a split column's values divide rows (lake-data.ts reads a column split with these; the
 * Train tab checks a column's values against them before defaulting to it).
 */

/** Values of training rows, unless a split rule names others. */
export const TRAIN_SPLIT_VALUES: readonly string[] = ['train'];
/** Values of validation rows, unless a split rule names others. */
export const VAL_SPLIT_VALUES: readonly string[] = ['val', 'valid', 'validation'];
/**
 * Values whose rows training leaves out by design (docs/model.md: "other values such as `test`
 * are left out"). lake-data.ts leaves out every value that is neither side; these are the ones a
 * split column is expected to hold besides them.
 */
export const HELD_OUT_SPLIT_VALUES: readonly string[] = ['test'];
