/**
 * Bad input through the fetch adapter against a real HTTP server on 127.0.0.1: each case must
 * give a clear, located CroissantError (or, where the reference only warns, a warning).
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCroissant, readCroissantText, recordRows } from '../../src/lib/croissant/index.ts';
import type { Issue } from '../../src/lib/croissant/index.ts';
import { fetchResolver } from '../../src/lib/io/fetch.ts';

const fixtures = fileURLToPath(new URL('../fixtures/croissant/1.0/', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'cl-bad-'));
let server: Server;
let base = '';

beforeAll(async () => {
  cpSync(join(fixtures, 'titanic'), join(root, 'titanic'), { recursive: true });
  cpSync(join(fixtures, 'coco2014-mini'), join(root, 'coco'), { recursive: true });
  // checksum: one byte of a CSV changed
  const csv = join(root, 'titanic/data/genders.csv');
  writeFileSync(csv, readFileSync(csv, 'utf8').replace('female', 'femalf'));
  // truncated archive, checksum removed so that the archive itself is what fails
  const zip = join(root, 'coco/data/train2014.zip');
  writeFileSync(zip, readFileSync(zip).subarray(0, 900));
  const coco = JSON.parse(readFileSync(join(root, 'coco/metadata.json'), 'utf8'));
  delete coco.distribution[0].sha256;
  writeFileSync(join(root, 'coco/metadata.json'), JSON.stringify(coco));
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/hang') return; // never answers
    try {
      res.end(readFileSync(join(root, path)));
    } catch {
      res.statusCode = 404;
      res.end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

async function records(url: string, recordSet: string, timeoutMs = 5000) {
  const resolver = fetchResolver({ timeoutMs });
  const { metadata } = await readCroissant(url, { resolver });
  const warnings: Issue[] = [];
  const rows = [];
  for await (const r of recordRows(metadata!, recordSet, {
    resolver,
    onWarning: (w) => warnings.push(w),
  }))
    rows.push(r);
  return { rows, warnings };
}

describe('bad input gives located errors', () => {
  it('malformed JSON: line and column', async () => {
    await expect(readCroissantText('{\n  "name": "x",\n  oops\n}', 'doc.json')).rejects.toThrow(
      /doc\.json: malformed JSON at line 3, column 3/,
    );
  });
  it('a remote JSON-LD context is refused without the network', async () => {
    await expect(
      readCroissantText('{"@context": "https://example.org/ctx.jsonld", "name": "x"}', 'doc.json'),
    ).rejects.toThrow(/@context "https:\/\/example\.org\/ctx\.jsonld" would need the network/);
  });
  it('the wrong context: not a schema.org Dataset', async () => {
    const r = await readCroissantText(
      '{"@context": {"@vocab": "http://example.org/"}, "@type": "Dataset", "name": "x"}',
      'doc.json',
    );
    expect(r.metadata).toBeNull();
    expect(r.errors.map((e) => e.message)).toContain(
      "The current JSON-LD doesn't extend https://schema.org/Dataset.",
    );
  });
  it('a missing document (404) names the URL', async () => {
    await expect(readCroissant(`${base}/nope/metadata.json`)).rejects.toThrow(
      /HTTP 404.*\/nope\/metadata\.json/,
    );
  });
  it('a refused connection names the URL', async () => {
    await expect(readCroissant('http://127.0.0.1:9/metadata.json')).rejects.toThrow(
      /could not fetch http:\/\/127\.0\.0\.1:9\/metadata\.json/,
    );
  });
  it('a timeout names the URL', async () => {
    await expect(
      readCroissant(`${base}/hang`, { resolver: fetchResolver({ timeoutMs: 300 }) }),
    ).rejects.toThrow(/no answer from .*\/hang within 0\.3 s/);
  });
  it('a wrong checksum names the file and both digests', async () => {
    await expect(records(`${base}/titanic/metadata.json`, 'genders')).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
      message: expect.stringMatching(/sha256 mismatch for .*genders\.csv/),
    });
  });
  it('a truncated archive names the archive', async () => {
    await expect(records(`${base}/coco/metadata.json`, 'images')).rejects.toThrow(/train2014\.zip/);
  });
  it('an unknown encodingFormat names the file and lists the supported ones', async () => {
    const doc = JSON.parse(readFileSync(join(fixtures, 'titanic/metadata.json'), 'utf8'));
    doc.distribution[1].encodingFormat = 'text/x-weird';
    const r = await readCroissantText(JSON.stringify(doc), `${base}/titanic/metadata.json`);
    const it = recordRows(r.metadata!, 'genders', {
      resolver: fetchResolver(),
      verifyChecksums: false,
    });
    await expect(it.next()).rejects.toThrow(
      /unsupported encodingFormat "text\/x-weird" for .*genders\.csv/,
    );
  });
  it('a regex that matches nothing keeps values, like the reference, and warns with the field', async () => {
    const doc = JSON.parse(readFileSync(join(fixtures, 'titanic/metadata.json'), 'utf8'));
    doc.recordSet[0].field[0].source.transform = { regex: '^zzz(.*)$' };
    const r = await readCroissantText(JSON.stringify(doc), `${base}/titanic/metadata.json`);
    const out = [];
    const ws: Issue[] = [];
    const opts = { verifyChecksums: false, onWarning: (w: Issue) => ws.push(w) };
    for await (const row of recordRows(r.metadata!, 'genders', opts)) out.push(row);
    expect(out.map((o) => o['genders/label'])).toEqual(['male', 'femalf']);
    expect(ws.map((w) => w.message).join('\n')).toMatch(
      /\[RecordSet\(genders\) > Field\(genders\/label\)\] regex matched nothing in 2 value/,
    );
  });
  it('a join key with no match gives None on the right, as a left join', async () => {
    const doc = JSON.parse(readFileSync(join(fixtures, 'simple-join/metadata.json'), 'utf8'));
    doc.recordSet[0].data.splice(1, 1); // drop jane.doe from users
    const r = await readCroissantText(
      JSON.stringify(doc),
      join(fixtures, 'simple-join/metadata.json'),
    );
    const { nodeResolver } = await import('../../src/lib/io/node.ts');
    const out = [];
    for await (const row of recordRows(r.metadata!, 'publications_by_user', {
      resolver: nodeResolver(),
    }))
      out.push(row);
    expect(out.map((o) => o['publications_by_user/author_fullname'])).toEqual([
      'John Smith',
      null,
      'David Lee',
    ]);
  });
});
