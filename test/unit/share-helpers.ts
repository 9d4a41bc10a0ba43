/**
 * Helpers of the share tests (Node only): a tiny HTTP server over files held in memory, the
 * titanic fixture as such files (and a modified copy), and a stand-in for the query engine's
 * `SELECT _rowid … WHERE predicate` that evaluates simple predicates by hand.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { fetchResolver } from '../../src/lib/io/fetch.ts';
import type { Resolver } from '../../src/lib/io/source.ts';
import type { RowidsWhere } from '../../src/lib/share/replay.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { filterToBranch } from '../../src/lib/versions/filter.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { readAllRows, recordSetOf } from '../../src/lib/versions/read.ts';

const dir = fileURLToPath(new URL('../fixtures/croissant/1.0/titanic/', import.meta.url));
const FILES = [
  'metadata.json',
  'data/titanic.csv',
  'data/genders.csv',
  'data/embarkation_ports.csv',
];

/** The titanic fixture's files by path. */
export function titanicFiles(): Map<string, Uint8Array> {
  return new Map(FILES.map((f) => [f, new Uint8Array(readFileSync(dir + f))]));
}

/** The titanic fixture with the last `drop` passengers removed (checksum updated to match). */
export function modifiedTitanic(drop: number): Map<string, Uint8Array> {
  const files = titanicFiles();
  const csv = new TextDecoder().decode(files.get('data/titanic.csv'));
  const lines = csv.trimEnd().split('\n');
  const cut = new TextEncoder().encode(lines.slice(0, lines.length - drop).join('\n') + '\n');
  const oldSha = createHash('sha256').update(files.get('data/titanic.csv')!).digest('hex');
  const newSha = createHash('sha256').update(cut).digest('hex');
  const doc = new TextDecoder().decode(files.get('metadata.json')).replace(oldSha, newSha);
  files.set('data/titanic.csv', cut);
  files.set('metadata.json', new TextEncoder().encode(doc));
  return files;
}

/** An HTTP server on 127.0.0.1 over `files` (replaceable while it runs). */
export async function serve(files: Map<string, Uint8Array>) {
  const state = { files };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    const body = state.files.get(path);
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': body.byteLength });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    set(next: Map<string, Uint8Array>) {
      state.files = next;
    },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

type Cell = string | number | bigint | boolean | null;

/** Evaluates `"column" OP literal [AND …]` (OP: = <> < <= > >=; literal: 'text' or a number). */
function evaluate(predicate: string, row: Record<string, unknown>): boolean {
  return predicate.split(/\s+AND\s+/i).every((part) => {
    const m = /^"([^"]+)"\s*(=|<>|<=|>=|<|>)\s*(?:'([^']*)'|(-?[\d.]+))$/.exec(part.trim());
    if (!m) throw new Error(`the test engine cannot evaluate ${part}`);
    const v = row[m[1]!] as Cell;
    if (v === null || v === undefined) return false;
    const a = typeof v === 'bigint' ? Number(v) : v;
    const b = m[3] ?? Number(m[4]);
    switch (m[2]) {
      case '=':
        return a === b;
      case '<>':
        return a !== b;
      case '<':
        return a < b;
      case '<=':
        return a <= b;
      case '>':
        return a > b;
      default:
        return a >= b;
    }
  });
}

/** A stand-in for the query engine: row ids of the live rows a simple predicate selects. */
export function testRowidsWhere(lake: Lake): RowidsWhere {
  return async (_dataset, commit, recordSet, predicate) => {
    const [id, rs] = recordSetOf(await lake.readCommit(commit), recordSet);
    const rows = await readAllRows(lake.chunks, rs, id);
    return rows.filter((r) => evaluate(predicate, r.row)).map((r) => r.rowid);
  };
}

/** The filters of the author's branches: `women`, then `women/first`. */
export const WOMEN = `"passengers/gender" = 'female'`;
export const FIRST = `"passengers/pclass" = 1`;

/**
 * A lake (in memory) with titanic imported over HTTP from `url` (a {@link serve}d titanic)
 * and branches `women` and `women/first`.
 */
export function authorTitanic(url: string): Promise<Lake> {
  return titanicWithBranches(url + 'metadata.json', fetchResolver());
}

/**
 * A lake (in memory) with the titanic document at `source` imported through `resolver`, and
 * branches `women` ({@link WOMEN}) and `women/first` ({@link FIRST} of those).
 */
export async function titanicWithBranches(source: string, resolver: Resolver): Promise<Lake> {
  const lake = await Lake.open(memoryBackend());
  const r = await ingest(lake, source, { resolver });
  const where = testRowidsWhere(lake);
  const women = await filterToBranch(lake, r.dataset, {
    from: 'main',
    branch: 'women',
    recordSet: 'passengers',
    predicate: WOMEN,
    keep: await where(r.dataset, r.commit, 'passengers', WOMEN),
  });
  await filterToBranch(lake, r.dataset, {
    from: 'women',
    branch: 'women/first',
    recordSet: 'passengers',
    predicate: FIRST,
    keep: await where(r.dataset, women.hash, 'passengers', FIRST),
  });
  return lake;
}

/** The row ids of the live passengers at `rev` of `dataset`. */
export async function rowidsAt(lake: Lake, dataset: string, rev: string) {
  const [id, rs] = recordSetOf(
    await lake.readCommit(await lake.resolve(dataset, rev)),
    'passengers',
  );
  return (await readAllRows(lake.chunks, rs, id)).map((r) => r.rowid);
}
