/**
 * SQL text as DuckDB's own tokenizer sees it. DuckDB reports where each token starts and its
 * kind (comments are skipped, quotes respected); this module recovers each token's text, splits
 * statements at `;`, and finds schema-qualified names such as `"titanic@main".passengers`.
 */

/** DuckDB's token kinds (`duckdb-wasm` ScriptTokens.types). */
export const TokenKind = {
  IDENTIFIER: 0,
  NUMERIC: 1,
  STRING: 2,
  OPERATOR: 3,
  KEYWORD: 4,
  COMMENT: 5,
} as const;

/** What DuckDB's tokenizer returns: token start offsets and kinds. */
export interface ScriptTokens {
  offsets: number[];
  types: number[];
}

/** One token: where it starts, its kind, and its text (for words, operators, identifiers). */
export interface Token {
  start: number;
  end: number;
  kind: number;
  text: string;
}

const WORD = /[\p{L}\p{N}_$]/u;
const OPERATOR = /[+\-*/<>=~!@#%^&|`?;:(),.[\]{}]/;

function scanQuoted(sql: string, at: number, quote: string): number {
  let i = at + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

function scanWhile(sql: string, at: number, re: RegExp, limit: number): number {
  let i = at;
  while (i < limit && re.test(sql[i]!)) {
    // A comment starts here: the operator run ends before it.
    if (re === OPERATOR && (sql.startsWith('--', i) || sql.startsWith('/*', i))) break;
    i++;
  }
  return i;
}

/**
 * DuckDB's token offsets count bytes of the text's UTF-8 (what the wasm module is given), not
 * the string's UTF-16 code units: `'é'` moves every later offset by one, so the tokens after it
 * would be cut in the wrong places (a `)` taken for one that closes nothing). Maps each byte
 * offset (ascending, at a character's start) to its string index.
 */
export function stringOffsets(sql: string, byteOffsets: readonly number[]): number[] {
  const out: number[] = [];
  let bytes = 0;
  let i = 0;
  for (const b of byteOffsets) {
    while (bytes < b && i < sql.length) {
      const cp = sql.codePointAt(i)!;
      bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      i += cp > 0xffff ? 2 : 1;
    }
    out.push(i);
  }
  return out;
}

/** Recovers each token's extent and text from DuckDB's start offsets (UTF-8 bytes). */
export function toTokens(sql: string, raw: ScriptTokens): Token[] {
  const out: Token[] = [];
  const offsets = stringOffsets(sql, raw.offsets);
  offsets.forEach((start, i) => {
    const kind = raw.types[i] ?? TokenKind.OPERATOR;
    if (kind === TokenKind.COMMENT) return;
    const limit = offsets[i + 1] ?? sql.length;
    let end: number;
    if (sql[start] === '"') end = scanQuoted(sql, start, '"');
    else if (kind === TokenKind.STRING) end = limit;
    else {
      end = scanWhile(sql, start, WORD, limit);
      if (end === start) end = scanWhile(sql, start, OPERATOR, limit);
      if (end === start) end = start + 1;
    }
    out.push({ start, end, kind, text: sql.slice(start, end) });
  });
  return out;
}

/** True for an operator token holding `ch` (`;`, `(`, `)`, `.`). */
export function hasOperator(t: Token | undefined, ch: string): boolean {
  return t !== undefined && t.kind !== TokenKind.STRING && t.text.includes(ch) && !isWord(t);
}

/** True for a bare word or a quoted identifier. */
export function isWord(t: Token | undefined): boolean {
  return t !== undefined && (t.text.startsWith('"') || WORD.test(t.text[0] ?? ''));
}

/** The uppercase text of a bare word (keyword or unquoted identifier), else ''. */
export function word(t: Token | undefined): string {
  return t && !t.text.startsWith('"') && WORD.test(t.text[0] ?? '') ? t.text.toUpperCase() : '';
}

/** The name an identifier token denotes: quotes removed (`""` → `"`), bare words as written. */
export function identName(t: Token): string {
  return t.text.startsWith('"') ? t.text.slice(1, -1).replaceAll('""', '"') : t.text;
}

/** The statements of a script: token lists between `;`, empty ones dropped. */
export function splitStatements(tokens: readonly Token[]): Token[][] {
  const out: Token[][] = [[]];
  for (const t of tokens) {
    if (hasOperator(t, ';')) {
      // An operator run such as `);` still ends the statement after its `)`.
      const before = t.text.slice(0, t.text.indexOf(';'));
      if (before) out.at(-1)!.push({ ...t, end: t.start + before.length, text: before });
      out.push([]);
    } else out.at(-1)!.push(t);
  }
  return out.filter((s) => s.length > 0);
}

/** A two-part name `schema.table` found in a statement. */
export interface QualifiedRef {
  schema: string;
  table: string;
  /** Where the schema's and the table's tokens start in the SQL (UTF-16 offsets). */
  at: number;
  tableAt: number;
}

/**
 * Every `X.Y` pair of identifiers, in order of appearance. `"titanic@main".passengers`,
 * `memory."titanic@main".passengers` and `"titanic@main".passengers.age` all give
 * `{schema: 'titanic@main', table: 'passengers'}` (among other pairs: the binder keeps those
 * whose schema it knows).
 */
export function qualifiedRefs(tokens: readonly Token[]): QualifiedRef[] {
  const out: QualifiedRef[] = [];
  for (let i = 0; i + 2 < tokens.length; i++) {
    const [a, dot, b] = [tokens[i]!, tokens[i + 1]!, tokens[i + 2]!];
    if (!isWord(a) || dot.text !== '.' || !isWord(b)) continue;
    out.push({ schema: identName(a), table: identName(b), at: a.start, tableAt: b.start });
  }
  return out;
}
