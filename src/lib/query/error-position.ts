/**
 * Where in the user's SQL DuckDB found an error. The engine runs user SQL wrapped
 * (`SELECT * FROM (\n<statement>\n) LIMIT n`, read-only.ts), so DuckDB's own context block
 * (`LINE 3: ) LIMIT 200001` and a caret under it) names a line of the wrapper, and an error at
 * the end of the user's text points at the wrapper's closing parenthesis. {@link locateSqlError}
 * reads that block back into a line and column of the user's SQL and writes the block again
 * from the user's own line, so the message and the caret point into what the user wrote.
 */

/** A place in a SQL text: 1-based line, and 1-based column in characters of that line. */
export interface SqlPosition {
  line: number;
  column: number;
}

/** DuckDB's context block: `\n\nLINE <n>: <line text, maybe cut with ...>\n<spaces>^`. */
const BLOCK = /\n\nLINE (\d+): ([^\n]*)\n( *)\^/g;
const INDICATOR = (n: number | string) => `LINE ${n}: `;
const ELLIPSIS = '...';
/** DuckDB shows at most this many columns of a line (half before the error). */
const MAX_SHOWN = 120;

/**
 * Columns a code point takes on a terminal, as DuckDB counts them for its caret: 2 for wide
 * East Asian characters and emoji, 0 for combining marks, else 1.
 */
function renderWidth(cp: number): number {
  if ((cp >= 0x300 && cp <= 0x36f) || cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  const wide =
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd);
  return wide ? 2 : 1;
}

/** The UTF-16 index in `text` reached after `width` rendered columns from `from`. */
function indexAtWidth(text: string, from: number, width: number): number {
  let i = from;
  let w = 0;
  while (i < text.length && w < width) {
    const cp = text.codePointAt(i)!;
    w += renderWidth(cp);
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

/** Characters (code points) of `text` before UTF-16 index `end`: a 0-based column. */
function columnOf(text: string, end: number): number {
  return [...text.slice(0, end)].length;
}

/**
 * The UTF-16 index in `line` where DuckDB's caret points, given the shown (maybe cut) text and
 * the caret's column in the block; null when the shown text is not part of `line`.
 */
function caretIndex(line: string, shown: string, caret: number, indicator: number): number | null {
  let core = shown;
  let cutStart = false;
  if (!line.startsWith(core) && core.startsWith(ELLIPSIS)) {
    core = core.slice(ELLIPSIS.length);
    cutStart = true;
  }
  let cutEnd = false;
  if (!line.includes(core) && core.endsWith(ELLIPSIS)) {
    core = core.slice(0, -ELLIPSIS.length);
    cutEnd = true;
  }
  // A cut line shows a window of it; a text repeated in the line is ambiguous, and then the
  // window that reaches the line's end (when its end is not cut) is the one shown.
  const start = cutStart ? (cutEnd ? line.indexOf(core) : line.lastIndexOf(core)) : 0;
  if (start < 0 || !line.startsWith(core, start)) return null;
  const width = caret - indicator - (cutStart ? ELLIPSIS.length : 0);
  return width < 0 ? null : indexAtWidth(line, start, width);
}

/** The block DuckDB would print for `position` in `lines`, at most {@link MAX_SHOWN} wide. */
export function contextBlock(lines: readonly string[], position: SqlPosition): string {
  const text = lines[position.line - 1] ?? '';
  const chars = [...text];
  const at = Math.min(position.column - 1, chars.length);
  const from = Math.max(0, at - MAX_SHOWN / 2);
  const to = Math.min(chars.length, from + MAX_SHOWN);
  const shown =
    (from > 0 ? ELLIPSIS : '') +
    chars.slice(from, to).join('') +
    (to < chars.length ? ELLIPSIS : '');
  const indicator = INDICATOR(position.line);
  const caret = indicator.length + (from > 0 ? ELLIPSIS.length : 0) + (at - from);
  return `\n\n${indicator}${shown}\n${' '.repeat(caret)}^`;
}

/** The position just after the last character of `text` that is not white space. */
export function endOf(text: string): SqlPosition {
  const lines = text.trimEnd().split('\n');
  const last = lines.at(-1) ?? '';
  return { line: Math.max(1, lines.length), column: [...last].length + 1 };
}

/** The 1-based line and column of UTF-16 offset `offset` in `text`. */
export function positionAt(text: string, offset: number): SqlPosition {
  const before = text.slice(0, Math.max(0, offset)).split('\n');
  return { line: before.length, column: [...(before.at(-1) ?? '')].length + 1 };
}

/** `message` without DuckDB's context block(s): what went wrong, not where. */
export function errorHead(message: string): string {
  const at = message.search(/\n\nLINE \d+: /);
  return at < 0 ? message : message.slice(0, at);
}

/** How the statement DuckDB saw holds the user's SQL. */
export interface Wrapping {
  /** The user's SQL, as they wrote it. */
  sql: string;
  /**
   * The text DuckDB saw in place of the user's (read-only.ts blanks an `EXPLAIN` or a trailing
   * `;`, keeping every line and column); the user's SQL when left out.
   */
  body?: string;
  /** The line of DuckDB's text on which the user's first line sits (1 when not wrapped). */
  firstLine: number;
}

/**
 * DuckDB's message about a wrapped statement with its context block rewritten for the user's
 * SQL (see the module comment), and the position it names there. A message without a block, or
 * whose block cannot be read back, is returned without its blocks and without a position.
 */
export function locateSqlError(
  raw: string,
  wrapping: Wrapping,
): { message: string; position?: SqlPosition } {
  const head = errorHead(raw);
  const block = [...raw.matchAll(BLOCK)][0];
  if (!block) return { message: raw };
  const [, n, shown, spaces] = block;
  const userLines = wrapping.sql.split('\n');
  const bodyLines = (wrapping.body ?? wrapping.sql).split('\n');
  const line = Number(n) - wrapping.firstLine + 1;
  let position: SqlPosition | null = null;
  let message = head;
  if (line > bodyLines.length) {
    // On the wrapper's closing line: DuckDB reached the end of the user's text.
    position = endOf(wrapping.sql);
    message = head.replace(/syntax error at or near "\)"$/m, 'syntax error at end of input');
  } else if (line < 1) {
    position = { line: 1, column: 1 };
  } else {
    const body = bodyLines[line - 1]!;
    const at = caretIndex(body, shown!, spaces!.length, INDICATOR(n!).length);
    if (at !== null) position = { line, column: columnOf(body, at) + 1 };
  }
  if (!position) return { message: head };
  return { message: message + contextBlock(userLines, position), position };
}
