/**
 * The chat-completions client against a scripted OpenAI-compatible server on 127.0.0.1
 * (chat-server.ts). That server is a test double: it stands in for a service outside this
 * project (OpenAI, Ollama, llama.cpp's server, LM Studio), which tests cannot reach. It streams
 * scripted answers, including malformed, empty, slow and refused ones; each must end in a
 * ChatError with its stable code, and the key must reach the Authorization header only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamChat } from '../../src/lib/chat/client.ts';
import { ChatError, type ChatErrorCode } from '../../src/lib/chat/errors.ts';
import { memoryKeyStore, NO_KEYS } from '../../src/lib/chat/keys.ts';
import { chatRequest, completionsUrl, type ChatMessage } from '../../src/lib/chat/request.ts';
import { answer, raw, stall, startChatServer, streamed, type ChatServer } from './chat-server.ts';

const KEY = 'sk-test-4f1d9a7c2b';
const keys = memoryKeyStore({ local: KEY });
const MESSAGES: ChatMessage[] = [
  { role: 'system', content: 'You write SQL.' },
  { role: 'user', content: 'How many passengers?' },
];
let server: ChatServer;
const endpoint = () => ({ id: 'local', baseUrl: server.baseUrl, model: 'tiny' });

beforeAll(async () => {
  server = await startChatServer();
});
afterAll(() => server.close());

async function failure(p: Promise<unknown>): Promise<ChatError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ChatError);
  return e as ChatError;
}

async function expectCode(p: Promise<unknown>, code: ChatErrorCode): Promise<ChatError> {
  const e = await failure(p);
  expect(e.code, e.message).toBe(code);
  expect(e.message).not.toContain(KEY);
  return e;
}

describe('chat client', () => {
  it('streams the answer, sends exactly the disclosed body, and the key only as a header', async () => {
    server.reply(answer('```sql\nSELECT count(*) FROM "titanic@main".passengers\n```'));
    const deltas: string[] = [];
    const text = await streamChat(endpoint(), MESSAGES, { keys, onDelta: (d) => deltas.push(d) });
    expect(text).toBe('```sql\nSELECT count(*) FROM "titanic@main".passengers\n```');
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe(text);
    const got = server.received.at(-1)!;
    expect(got.body).toBe(chatRequest(endpoint(), MESSAGES).body);
    expect(JSON.parse(got.body)).toEqual({
      model: 'tiny',
      messages: MESSAGES,
      stream: true,
      temperature: 0,
    });
    expect(got.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(got.body).not.toContain(KEY);
  });

  it('sends no Authorization header without a key', async () => {
    server.reply(answer('SELECT 1'));
    await streamChat(endpoint(), MESSAGES, { keys: NO_KEYS });
    expect(server.received.at(-1)!.headers.authorization).toBeUndefined();
  });

  it('accepts a server that ignores streaming and answers one JSON object', async () => {
    const body = {
      choices: [
        { index: 0, message: { role: 'assistant', content: 'SELECT 2' }, finish_reason: 'stop' },
      ],
    };
    server.reply(raw(200, 'application/json', JSON.stringify(body)));
    expect(await streamChat(endpoint(), MESSAGES, { keys })).toBe('SELECT 2');
  });

  it('accepts a stream that ends with a finish reason but no [DONE]', async () => {
    server.reply(streamed(['SELECT ', '3'], { done: false, finish: true }));
    expect(await streamChat(endpoint(), MESSAGES, { keys })).toBe('SELECT 3');
  });

  it('MALFORMED: an event that is not JSON', async () => {
    server.reply((res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.end('data: {"choices": [{"delta": {"content": "SEL"}}]}\n\ndata: {oops\n\n');
    });
    const e = await expectCode(streamChat(endpoint(), MESSAGES, { keys }), 'MALFORMED');
    expect(e.message).toMatch(/not JSON: \{oops/);
  });

  it('MALFORMED: an event without choices', async () => {
    server.reply((res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.end('data: {"text": "SELECT 1"}\n\n');
    });
    await expectCode(streamChat(endpoint(), MESSAGES, { keys }), 'MALFORMED');
  });

  it('MALFORMED: a JSON answer without choices, the echoed key redacted', async () => {
    server.reply(raw(200, 'application/json', JSON.stringify({ echo: `Bearer ${KEY}` })));
    const e = await expectCode(streamChat(endpoint(), MESSAGES, { keys }), 'MALFORMED');
    expect(e.message).toContain('Bearer [redacted]');
  });

  it('MALFORMED: an HTML page instead of the protocol', async () => {
    server.reply(raw(200, 'text/html', '<html><body>Welcome to nginx</body></html>'));
    const e = await expectCode(streamChat(endpoint(), MESSAGES, { keys }), 'MALFORMED');
    expect(e.message).toMatch(/text\/html, not server-sent events or JSON/);
  });

  it('MALFORMED: a stream cut before its end', async () => {
    server.reply(streamed(['SELECT ', 'count('], { done: false }));
    const e = await expectCode(streamChat(endpoint(), MESSAGES, { keys }), 'MALFORMED');
    expect(e.message).toMatch(/ended before its end/);
  });

  it('EMPTY: a stream with no text', async () => {
    server.reply(streamed(['', '   ']));
    await expectCode(streamChat(endpoint(), MESSAGES, { keys }), 'EMPTY');
  });

  it('TIMEOUT: a server that stops sending', async () => {
    server.reply(stall(['SELECT']));
    const e = await expectCode(streamChat(endpoint(), MESSAGES, { keys, idleMs: 300 }), 'TIMEOUT');
    expect(e.message).toMatch(/sent nothing for 0\.3 s/);
    // The request is closed, not left hanging on the server.
    await server.received.at(-1)!.closed;
  });

  it('REFUSED: an HTTP error, with the server words and the key redacted', async () => {
    const body = {
      error: { message: `Incorrect API key provided: ${KEY}.`, type: 'invalid_request_error' },
    };
    server.reply(raw(401, 'application/json', JSON.stringify(body)));
    const e = await expectCode(streamChat(endpoint(), MESSAGES, { keys }), 'REFUSED');
    expect(e.status).toBe(401);
    expect(e.message).toContain('Incorrect API key provided: [redacted].');
    expect(e.message).toContain(' Check the API key.');
  });

  it('REFUSED: an unknown model (404) says to check the base URL and model', async () => {
    server.reply(
      raw(404, 'application/json', '{"error":"model \\"tiny\\" not found, try pulling it first"}'),
    );
    const e = await expectCode(streamChat(endpoint(), MESSAGES, { keys }), 'REFUSED');
    expect(e.message).toMatch(
      /answered 404 .*model "tiny" not found.*\. Check the base URL and the model name\./,
    );
  });

  it('REFUSED: an error event in the middle of the stream', async () => {
    server.reply((res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.end(
        `data: ${JSON.stringify({ choices: [{ delta: { content: 'SEL' } }] })}\n\ndata: {"error":{"message":"model overloaded"}}\n\n`,
      );
    });
    const e = await expectCode(streamChat(endpoint(), MESSAGES, { keys }), 'REFUSED');
    expect(e.message).toContain('model overloaded');
  });

  it('UNREACHABLE: names the CORS setting to change (OLLAMA_ORIGINS for Ollama)', async () => {
    const gone = await startChatServer();
    const baseUrl = gone.baseUrl;
    await gone.close();
    const origin = 'http://localhost:5173';
    const e = await expectCode(
      streamChat({ id: 'local', baseUrl, model: 'tiny' }, MESSAGES, { keys, origin }),
      'UNREACHABLE',
    );
    expect(e.message).toContain(`could not reach ${baseUrl}/chat/completions`);
    expect(e.message).toContain(`OLLAMA_ORIGINS=${origin}`);
    expect(e.message).toContain('Enable CORS');
  });

  it('ABORTED: a cancel stops the stream and closes the request', async () => {
    server.reply(stall(['SELECT ']));
    const ctl = new AbortController();
    const p = streamChat(endpoint(), MESSAGES, {
      keys,
      signal: ctl.signal,
      onDelta: () => ctl.abort(),
    });
    await expectCode(p, 'ABORTED');
    await server.received.at(-1)!.closed;
  });

  it('refuses bad settings before sending anything', async () => {
    const before = server.received.length;
    await expectCode(
      streamChat({ id: 'x', baseUrl: 'ftp://h/v1', model: 'm' }, MESSAGES, { keys }),
      'BAD_INPUT',
    );
    await expectCode(
      streamChat({ id: 'x', baseUrl: server.baseUrl, model: ' ' }, MESSAGES, { keys }),
      'BAD_INPUT',
    );
    await expectCode(
      streamChat({ id: 'x', baseUrl: `http://u:${KEY}@127.0.0.1/v1`, model: 'm' }, MESSAGES, {
        keys,
      }),
      'BAD_INPUT',
    );
    expect(server.received.length).toBe(before);
  });

  it('builds the completions URL from a base URL', () => {
    expect(completionsUrl('http://localhost:11434/v1')).toBe(
      'http://localhost:11434/v1/chat/completions',
    );
    expect(completionsUrl('http://localhost:11434/v1/')).toBe(
      'http://localhost:11434/v1/chat/completions',
    );
    expect(completionsUrl('https://h/v1/chat/completions')).toBe('https://h/v1/chat/completions');
  });
});
