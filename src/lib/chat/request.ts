/**
 * An OpenAI-compatible chat-completions request (issue 18 §1): what is sent, built once, so
 * that the "what is sent" disclosure is exactly the request body. Hosted services, Ollama,
 * llama.cpp's server and LM Studio all serve `POST <base>/chat/completions`.
 */
import { ChatError } from './errors.ts';

/** An endpoint the user configured. Its key, if any, lives in a `KeyStore` under `id`. */
export interface Endpoint {
  /** Names the endpoint in the key store. */
  id: string;
  /** `http://localhost:11434/v1`, `https://api.example.com/v1`. */
  baseUrl: string;
  model: string;
  /** Sampling temperature; 0 (the default) for answers that repeat. */
  temperature?: number;
}

/** A chat message. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** What is sent: the URL, the headers but the key, and the exact body. */
export interface ChatRequest {
  url: string;
  /** Headers sent, without Authorization (which carries the key, and only when one is set). */
  headers: Record<string, string>;
  /** The request body, byte for byte. */
  body: string;
}

/** The chat-completions URL of a base URL (a URL that names the path already is kept). */
export function completionsUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    throw new ChatError('BAD_INPUT', `the endpoint's base URL "${baseUrl}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ChatError(
      'BAD_INPUT',
      `the endpoint's base URL must be http or https, not ${url.protocol}`,
    );
  }
  if (url.username || url.password) {
    throw new ChatError(
      'BAD_INPUT',
      "the endpoint's base URL must not hold a user name or password: store the key as the endpoint's API key",
    );
  }
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith('/chat/completions') ? path : `${path}/chat/completions`;
  return url.toString();
}

/** The request for `messages` to `endpoint`, streamed (server-sent events). */
export function chatRequest(endpoint: Endpoint, messages: readonly ChatMessage[]): ChatRequest {
  if (!endpoint.model.trim())
    throw new ChatError(
      'BAD_INPUT',
      "the endpoint has no model name: set one under Model in the chat's settings",
    );
  const body = JSON.stringify({
    model: endpoint.model,
    messages,
    stream: true,
    temperature: endpoint.temperature ?? 0,
  });
  return {
    url: completionsUrl(endpoint.baseUrl),
    headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
    body,
  };
}

/**
 * What to change when the endpoint refuses this page's origin, or cannot be reached: browsers
 * hide the difference (both are a failed fetch), so the text names both, and the CORS setting
 * of the common local servers.
 */
export function unreachableMessage(url: string, origin: string | undefined): string {
  const from = origin ? ` (${origin})` : '';
  const port = (() => {
    try {
      return new URL(url).port;
    } catch {
      return '';
    }
  })();
  const ollama = `Ollama: start it with OLLAMA_ORIGINS=${origin ?? '<this page’s origin>'} set`;
  const others =
    'LM Studio: turn on "Enable CORS" in its server settings; llama.cpp\'s server allows any ' +
    'origin by default, so check that it runs; a hosted service must allow browser requests ' +
    'from this origin';
  const hints = port === '11434' ? `${ollama}. ${others}` : `${others}. ${ollama}`;
  return (
    `could not reach ${url}: it is not running, the address is wrong, or it refused this ` +
    `page's origin${from} (CORS). ${hints}.`
  );
}
