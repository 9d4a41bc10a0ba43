/**
 * The chat-completions client: sends a {@link ChatRequest}, reads the streamed answer
 * (server-sent events, parsed by eventsource-parser), and turns every way it can fail into a
 * {@link ChatError} with a stable code: UNREACHABLE (with the CORS setting to change), REFUSED
 * (an HTTP error, with the server's own words), MALFORMED, EMPTY, TIMEOUT (no byte for
 * `idleMs`), ABORTED. The key is read from the key store for this request only, sent only in the
 * Authorization header, and redacted from every message.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { ChatError, redact } from './errors.ts';
import type { KeyStore } from './keys.ts';
import { chatRequest, unreachableMessage, type ChatMessage, type Endpoint } from './request.ts';

/** How long the answer may stay silent (no byte) before it counts as TIMEOUT. */
export const DEFAULT_IDLE_MS = 60_000;
/** Longest server error text quoted in a message. */
const QUOTE_CHARS = 300;

export interface StreamOptions {
  keys: KeyStore;
  signal?: AbortSignal;
  /** Called with each piece of text as it arrives. */
  onDelta?: (text: string) => void;
  idleMs?: number;
  /** The page's origin, named in the CORS advice (`location.origin` in a browser). */
  origin?: string;
  /** The fetch to use (tests, or a worker's own); the global one by default. */
  fetch?: typeof fetch;
}

/** The server's own words in an error body: `{"error": {"message"}}`, `{"error": "…"}` or text. */
function serverWords(text: string): string {
  let words = text;
  try {
    const j = JSON.parse(text) as { error?: unknown; message?: unknown };
    const e = j.error;
    const m =
      typeof e === 'string'
        ? e
        : e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string'
          ? (e as { message: string }).message
          : typeof j.message === 'string'
            ? j.message
            : undefined;
    if (m) words = m;
  } catch {
    // Not JSON: quote the text itself.
  }
  words = words.replace(/\s+/g, ' ').trim();
  return words.length > QUOTE_CHARS ? words.slice(0, QUOTE_CHARS - 1) + '…' : words;
}

function statusAdvice(status: number): string {
  if (status === 401 || status === 403) return 'Check the API key';
  if (status === 404) return 'Check the base URL and the model name';
  if (status === 429) return 'The service limits requests: wait, then ask again';
  if (status >= 500) return 'The server failed: try again, or check its log';
  return 'Check the endpoint settings';
}

/** The text of one chat-completions chunk (streamed `delta` or whole `message`). */
function chunkText(data: string, url: string): { text: string; finished: boolean } {
  let j: unknown;
  try {
    j = JSON.parse(data);
  } catch (e) {
    throw new ChatError(
      'MALFORMED',
      `${url} sent an event that is not JSON: ${serverWords(data)}`,
      {
        cause: e,
      },
    );
  }
  const o = (j ?? {}) as { choices?: unknown; error?: unknown };
  if (o.error !== undefined) {
    throw new ChatError('REFUSED', `${url} stopped with an error: ${serverWords(data)}`);
  }
  if (!Array.isArray(o.choices)) {
    throw new ChatError(
      'MALFORMED',
      `${url} sent an event without "choices": ${serverWords(data)}`,
    );
  }
  const c = (o.choices[0] ?? {}) as {
    delta?: { content?: unknown };
    message?: { content?: unknown };
    finish_reason?: unknown;
  };
  const content = c.delta?.content ?? c.message?.content;
  return {
    text: typeof content === 'string' ? content : '',
    finished: typeof c.finish_reason === 'string',
  };
}

/**
 * Sends `messages` to `endpoint` and gives the whole answer's text, streaming pieces to
 * `onDelta`. Rejects with a {@link ChatError} (see the module comment).
 */
export async function streamChat(
  endpoint: Endpoint,
  messages: readonly ChatMessage[],
  opts: StreamOptions,
): Promise<string> {
  const req = chatRequest(endpoint, messages);
  const key = await opts.keys.getKey(endpoint.id, opts.signal ? { signal: opts.signal } : {});
  const fail = (
    code: ChatError['code'],
    message: string,
    extra: { status?: number; cause?: unknown } = {},
  ) => new ChatError(code, redact(message, [key]), extra);
  // The server's words are quoted in messages: they pass through `fail`, which redacts.
  const parse = (data: string) => {
    try {
      return chunkText(data, req.url);
    } catch (e) {
      throw e instanceof ChatError ? fail(e.code, e.message, { cause: e }) : e;
    }
  };
  const idleMs = opts.idleMs ?? DEFAULT_IDLE_MS;
  const stop = new AbortController();
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const idle = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      stop.abort();
    }, idleMs);
  };
  const onAbort = () => stop.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const stopped = (e: unknown) => {
    if (opts.signal?.aborted) return fail('ABORTED', 'the question was cancelled', { cause: e });
    if (timedOut) {
      return fail(
        'TIMEOUT',
        `${req.url} sent nothing for ${idleMs / 1000} s: the model may still be loading, or the server is stuck. Try again, or raise the wait.`,
      );
    }
    return null;
  };
  try {
    if (opts.signal?.aborted) throw fail('ABORTED', 'the question was cancelled');
    idle();
    let res: Response;
    try {
      res = await (opts.fetch ?? fetch)(req.url, {
        method: 'POST',
        headers: { ...req.headers, ...(key ? { Authorization: `Bearer ${key}` } : {}) },
        body: req.body,
        signal: stop.signal,
      });
    } catch (e) {
      throw (
        stopped(e) ?? fail('UNREACHABLE', unreachableMessage(req.url, opts.origin), { cause: e })
      );
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      throw fail(
        'REFUSED',
        `${req.url} answered ${res.status} ${res.statusText}: ${serverWords(text) || 'no reason given'}. ${statusAdvice(res.status)}.`,
        { status: res.status },
      );
    }
    const type = res.headers.get('content-type') ?? '';
    let answer = '';
    // Set by the parser's callback: a holder, so that TypeScript does not narrow them away.
    const st: { done: boolean; finished: boolean; pending: ChatError | null } = {
      done: false,
      finished: false,
      pending: null,
    };
    const parser = createParser({
      onEvent(ev: EventSourceMessage) {
        if (st.done || st.pending) return;
        if (ev.data.trim() === '[DONE]') {
          st.done = true;
          return;
        }
        try {
          const c = parse(ev.data);
          st.finished ||= c.finished;
          if (c.text) {
            answer += c.text;
            opts.onDelta?.(c.text);
          }
        } catch (e) {
          st.pending = e instanceof ChatError ? e : fail('MALFORMED', String(e), { cause: e });
        }
      },
    });
    const sse = type.includes('text/event-stream');
    let body = '';
    const decoder = new TextDecoder();
    const reader = res.body?.getReader();
    try {
      for (;;) {
        const { value, done: end } = reader
          ? await reader.read()
          : { value: undefined, done: true };
        if (end) break;
        idle();
        const text = decoder.decode(value, { stream: true });
        if (sse) parser.feed(text);
        else body += text;
        if (st.pending) throw st.pending;
        if (st.done) break;
      }
    } catch (e) {
      throw (
        stopped(e) ??
        (e instanceof ChatError
          ? e
          : fail('MALFORMED', `the answer from ${req.url} broke off: ${String(e)}`, { cause: e }))
      );
    } finally {
      void reader?.cancel().catch(() => undefined);
    }
    if (!sse) {
      // A server that ignores `stream: true` answers with one JSON object.
      if (!type.includes('json')) {
        throw fail(
          'MALFORMED',
          `${req.url} answered ${type || 'without a content type'}, not server-sent events or JSON: ${serverWords(body)}`,
        );
      }
      answer = parse(body).text;
      if (answer) opts.onDelta?.(answer);
    } else if (!st.done && !st.finished) {
      throw fail(
        'MALFORMED',
        `the answer from ${req.url} ended before its end ("[DONE]"): it may be cut`,
      );
    }
    if (!answer.trim())
      throw fail(
        'EMPTY',
        `${endpoint.model} at ${req.url} gave an empty answer: ask again, or try another model`,
      );
    return answer;
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
