/**
 * The names a user may give a new branch, tag or remote, and the one order branch and tag
 * names are listed in. Both run unchanged in the browser and the CLI.
 *
 * Names follow git's ref-name rules, `git check-ref-format`
 * (https://git-scm.com/docs/git-check-ref-format), numbered here as there:
 *  1. no slash-separated component begins with `.` or ends with `.lock`;
 *  3. no `..`;
 *  4. no ASCII control character (below U+0020, or U+007F), space, `~`, `^` or `:`;
 *  5. no `?`, `*` or `[`;
 *  6. no leading or trailing `/`, and no `//`;
 *  7. no trailing `.`;
 *  8. no `@{`;
 *  9. not `@` alone;
 * 10. no `\`.
 * (Rule 2, "at least one `/`", is for full ref names: a branch name such as `main` is the part
 * after `refs/heads/`.) The lake adds its own rules: not empty, at most 200 characters, no
 * whitespace of any kind, not `HEAD` (git's name for the checked-out commit, which `git branch`
 * refuses: a lake has no checked-out commit, and `log d HEAD` would read a branch of that name,
 * not what a git user means), no leading `-` (it would read as a CLI option), no leading `refs/`
 * (it reads as a full git ref name, so `refs/heads/x` would not be the branch `x`), and no
 * trailing `@fork<n>` (fetch names a forked remote head's second commit `<branch>@fork1`, a
 * remote-tracking ref that such a branch pushed to a remote would overwrite).
 *
 * Only new names are checked: a lake may hold names an older version accepted, and those are
 * still read, listed, deleted and restored.
 */
import { LakeError } from '../store/errors.ts';

/** The longest name a ref may have. */
export const MAX_REF_NAME = 200;

const FORBIDDEN = ['~', '^', ':', '?', '*', '[', '\\'];

function hex(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Why `name` may not name a new ref (the rule it breaks, as a phrase about it), or undefined
 * when it may.
 */
export function refNameProblem(name: string): string | undefined {
  if (!name) return 'it is empty';
  if (name.length > MAX_REF_NAME) return `it is longer than ${MAX_REF_NAME} characters`;
  // eslint-disable-next-line no-control-regex -- control characters are what this finds
  const control = /[\u0000-\u001f\u007f]/.exec(name);
  if (control) return `it contains the control character ${hex(control[0])}`;
  const space = /\s/u.exec(name);
  if (space)
    return space[0] === ' ' ? 'it contains a space' : `it contains ${hex(space[0])}, a space`;
  const bad = [...name].find((ch) => FORBIDDEN.includes(ch));
  if (bad) return `it contains "${bad}" (not allowed: ${FORBIDDEN.join(' ')})`;
  if (name.includes('..')) return 'it contains ".."';
  if (name.includes('@{')) return 'it contains "@{"';
  if (name === '@') return 'it is "@" alone';
  if (name.startsWith('/')) return 'it starts with "/"';
  if (name.endsWith('/')) return 'it ends with "/"';
  if (name.includes('//')) return 'it contains "//"';
  if (name.endsWith('.')) return 'it ends with "."';
  for (const part of name.split('/')) {
    if (part.startsWith('.')) return `its part ${JSON.stringify(part)} starts with "."`;
    if (part.endsWith('.lock')) return `its part ${JSON.stringify(part)} ends with ".lock"`;
  }
  if (name === 'HEAD') {
    return 'it is "HEAD", which git keeps for the checked-out commit (git refuses it as a branch name); a lake has none, so the name would only mislead';
  }
  if (name.startsWith('-')) return 'it starts with "-"';
  if (name.startsWith('refs/')) {
    return 'it starts with "refs/", which reads as a full git ref name (give the name without it)';
  }
  const fork = /@fork\d+$/.exec(name);
  if (fork) return `it ends with "${fork[0]}", which names a forked remote branch's second head`;
  return undefined;
}

/**
 * A name for a new ref made from `text` (a record set's id, a branch's name), for the app to
 * suggest: every run of other characters than ASCII letters, digits, `.`, `_` and `-` one `-`,
 * `..` one `.`, no leading `-` or `.`, no trailing `.`, a trailing `.lock` as `-lock`, at most
 * `max` characters, `HEAD` as `head`. So {@link refNameProblem} accepts it, and also with `-<n>` added after it
 * (the suffix that makes a suggestion unique). '' when nothing of `text` is left.
 */
export function refNameFrom(text: string, max = MAX_REF_NAME): string {
  const name = text
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[-.]+/, '')
    .slice(0, max)
    .replace(/\.+$/, '')
    .replace(/\.lock$/, '-lock');
  return name === 'HEAD' ? 'head' : name;
}

/**
 * A name as SQL compares it: DuckDB matches identifiers, quoted ones too, ignoring the case of
 * A–Z only (`"t@Fix"` and `"t@fix"` are one schema; `"t@Ä"` and `"t@ä"` two).
 */
export function sqlFold(name: string): string {
  return name.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/**
 * BAD_INPUT when `name`, a new branch or tag of `dataset`, differs from one of `existing` only
 * by the case of A–Z: the Query tab could not tell the two apart (`"dataset@name"`).
 */
export function checkCaseTwin(dataset: string, name: string, existing: Iterable<string>): void {
  const other = caseTwinOf(name, existing);
  if (other === undefined) return;
  throw new LakeError(
    'BAD_INPUT',
    `${JSON.stringify(name)} differs from ${JSON.stringify(other)}, already in ${dataset}, ` +
      `only by upper and lower case, which SQL does not tell apart ("${dataset}@${name}" ` +
      `would read ${JSON.stringify(other)}). Pick another name.`,
    { detail: { name, existing: other } },
  );
}

/** The one of `existing` that differs from `name` only by the case of A–Z, if any. */
export function caseTwinOf(name: string, existing: Iterable<string>): string | undefined {
  const folded = sqlFold(name);
  for (const other of existing) if (other !== name && sqlFold(other) === folded) return other;
  return undefined;
}

/**
 * BAD_INPUT, naming `name` and the rule it breaks, unless it may name a new `what` (a branch,
 * tag or remote). See the module comment for the rules.
 */
export function checkRefName(name: string, what = 'branch'): void {
  const problem = refNameProblem(name);
  if (problem === undefined) return;
  throw new LakeError(
    'BAD_INPUT',
    // JSON quoting shows a control character as an escape, not raw in the terminal.
    `${what} ${JSON.stringify(name)} is not a valid ${what} name: ${problem}. Pick another name; names ` +
      "follow git's ref-name rules (git check-ref-format).",
    { detail: { name, problem } },
  );
}

/**
 * The order branch and tag names are listed in, everywhere (the CLI, the Lake tab's catalog and
 * branch bar): by Unicode code point, the order of the names' UTF-8 bytes, as `git branch`
 * lists them. Not `localeCompare`: that depends on the runtime's locale, so the CLI and two
 * browsers could list one lake differently. Not `<` either: that compares UTF-16 code units,
 * which put a character past U+FFFF before U+E000–U+FFFF.
 */
export function compareRefNames(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d) return d;
  }
  return x.length - y.length;
}
