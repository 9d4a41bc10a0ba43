/**
 * JSON text in and out of bytes, refusing what would otherwise be misread or overflow the
 * stack: invalid UTF-8 (named by its byte offset), nesting beyond `MAX_JSON_DEPTH` (located
 * before any recursive walk sees it), and syntax errors (line, column and byte offset).
 */
// The ES module build: the CLI bundle (esbuild, platform node) would take the package's UMD
// `main`, whose require calls it cannot follow.
import { parse as parseTolerant, type ParseError } from 'jsonc-parser/lib/esm/main.js';
import { CroissantError } from './errors.ts';
import type { Json } from './model.ts';

/**
 * The deepest nesting of arrays and objects accepted in a document or a JSON data file.
 * Croissant documents nest about ten levels; JSON-LD expansion recurses once or more per level
 * and overflows the call stack somewhere past a thousand, less in a worker.
 */
export const MAX_JSON_DEPTH = 256;

/** The UTF-8 length of a string (for byte offsets of positions found in decoded text). */
function utf8Length(s: string): number {
  return new TextEncoder().encode(s).byteLength;
}

/** Line and column (1-based) of a character offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

/**
 * Where the first syntax error of `text` is (a character offset), for a JSON.parse failure
 * whose message does not say: V8 names the position of some errors only ("Unexpected token
 * 'h', ..."this is not"... is not valid JSON" does not). jsonc-parser's scanner, set to
 * strict JSON (no comments, no trailing commas), reports each error's offset; null when it
 * finds none.
 */
function firstSyntaxError(text: string): number | null {
  const errors: ParseError[] = [];
  parseTolerant(text, errors, {
    disallowComments: true,
    allowTrailingComma: false,
    allowEmptyContent: false,
  });
  return errors.length ? Math.min(...errors.map((e) => e.offset)) : null;
}

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    // Lead byte: how many continuation bytes, and the range allowed for the first of them
    // (which rules out overlong forms, surrogates and code points past U+10FFFF).
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return -1;
}

/**
 * Decodes a document's bytes as UTF-8. Invalid bytes are a BAD_ENCODING error naming the file,
 * the line and the byte offset, not replacement characters read as if they were the text.
 * A byte order mark is kept (as U+FEFF), so that offsets in the text count it.
 */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (e) {
    const offset = Math.max(0, firstInvalidUtf8(bytes));
    let line = 1;
    for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
    const hex = (bytes[offset] ?? 0).toString(16).padStart(2, '0');
    throw new CroissantError(
      'BAD_ENCODING',
      `${file}: invalid UTF-8 at line ${line} (byte offset ${offset}, byte 0x${hex}); a Croissant document must be UTF-8 text`,
      { cause: e, location: { file, byteOffset: offset } },
    );
  }
}

/**
 * Refuses JSON text nested deeper than `limit` arrays and objects, naming where the limit is
 * passed. One pass over the characters, no recursion.
 */
export function checkJsonDepth(text: string, file: string, limit = MAX_JSON_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) {
        const { line, column } = lineAndColumn(text, i);
        const byteOffset = utf8Length(text.slice(0, i));
        throw new CroissantError(
          'TOO_DEEP',
          `${file}: JSON nested deeper than ${limit} levels at line ${line}, column ${column} (byte offset ${byteOffset}); croissant-lake reads at most ${limit} levels of arrays and objects`,
          { location: { file, byteOffset } },
        );
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}

/**
 * Parses JSON text (a byte order mark is skipped). Nesting beyond `MAX_JSON_DEPTH` and syntax
 * errors become CroissantErrors naming the file, line, column and byte offset.
 */
export function parseJsonText(text: string, file: string): Json {
  const skip = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  checkJsonDepth(text, file);
  try {
    return JSON.parse(skip ? text.slice(1) : text) as Json;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(msg);
    const found = pos?.[1] ? Number(pos[1]) : firstSyntaxError(skip ? text.slice(1) : text);
    let where = '';
    let byteOffset: number | undefined;
    if (found !== null) {
      const offset = found + skip;
      const { line, column } = lineAndColumn(text, offset);
      byteOffset = utf8Length(text.slice(0, offset));
      where = ` at line ${line}, column ${column} (byte offset ${byteOffset})`;
    }
    const looksHtml = /^\s*</.test(text)
      ? ' (it looks like an HTML page, not a Croissant document)'
      : '';
    throw new CroissantError('BAD_JSON', `${file}: malformed JSON${where}${looksHtml}: ${msg}`, {
      cause: e,
      location: { file, ...(byteOffset !== undefined ? { byteOffset } : {}) },
    });
  }
}
