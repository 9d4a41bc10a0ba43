/** Where "Query it" opens a shared branch once it was rebuilt. */
import type { Recipe } from '../lib/share/recipe-schema.ts';

/** What a shared branch was made to show: the record set its steps end on, and its filter. */
export interface SharedFocus {
  /** Record set @id. */
  recordSet?: string;
  /** The filter predicates of that record set, joined with AND ('' or absent: none). */
  where?: string;
}

/**
 * The record set a recipe's last step worked on, with its filter predicates (every filter step
 * of that record set, joined with AND: filters applied one after the other keep exactly the
 * rows that satisfy all of them, and a later add-columns step changes no value they read).
 * Showing the branch with that filter shows what the sender saw; on the branch it keeps every
 * row, since the branch holds only the rows it kept.
 */
export function sharedFocus(recipe: Recipe): SharedFocus {
  const last = recipe.steps.at(-1);
  if (!last) return {};
  const predicates = recipe.steps
    .filter((s) => s.op === 'filter' && s.recordSet === last.recordSet)
    .map((s) => (s.op === 'filter' ? s.predicate.trim() : ''))
    .filter(Boolean);
  const where =
    predicates.length === 1 ? predicates[0]! : predicates.map((p) => `(\n${p}\n)`).join('\nAND ');
  return { recordSet: last.recordSet, ...(where ? { where } : {}) };
}
