/**
 * The result columns a query orders by (its last `ORDER BY`), so that an image grid shows them
 * among the few fields under each tile: after `ORDER BY patient_age` the tiles showed their first
 * five columns, and the order they were in could not be seen. Plain column names and quoted
 * identifiers are recognised; an expression that is no column name is skipped.
 */

/** `names` that `sql`'s last ORDER BY names, in its order. */
export function orderedBy(sql: string, names: readonly string[]): string[] {
  // String literals and comments out, so that an ORDER BY inside one does not count.
  const text = sql
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ');
  const at = [...text.matchAll(/\border\s+by\b/gi)].at(-1);
  if (!at || at.index === undefined) return [];
  const rest = text.slice(at.index + at[0].length).split(/\b(?:limit|offset)\b|;|\)/i)[0] ?? '';
  const out: string[] = [];
  for (const item of rest.split(',')) {
    const term = item
      .trim()
      .replace(/\s+nulls\s+(first|last)$/i, '')
      .replace(/\s+(asc|desc)$/i, '')
      .trim();
    const quoted = /^"((?:[^"]|"")*)"$/.exec(term);
    const name = quoted ? quoted[1]!.replaceAll('""', '"') : term;
    const found =
      names.find((n) => n === name) ??
      (quoted ? undefined : names.find((n) => n.toLowerCase() === name.toLowerCase()));
    if (found && !out.includes(found)) out.push(found);
  }
  return out;
}
