/**
 * Chat prompt building (issue 18 §2, §3) over the three bundled examples ingested into a memory
 * lake: every record set appears as `CREATE TABLE` under the SQL name the Query view uses, with
 * exactly the columns the engine's view has; the Croissant descriptions and RAI fields are in
 * it; the budget is respected by dropping annotations least important first, always the same
 * way; and neither the key nor a local path is in what is sent.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatError } from '../../src/lib/chat/errors.ts';
import { gatherGrounding, type GroundingDataset } from '../../src/lib/chat/grounding.ts';
import { buildSchemaPrompt } from '../../src/lib/chat/prompt.ts';
import { chatRequest } from '../../src/lib/chat/request.ts';
import { chatLake, EXAMPLES } from './chat-fixture.ts';

const DOCS = ['titanic', 'coco2014-mini', 'synthetic-lesions'].map(
  (d) => `${EXAMPLES}${d}/metadata.json`,
);
type Doc = {
  name: string;
  description: string;
  recordSet: {
    '@id': string;
    name: string;
    description?: string;
    field: { '@id': string; description?: string }[];
  }[];
};
const docs = DOCS.map((p) => JSON.parse(readFileSync(p, 'utf8')) as Doc);
const flat = (s: string) => s.replace(/\s+/g, ' ').trim();
const HUGE = 1_000_000;

let fx: Awaited<ReturnType<typeof chatLake>>;
let grounding: GroundingDataset[];
const dirs: string[] = [];

beforeAll(async () => {
  fx = await chatLake(DOCS);
  const picks = fx.datasets.map((dataset) => ({ dataset, rev: 'main' }));
  grounding = await gatherGrounding(fx.lake, fx.catalog, picks, { engine: fx.engine });
}, 240_000);
afterAll(async () => {
  await fx?.engine.close();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/** The column lines of `CREATE TABLE <name> (` … `);` in `text`: [column, type] pairs. */
function statementColumns(text: string, sqlName: string): [string, string][] {
  const lines = text.split('\n');
  const at = lines.indexOf(`CREATE TABLE ${sqlName} (`);
  expect(at, `CREATE TABLE ${sqlName}`).toBeGreaterThanOrEqual(0);
  const out: [string, string][] = [];
  for (const l of lines.slice(at + 1)) {
    if (l === ');') break;
    const m = /^ {2}"((?:[^"]|"")+)" (.+?),?(?: -- .*)?$/.exec(l);
    if (m) out.push([m[1]!.replaceAll('""', '"'), m[2]!.replace(/,$/, '')]);
  }
  return out;
}

describe('chat prompt over the bundled examples', () => {
  it('names every record set as the Query view does, with the columns its view has', async () => {
    const { text } = buildSchemaPrompt(grounding, { maxChars: HUGE });
    docs.forEach((doc, i) => {
      for (const rs of doc.recordSet) {
        // Worked by hand from lake-names.ts: "<dataset>@<rev>"."<record set name>".
        const sqlName = `"${fx.datasets[i]}@main"."${rs.name}"`;
        expect(text).toContain(`CREATE TABLE ${sqlName} (`);
      }
    });
    const names = [...text.matchAll(/^CREATE TABLE (.+) \($/gm)].map((m) => m[1]!);
    expect(names).toHaveLength(docs.reduce((n, d) => n + d.recordSet.length, 0));
    for (const name of names) {
      // The engine's own view of the name: its columns and DuckDB types (DuckDB prints a
      // STRUCT's field names quoted only where it must).
      const r = await fx.engine.query(`SELECT * FROM ${name} LIMIT 0`);
      const unquoted = (cols: [string, string][]) =>
        cols.map(([n, t]) => [n, t.replaceAll('"', '')]);
      expect(unquoted(statementColumns(text, name)), name).toEqual(
        unquoted(r.columns.map((c) => [c.name, c.type])),
      );
    }
  });

  it("gives titanic's passengers their fields' short names and SQL types", () => {
    const { text } = buildSchemaPrompt(grounding, { maxChars: HUGE });
    const ints = new Set(['survived', 'pclass', 'num_parents_children', 'num_siblings_spouses']);
    const fields = docs[0]!.recordSet.find((r) => r.name === 'passengers')!.field;
    const expected = [
      ['_rowid', 'BIGINT'],
      ...fields.map((f) => {
        const short = f['@id'].slice('passengers/'.length);
        return [short, ints.has(short) ? 'BIGINT' : 'VARCHAR'];
      }),
    ];
    expect(statementColumns(text, '"titanic@main"."passengers"')).toEqual(expected);
  });

  it('includes the descriptions of datasets, record sets and fields', () => {
    const { text, dropped } = buildSchemaPrompt(grounding, { maxChars: HUGE });
    expect(dropped).toEqual({});
    for (const doc of docs) {
      expect(text).toContain(flat(doc.description).slice(0, 60));
      for (const rs of doc.recordSet) {
        if (rs.description) expect(text).toContain(flat(rs.description).slice(0, 60));
        for (const f of rs.field)
          if (f.description) expect(text).toContain(flat(f.description).slice(0, 40));
      }
    }
  });

  it('includes statistics and sample values', () => {
    const { text } = buildSchemaPrompt(grounding, { maxChars: HUGE });
    // genders.csv holds exactly "female" and "male"; survived is 0 or 1 (titanic's CSV).
    expect(text).toMatch(
      /^ {2}"label" VARCHAR, -- .*; 0 null, ~2 distinct; e\.g\. 'female', 'male'$/m,
    );
    expect(text).toMatch(
      /^ {2}"survived" BIGINT, -- .*; 0 null, ~2 distinct, 0 to 1; e\.g\. '0', '1'$/m,
    );
  });

  it('respects the budget, dropping the least important annotations first', () => {
    const full = buildSchemaPrompt(grounding, { maxChars: HUGE }).text;
    expect(buildSchemaPrompt(grounding, { maxChars: full.length }).text).toBe(full);
    // One character short: only the last sample list of the last table goes.
    const minus = buildSchemaPrompt(grounding, { maxChars: full.length - 1 });
    expect(minus.dropped).toEqual({ samples: 1 });
    const lastSample = [...full.matchAll(/; e\.g\. .*$/gm)].at(-1)!;
    expect(minus.text).toBe(
      full.slice(0, lastSample.index) + full.slice(lastSample.index + lastSample[0].length),
    );
    const fieldDescriptions = docs.flatMap((d) =>
      d.recordSet.flatMap((r) =>
        r.field.flatMap((f) => (f.description ? [flat(f.description).slice(0, 30)] : [])),
      ),
    );
    for (const budget of [20_000, 12_000, 9_000, 7_000, 6_000]) {
      const p = buildSchemaPrompt(grounding, { maxChars: budget });
      expect(p.text.length, `budget ${budget}`).toBeLessThanOrEqual(budget);
      // The CREATE TABLE statements are never cut.
      expect(p.text.match(/^CREATE TABLE /gm)).toHaveLength(full.match(/^CREATE TABLE /gm)!.length);
      const kept = fieldDescriptions.filter((d) => p.text.includes(d)).length;
      if (kept < fieldDescriptions.length) {
        // A field description goes only after every sample, statistic and licence is gone.
        expect(p.text, `budget ${budget}`).not.toMatch(/e\.g\. '|null, ~\d+ distinct|Licence:/);
      }
      expect(buildSchemaPrompt(grounding, { maxChars: budget }).text).toBe(p.text);
    }
  });

  it('refuses a budget the statements alone exceed', () => {
    const e = (() => {
      try {
        buildSchemaPrompt(grounding, { maxChars: 1_000 });
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(ChatError);
    expect((e as ChatError).code).toBe('BUDGET');
    expect((e as ChatError).message).toMatch(/more than the prompt budget of 1000/);
  });

  it('gives the same prompt when gathered again', async () => {
    const picks = fx.datasets.map((dataset) => ({ dataset, rev: 'main' }));
    const again = await gatherGrounding(fx.lake, fx.catalog, picks, { engine: fx.engine });
    expect(buildSchemaPrompt(again).text).toBe(buildSchemaPrompt(grounding).text);
  });

  it('keeps the key and every local path out of what is sent', async () => {
    const key = 'sk-test-0123456789abcdef';
    const commit = await fx.lake.readCommit(grounding[0]!.commit);
    const index = await fx.lake.readObjects(commit);
    // The lake itself knows where the files came from: the prompt must not say it.
    expect(index.files.some((f) => f.name.startsWith(EXAMPLES))).toBe(true);
    const system = buildSchemaPrompt(grounding, { maxChars: HUGE }).text;
    const req = chatRequest({ id: 'e', baseUrl: 'http://127.0.0.1:1/v1', model: 'm' }, [
      { role: 'system', content: system },
      { role: 'user', content: 'How many passengers survived?' },
    ]);
    const sent = JSON.stringify(req);
    for (const bad of [
      key,
      EXAMPLES,
      path.resolve(EXAMPLES, '..'),
      tmpdir(),
      'file:',
      process.cwd(),
    ]) {
      expect(sent).not.toContain(bad);
    }
    expect(JSON.parse(req.body).messages[0].content).toBe(system);
  });

  it('carries the RAI fields, and drops them before any field description', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chat-rai-'));
    dirs.push(dir);
    cpSync(`${EXAMPLES}titanic`, dir, { recursive: true });
    const doc = JSON.parse(readFileSync(`${dir}/metadata.json`, 'utf8'));
    doc['rai:dataCollection'] = 'Compiled from the Encyclopedia Titanica passenger lists.';
    doc['rai:dataBiases'] = ['Crew members are missing.', 'Ages are estimated for some.'];
    writeFileSync(`${dir}/metadata.json`, JSON.stringify(doc));
    const r = await chatLake([`${dir}/metadata.json`]);
    try {
      const g = await gatherGrounding(r.lake, r.catalog, [
        { dataset: r.datasets[0]!, rev: 'main' },
      ]);
      const { text } = buildSchemaPrompt(g, { maxChars: HUGE });
      expect(text).toContain(
        '-- RAI dataCollection: Compiled from the Encyclopedia Titanica passenger lists.',
      );
      expect(text).toContain(
        '-- RAI dataBiases: Crew members are missing.; Ages are estimated for some.',
      );
      expect(text).not.toContain(dir);
      // Without statistics or samples (no engine): RAI goes first, then field descriptions.
      const noRai = text
        .split('\n')
        .filter((l) => !l.startsWith('-- RAI '))
        .join('\n');
      const p = buildSchemaPrompt(g, { maxChars: noRai.length });
      expect(p.dropped).toEqual({ license: 1, rai: 2 });
      expect(p.text).toContain('Name of the passenger');
    } finally {
      await r.engine.close();
    }
  }, 120_000);

  it('gathers only the record sets picked', async () => {
    const g = await gatherGrounding(fx.lake, fx.catalog, [
      { dataset: 'titanic', rev: 'main', recordSets: ['passengers'] },
    ]);
    expect(g[0]!.tables.map((t) => t.sqlName)).toEqual(['"titanic@main"."passengers"']);
  });
});
