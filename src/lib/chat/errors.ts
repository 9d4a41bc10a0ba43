/**
 * Errors of "chat with your data". Each has a stable `code` the UI can act on, and a message
 * that says what went wrong and what to do. No message ever holds an API key: every text that
 * came from the endpoint passes through {@link redact} first.
 */

export type ChatErrorCode =
  /** The endpoint could not be reached, or the browser refused its answer (CORS). */
  | 'UNREACHABLE'
  /** The endpoint answered with an HTTP error (401, 404, 429, 500, …). */
  | 'REFUSED'
  /** The answer was not the chat-completions protocol (not JSON, not SSE, no choices). */
  | 'MALFORMED'
  /** The answer held no text. */
  | 'EMPTY'
  /** No byte arrived for longer than the configured idle time. */
  | 'TIMEOUT'
  /** Cancelled by the caller. */
  | 'ABORTED'
  /** The answer held no SQL statement. */
  | 'NO_SQL'
  /** Even the schema of the chosen tables does not fit in the prompt budget. */
  | 'BUDGET'
  /** A setting is missing or wrong (no base URL, no model, a bad budget). */
  | 'BAD_INPUT'
  /** A local model file could not be loaded (not GGUF, cut, or refused by llama.cpp). */
  | 'MODEL_FILE';

/** An error of the chat client or pipeline. */
export class ChatError extends Error {
  readonly code: ChatErrorCode;
  /** The HTTP status, for REFUSED. */
  readonly status?: number;

  constructor(
    code: ChatErrorCode,
    message: string,
    options: { status?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ChatError';
    this.code = code;
    if (options.status !== undefined) this.status = options.status;
  }

  /** Plain data, for crossing a worker boundary. */
  toJSON(): { name: string; code: ChatErrorCode; message: string; status?: number } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.status === undefined ? {} : { status: this.status }),
    };
  }
}

/**
 * `text` with every occurrence of each secret replaced by `[redacted]`. Endpoints echo what they
 * were sent (an error page quoting the Authorization header, a proxy's log line), so any text
 * that reaches a message, a log or the model again goes through here.
 */
export function redact(text: string, secrets: readonly (string | null | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    // A very short "key" would blank ordinary words; real keys are long.
    if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  }
  return out;
}
