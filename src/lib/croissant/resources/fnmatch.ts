/**
 * Python `fnmatch` semantics, as the reference uses for FileSet `includes`/`excludes`:
 * `*` matches any run of characters *including* `/`, `?` one character, `[seq]`/`[!seq]` sets.
 */
const cache = new Map<string, RegExp>();

/** Translates a glob to an anchored RegExp, like Python's `fnmatch.translate`. */
export function translate(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') {
      re += '.*';
      while (pattern[i + 1] === '*') i++;
    } else if (c === '?') re += '.';
    else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j++;
      if (j >= pattern.length) re += '\\[';
      else {
        let body = pattern.slice(i + 1, j).replace(/\\/g, '\\\\');
        if (body.startsWith('!')) body = '^' + body.slice(1);
        else if (body.startsWith('^')) body = '\\' + body;
        re += `[${body}]`;
        i = j;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  const out = new RegExp(`^(?:${re})$`, 's');
  cache.set(pattern, out);
  return out;
}

/** True when any pattern matches (an empty list matches everything). */
export function matchAny(patterns: readonly string[], path: string): boolean {
  if (!patterns.length) return true;
  return patterns.some((p) => translate(p).test(path));
}

/** Includes minus excludes. */
export function selected(
  includes: readonly string[],
  excludes: readonly string[],
  path: string,
): boolean {
  return matchAny(includes, path) && !(excludes.length && matchAny(excludes, path));
}
