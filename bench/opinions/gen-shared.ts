/** What the opinions bench page and the Node side both need (no Node modules here). */

/** The one question of the bench data. */
export const QUESTION = 'lesion';
