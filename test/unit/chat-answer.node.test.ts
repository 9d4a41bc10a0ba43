/**
 * From a question to checked SQL (issue 18 §2): the model's SQL is taken from its answer,
 * checked by the read-only engine (DuckDB-WASM under Node over a memory lake holding the bundled
 * titanic), repaired once when it fails, refused when it writes, and its result suggests a
 * chart by shape. The model is the scripted OpenAI-compatible double of chat-server.ts, which
 * stands in for a service outside this project.
 */
import { readFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  askForSql,
  checkSql,
  questionMessages,
  runChecked,
  type AskOptions,
} from '../../src/lib/chat/answer.ts';
import { chatRequest } from '../../src/lib/chat/request.ts';
import { gatherGrounding } from '../../src/lib/chat/grounding.ts';
import { NO_KEYS } from '../../src/lib/chat/keys.ts';
import { buildSchemaPrompt } from '../../src/lib/chat/prompt.ts';
import { chatLake, EXAMPLES } from './chat-fixture.ts';
import { answer, startChatServer, type ChatServer } from './chat-server.ts';

let fx: Awaited<ReturnType<typeof chatLake>>;
let server: ChatServer;
let opts: AskOptions;

beforeAll(async () => {
  fx = await chatLake([`${EXAMPLES}titanic/metadata.json`]);
  server = await startChatServer();
  const grounding = await gatherGrounding(fx.lake, fx.catalog, [
    { dataset: 'titanic', rev: 'main' },
  ]);
  opts = {
    endpoint: { id: 'local', baseUrl: server.baseUrl, model: 'tiny' },
    keys: NO_KEYS,
    engine: fx.engine,
    system: buildSchemaPrompt(grounding).text,
  };
}, 120_000);
afterAll(async () => {
  await server?.close();
  await fx?.engine.close();
});

/** Passengers per class, counted from titanic's CSV here (pclass is its first, unquoted column). */
function perClass(): Map<bigint, bigint> {
  const lines = readFileSync(`${EXAMPLES}titanic/data/titanic.csv`, 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  const out = new Map<bigint, bigint>();
  for (const l of lines) {
    const c = BigInt(l.slice(0, l.indexOf(',')));
    out.set(c, (out.get(c) ?? 0n) + 1n);
  }
  return out;
}

const GOOD =
  'SELECT pclass, count(*) AS n\nFROM "titanic@main".passengers\nGROUP BY pclass\nORDER BY pclass';
const requestMessages = (i: number) =>
  JSON.parse(server.received[i]!.body).messages as { role: string; content: string }[];

describe('chat answers', () => {
  it('asks a model of its own through `send` (the in-tab model): same messages, repair included, nothing sent to the endpoint', async () => {
    const start = server.received.length;
    const seen: string[][] = [];
    const replies = [
      '```sql\nSELECT klass FROM "titanic@main".passengers\n```',
      '```sql\n' + GOOD + '\n```',
    ];
    const a = await askForSql('How many passengers per class?', {
      ...opts,
      send: async (messages, o) => {
        seen.push(messages.map((m) => m.role));
        const text = replies.shift()!;
        o.onDelta?.(text);
        return text;
      },
    });
    expect(server.received.length).toBe(start);
    expect(seen).toEqual([
      ['system', 'user'],
      ['system', 'user', 'assistant', 'user'],
    ]);
    expect(a.attempts.map((t) => t.failure?.code ?? null)).toEqual(['SQL_ERROR', null]);
    expect(a.sql).toBe(GOOD);
  });

  it('takes the SQL, checks it, and its result is the right table with a bar chart', async () => {
    const start = server.received.length;
    server.reply(
      answer(`Here is the count per class:\n\n\`\`\`sql\n${GOOD};\n\`\`\`\n\nIt groups by class.`),
    );
    const a = await askForSql('How many passengers per class?', opts);
    expect(server.received.length - start).toBe(1);
    expect(a.attempts).toHaveLength(1);
    expect(a.attempts[0]!.failure).toBeNull();
    expect(a.sql).toBe(GOOD);
    expect(a.refused).toBe(false);
    // The disclosure, before asking and after, is exactly what the double received.
    expect(a.attempts[0]!.request.body).toBe(server.received.at(-1)!.body);
    const before = chatRequest(
      opts.endpoint,
      questionMessages('How many passengers per class?', opts),
    );
    expect(before.body).toBe(server.received.at(-1)!.body);
    const r = await runChecked(fx.engine, a.sql!);
    const got = new Map(
      tableFromIPC(r.ipc)
        .toArray()
        .map((row) => [row.pclass as bigint, row.n as bigint]),
    );
    expect(got).toEqual(perClass());
    expect([...got.values()]).toEqual([323n, 277n, 709n]);
    expect(r.chart).toEqual({ kind: 'bar', x: 'pclass', y: 'n' });
  });

  it('sends a failing SQL back once, with the engine error, and keeps both attempts', async () => {
    const start = server.received.length;
    const bad = 'SELECT passenger_class, count(*) FROM "titanic@main".passengers GROUP BY 1';
    server.reply(answer(`\`\`\`sql\n${bad}\n\`\`\``), answer(`Sorry:\n\`\`\`sql\n${GOOD}\n\`\`\``));
    const a = await askForSql('How many passengers per class?', opts);
    expect(server.received.length - start).toBe(2);
    expect(a.attempts.map((t) => t.sql)).toEqual([bad, GOOD]);
    expect(a.attempts[0]!.failure!.code).toBe('SQL_ERROR');
    // DuckDB's block shows the model's own line, the caret under the unknown column.
    const block = `LINE 1: ${bad}\n${' '.repeat('LINE 1: SELECT '.length)}^`;
    expect(a.attempts[0]!.failure!.message).toContain(block);
    expect(a.attempts[1]!.failure).toBeNull();
    expect(a.sql).toBe(GOOD);
    const repair = requestMessages(start + 1);
    expect(repair.slice(0, 2)).toEqual(requestMessages(start));
    expect(repair[2]).toEqual({ role: 'assistant', content: `\`\`\`sql\n${bad}\n\`\`\`` });
    expect(repair[3]!.role).toBe('user');
    expect(repair[3]!.content).toContain(bad);
    expect(repair[3]!.content).toContain(a.attempts[0]!.failure!.message);
  });

  it('repairs only once', async () => {
    const start = server.received.length;
    server.reply(
      answer('```sql\nSELECT nope FROM "titanic@main".passengers\n```'),
      answer('```sql\nSELECT nope2 FROM "titanic@main".passengers\n```'),
    );
    const a = await askForSql('?', opts);
    expect(server.received.length - start).toBe(2);
    expect(a.attempts.map((t) => t.failure?.code)).toEqual(['SQL_ERROR', 'SQL_ERROR']);
    expect(a.sql).toBeNull();
  });

  it('a record set that is not there is repaired like any error', async () => {
    server.reply(
      answer('```sql\nSELECT count(*) FROM "titanic@main".crew\n```'),
      answer(`\`\`\`sql\n${GOOD}\n\`\`\``),
    );
    const a = await askForSql('?', opts);
    expect(a.attempts[0]!.failure!.message).toMatch(/has no record set "crew"/);
    expect(a.sql).toBe(GOOD);
  });

  it('refuses a write statement from the model, without a repair, and the lake is unchanged', async () => {
    for (const write of [
      'DELETE FROM "titanic@main".passengers WHERE survived = 0',
      'CREATE TABLE t AS SELECT * FROM "titanic@main".passengers',
      "COPY (SELECT 1) TO 'out.csv'",
      "SELECT * FROM read_csv('/etc/passwd')",
    ]) {
      const start = server.received.length;
      server.reply(answer(`\`\`\`sql\n${write}\n\`\`\``));
      const a = await askForSql('Remove the dead', opts);
      expect(server.received.length - start, write).toBe(1);
      expect(a.refused, write).toBe(true);
      expect(a.sql).toBeNull();
      expect(a.attempts[0]!.failure!.code).toBe('READ_ONLY');
    }
    const r = await runChecked(fx.engine, 'SELECT count(*) AS n FROM "titanic@main".passengers');
    expect(tableFromIPC(r.ipc).getChild('n')!.get(0)).toBe(1309n);
  });

  it('an answer without SQL is shown as such, without a repair', async () => {
    const start = server.received.length;
    server.reply(answer('The tables hold no crew members, so I cannot answer that.'));
    const a = await askForSql('How many crew?', opts);
    expect(server.received.length - start).toBe(1);
    expect(a.attempts[0]!.failure!.code).toBe('NO_SQL');
    expect(a.sql).toBeNull();
  });

  it('sends earlier turns of the conversation', async () => {
    server.reply(answer(`\`\`\`sql\n${GOOD}\n\`\`\``));
    const history = [
      { role: 'user' as const, content: 'first question' },
      { role: 'assistant' as const, content: 'first answer' },
    ];
    await askForSql('second question', { ...opts, history });
    expect(
      requestMessages(server.received.length - 1)
        .map((m) => m.content)
        .slice(1),
    ).toEqual(['first question', 'first answer', 'second question']);
  });

  it('checks without running: EXPLAIN binds names and types', async () => {
    expect(await checkSql(fx.engine, GOOD)).toBeNull();
    const f = await checkSql(fx.engine, 'SELECT name + 1 FROM "titanic@main".passengers');
    expect(f?.code).toBe('SQL_ERROR');
  });

  it('suggests a line for a value over time', async () => {
    const r = await runChecked(
      fx.engine,
      "SELECT DATE '2020-01-01' + CAST(r AS INTEGER) AS day, r * 2 AS v FROM range(3) t(r)",
    );
    expect(r.chart).toEqual({ kind: 'line', x: 'day', y: 'v' });
    const none = await runChecked(
      fx.engine,
      'SELECT name, age, fare FROM "titanic@main".passengers LIMIT 3',
    );
    expect(none.chart).toBeNull();
  });
});
