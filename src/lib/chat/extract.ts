/**
 * The SQL in a model's answer. Models are asked for one ```sql block (prompt.ts) but answer in
 * many shapes: another fence language, no fence, a reasoning block (`<think>…</think>`) before
 * the answer, a trailing `;`. The first SQL found is taken, verbatim otherwise: what the user
 * is shown is what runs.
 */

/** Fence languages taken as SQL, besides none. */
const SQL_LANGS = new Set(['sql', 'duckdb', 'postgresql', 'sqlite', 'psql']);
/** Words a bare (unfenced) statement starts with; anything else is prose. */
const FIRST_WORD =
  /^(SELECT|WITH|FROM|VALUES|PIVOT|UNPIVOT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|COPY|ATTACH|SET|PRAGMA)\b/i;

/** `answer` without reasoning blocks (`<think>…</think>`, also one never closed). */
export function withoutReasoning(answer: string): string {
  return answer.replace(/<think>[\s\S]*?(<\/think>|$)/gi, '');
}

function clean(sql: string): string {
  return sql.trim().replace(/;\s*$/, '').trim();
}

/**
 * The SQL statement of `answer`, or null when it holds none: the first fenced block labelled
 * SQL (or unlabelled and starting like a statement), else the first line starting like a
 * statement up to a blank line or a `;` at a line's end. Write statements are extracted too:
 * refusing them is the engine's job, and the user should see what was refused.
 */
export function extractSql(answer: string): string | null {
  const text = withoutReasoning(answer);
  const fences = [...text.matchAll(/```[ \t]*([\w-]*)[^\n]*\n([\s\S]*?)(```|$)/g)];
  const labelled = fences.find(
    (m) => SQL_LANGS.has((m[1] ?? '').toLowerCase()) && clean(m[2] ?? ''),
  );
  const bare = fences.find((m) => !m[1] && FIRST_WORD.test(clean(m[2] ?? '')));
  const fenced = labelled ?? bare;
  if (fenced) return clean(fenced[2]!);
  const lines = text.split('\n');
  const start = lines.findIndex((l) => FIRST_WORD.test(l.trim()));
  if (start < 0) return null;
  const out: string[] = [];
  for (const l of lines.slice(start)) {
    if (!l.trim()) break;
    out.push(l);
    if (/;\s*$/.test(l)) break;
  }
  return clean(out.join('\n')) || null;
}
