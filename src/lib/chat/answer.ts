/**
 * From a question to checked SQL (issue 18 §2): ask the model, take the SQL from its answer,
 * check it with the read-only engine (its statement check and parser, then `EXPLAIN`, which
 * binds every name and type but runs nothing), and when the check fails for a reason the model
 * can fix, send the error back once for a repair. Every attempt is kept, so the user sees both.
 * A statement that writes, or reads files or URLs, is refused by the engine (READ_ONLY) and not
 * repaired: the answer to it is "no", not another try. Running the checked SQL is the caller's
 * choice (the Run button, or "run automatically"); {@link runChecked} does it.
 */
import type { QueryEngine, QueryResult } from '../query/engine.ts';
import { QueryError } from '../query/errors.ts';
import { LakeError } from '../store/errors.ts';
import { suggestChart, type ChartSuggestion } from './chart.ts';
import { streamChat, type StreamOptions } from './client.ts';
import { ChatError } from './errors.ts';
import { extractSql } from './extract.ts';
import { chatRequest, type ChatMessage, type ChatRequest, type Endpoint } from './request.ts';

/** Why an attempt's SQL did not pass the check: the engine's code and words. */
export interface CheckFailure {
  /** `READ_ONLY`, `SQL_ERROR`, `NO_SQL`, or the lake's code (e.g. `BAD_INPUT` for a table that is not there). */
  code: string;
  message: string;
}

/** One question to the model and what came of it. */
export interface Attempt {
  /** Exactly what was sent (the "what is sent" disclosure). */
  request: ChatRequest;
  /** The model's whole answer. */
  answer: string;
  /** The SQL taken from it, when it held one. */
  sql: string | null;
  /** null when the SQL passed the check. */
  failure: CheckFailure | null;
}

/** The outcome of a question: one attempt, or two when a repair was asked for. */
export interface Answer {
  attempts: Attempt[];
  /** The SQL that passed the check, ready to run; null when none did. */
  sql: string | null;
  /** The engine refused a write (or a file read) from the model. */
  refused: boolean;
}

export interface AskOptions extends StreamOptions {
  endpoint: Endpoint;
  engine: QueryEngine;
  /** The system message (prompt.ts's `buildSchemaPrompt(...).text`). */
  system: string;
  /** Earlier turns of this conversation (question and answer), oldest first. */
  history?: readonly ChatMessage[];
  /**
   * What answers instead of the endpoint: a model running in this tab (the app's GGUF path).
   * It gets the same messages and options; `endpoint` still names the model in the disclosure.
   */
  send?: (messages: readonly ChatMessage[], opts: StreamOptions) => Promise<string>;
}

/** The error's own words, without the query the engine appends (the model has it). */
function reasonOf(e: QueryError | LakeError): string {
  const at = e.message.indexOf('\n\nin the query:\n');
  return at < 0 ? e.message : e.message.slice(0, at);
}

/** What {@link checkSql} puts before the model's SQL. */
const EXPLAIN_PREFIX = 'EXPLAIN ';

/**
 * DuckDB's `LINE 1:` block shows the checked text, EXPLAIN included: the model and the user
 * should see their own line, with the caret moved back under the same character.
 */
function withoutPrefix(message: string): string {
  const lines = message.split('\n');
  const head = 'LINE 1: ';
  const i = lines.findIndex((l) => l.startsWith(head + EXPLAIN_PREFIX));
  if (i < 0) return message;
  lines[i] = head + lines[i]!.slice(head.length + EXPLAIN_PREFIX.length);
  const caret = lines[i + 1];
  const pad = ' '.repeat(head.length + EXPLAIN_PREFIX.length);
  if (caret?.startsWith(pad)) lines[i + 1] = caret.slice(EXPLAIN_PREFIX.length);
  return lines.join('\n');
}

/**
 * Checks `sql` with the read-only engine, running nothing: null when it would run, else why not.
 * Throws what is not about the SQL (cancelled, the engine closed).
 */
export async function checkSql(
  engine: QueryEngine,
  sql: string,
  signal?: AbortSignal,
): Promise<CheckFailure | null> {
  try {
    await engine.query(EXPLAIN_PREFIX + sql, { describe: false, ...(signal ? { signal } : {}) });
    return null;
  } catch (e) {
    if (
      e instanceof QueryError &&
      (e.code === 'READ_ONLY' || e.code === 'SQL_ERROR' || e.code === 'BAD_INPUT')
    ) {
      return { code: e.code, message: withoutPrefix(reasonOf(e)) };
    }
    if (e instanceof LakeError && (e.code === 'BAD_INPUT' || e.code === 'UNKNOWN_REF')) {
      return { code: e.code, message: reasonOf(e) };
    }
    throw e;
  }
}

/** The message that asks for a repair of `sql`, which failed with `failure`. */
export function repairMessage(sql: string, failure: CheckFailure): string {
  return (
    `The read-only engine refused this SQL:\n\n${sql}\n\nwith this error:\n${failure.message}\n\n` +
    'Answer again with one corrected SELECT statement in a ```sql block.'
  );
}

async function attempt(opts: AskOptions, messages: ChatMessage[]): Promise<Attempt> {
  const request = chatRequest(opts.endpoint, messages);
  const answer = opts.send
    ? await opts.send(messages, opts)
    : await streamChat(opts.endpoint, messages, opts);
  const sql = extractSql(answer);
  if (sql === null) {
    return {
      request,
      answer,
      sql,
      failure: { code: 'NO_SQL', message: 'the answer holds no SQL statement' },
    };
  }
  return { request, answer, sql, failure: await checkSql(opts.engine, sql, opts.signal) };
}

/**
 * The messages a question sends first: the system message, earlier turns, the question. The
 * "what is sent" disclosure shown before asking is `chatRequest(endpoint, questionMessages(…))`.
 */
export function questionMessages(
  question: string,
  opts: Pick<AskOptions, 'system' | 'history'>,
): ChatMessage[] {
  if (!question.trim()) throw new ChatError('BAD_INPUT', 'the question is empty');
  return [
    { role: 'system', content: opts.system },
    ...(opts.history ?? []),
    { role: 'user', content: question },
  ];
}

/**
 * Asks `question` (see the module comment). Rejects with the {@link ChatError} of the endpoint,
 * or a QueryError that is not about the SQL (ABORTED, CLOSED).
 */
export async function askForSql(question: string, opts: AskOptions): Promise<Answer> {
  const messages = questionMessages(question, opts);
  const first = await attempt(opts, messages);
  const attempts = [first];
  const repairable = first.sql !== null && first.failure && first.failure.code !== 'READ_ONLY';
  if (repairable) {
    const again = [
      ...messages,
      { role: 'assistant' as const, content: first.answer },
      { role: 'user' as const, content: repairMessage(first.sql!, first.failure!) },
    ];
    attempts.push(await attempt(opts, again));
  }
  const last = attempts.at(-1)!;
  return {
    attempts,
    sql: last.failure ? null : last.sql,
    refused: attempts.some((a) => a.failure?.code === 'READ_ONLY'),
  };
}

/** A checked SQL's result, with the chart its shape suggests. */
export interface ChatResult extends QueryResult {
  chart: ChartSuggestion | null;
}

/** Runs checked SQL through the read-only engine, like any query of the Query view. */
export async function runChecked(
  engine: QueryEngine,
  sql: string,
  opts: { limit?: number; signal?: AbortSignal } = {},
): Promise<ChatResult> {
  const r = await engine.query(sql, opts);
  return { ...r, chart: suggestChart(r.columns, r.rows) };
}
