/**
 * A test double for an OpenAI-compatible chat-completions service (OpenAI, Ollama, llama.cpp's
 * server, LM Studio): services outside this project, which the tests cannot reach. It listens on
 * 127.0.0.1, records every request (headers and exact body), and answers each with the next
 * scripted reply: streamed deltas, JSON, HTTP errors, garbage, or silence. With `cors`, it
 * answers browsers as a local server configured for the page's origin would (Ollama with
 * OLLAMA_ORIGINS set): preflights, and the allow-origin header on every answer; without, a page
 * on another origin cannot read it, as with an unconfigured server.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the double received. */
export interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  /** Resolves when the client closed the connection. */
  closed: Promise<void>;
}

/** A scripted reply: writes to `res` (and may leave it open). */
export type Reply = (res: ServerResponse, req: Received) => void;

/** Server-sent events of chat-completions chunks, one per text, then `[DONE]` unless `done: false`. */
export function streamed(
  texts: readonly string[],
  opts: { done?: boolean; finish?: boolean } = {},
): Reply {
  return (res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    for (const t of texts) {
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: t } }] })}\n\n`);
    }
    if (opts.finish)
      res.write(
        `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
      );
    if (opts.done !== false) res.write('data: [DONE]\n\n');
    res.end();
  };
}

/** The answer `text` streamed in pieces of about 7 characters. */
export function answer(text: string): Reply {
  return streamed(text.match(/[\s\S]{1,7}/g) ?? []);
}

/** A fixed status, content type and body. */
export function raw(status: number, type: string, body: string): Reply {
  return (res) => {
    res.writeHead(status, { 'Content-Type': type });
    res.end(body);
  };
}

/** Headers, then `first` events, then nothing more until the client goes away. */
export function stall(first: readonly string[] = []): Reply {
  return (res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    for (const t of first) {
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: t } }] })}\n\n`);
    }
  };
}

/** A running double. */
export interface ChatServer {
  /** `http://127.0.0.1:<port>/v1`. */
  baseUrl: string;
  received: Received[];
  /** Queues replies, answered in order; a request with none queued gets a 500. */
  reply(...r: Reply[]): void;
  close(): Promise<void>;
}

/** Starts the double on a free port of 127.0.0.1; `cors` names the origin it allows (or `*`). */
export async function startChatServer(opts: { cors?: string } = {}): Promise<ChatServer> {
  const queue: Reply[] = [];
  const received: Received[] = [];
  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    if (opts.cors) {
      res.setHeader('Access-Control-Allow-Origin', opts.cors);
      res.setHeader('Access-Control-Allow-Headers', 'authorization, content-type, accept');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      if (req.method === 'OPTIONS') {
        res.writeHead(204).end();
        return;
      }
    }
    const chunks: Buffer[] = [];
    const closed = new Promise<void>((resolve) => res.on('close', resolve));
    open.add(res);
    res.on('close', () => open.delete(res));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = {
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        closed,
      };
      received.push(r);
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        raw(404, 'application/json', '{"error":{"message":"no such route"}}')(res, r);
        return;
      }
      (queue.shift() ?? raw(500, 'text/plain', 'no reply scripted'))(res, r);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    received,
    reply: (...r) => void queue.push(...r),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.close(() => resolve());
      }),
  };
}
