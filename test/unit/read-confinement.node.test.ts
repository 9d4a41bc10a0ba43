/**
 * What a Croissant document may make the CLI read (issue 11, §2): a local document only files
 * inside its own folder (links followed), a remote document only URLs; --mapping and
 * --allow-path grant more; devices, FIFOs and /proc, /sys, /dev are never read. Also a
 * --mapping of a FileObject (a git repository) onto a local directory.
 */
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { CroissantError } from '../../src/lib/croissant/errors.ts';
import type { FileObject } from '../../src/lib/croissant/model.ts';
import { namedFor } from '../../src/lib/croissant/resources/mapping.ts';
import type { Json } from '../../src/lib/croissant/model.ts';
import { dataset, field, fileObject, linesOf, recordSet } from './doc-fixture.ts';

const root = mkdtempSync(join(tmpdir(), 'cl-confine-'));
const folder = join(root, 'ds');
const outside = join(root, 'outside');
const secret = join(outside, 'secret.txt');
const SECRET = 'TOP SECRET';
let out: string[] = [];
let err: string[] = [];
let server: Server;
let base = '';

/** Writes a document in the dataset folder whose FileObject `secret` has this contentUrl. */
function docFor(name: string, contentUrl: string): string {
  const path = join(folder, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify(dataset([fileObject('secret', contentUrl)], [linesOf('secret')])),
  );
  return path;
}

const records = (doc: string, ...more: string[]) =>
  main(['records', doc, '-r', 'lines', '--no-verify', ...more]);

beforeAll(async () => {
  mkdirSync(folder, { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(secret, `${SECRET}\n`);
  writeFileSync(join(folder, 'inside.txt'), 'hello\nworld\n');
  symlinkSync(secret, join(folder, 'link.txt'));
  symlinkSync(outside, join(folder, 'linkdir'));
  execFileSync('mkfifo', [join(folder, 'pipe')]);
  server = createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).slice(1);
    const doc = name === 'remote-file-url.json' ? pathToFileURL(secret).href : '/etc/passwd';
    if (name.endsWith('.json')) {
      res.end(JSON.stringify(dataset([fileObject('secret', doc)], [linesOf('secret')])));
    } else {
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
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
  vi.spyOn(console, 'error').mockImplementation((s: string) => void err.push(s));
  vi.spyOn(process.stdout, 'write').mockImplementation(
    (s: string | Uint8Array) => (out.push(String(s)), true),
  );
});
afterEach(() => vi.restoreAllMocks());

describe('a local document reads only inside its own folder', () => {
  it('reads a file of its folder', async () => {
    expect(await records(docFor('ok', 'inside.txt'))).toBe(0);
    expect(out.join('')).toBe('{"lines/line":"hello"}\n{"lines/line":"world"}\n');
  });

  const escapes: Array<[string, () => string]> = [
    ['an absolute path', () => secret],
    ['a file: URL', () => pathToFileURL(secret).href],
    ['enough ../ to pass the root', () => '../'.repeat(40) + secret.slice(1)],
    ['a link inside the folder to a file outside', () => 'link.txt'],
    ['a path through a link to a folder outside', () => 'linkdir/secret.txt'],
  ];
  for (const [what, url] of escapes) {
    it(`refuses ${what}, naming the FileObject, the path and the options`, async () => {
      const doc = docFor('escape', url());
      expect(await records(doc)).toBe(1);
      const msg = err.join('\n');
      expect(msg).toContain('[FORBIDDEN_PATH]');
      expect(msg).toContain('FileObject "secret"');
      expect(msg).toMatch(/--mapping secret=\S+/);
      expect(msg).toContain(`--allow-path ${outside}`);
      expect(out.join('')).not.toContain(SECRET);
      // The user's word grants it: a mapping, or the folder allowed.
      err = [];
      expect(await records(doc, '--allow-path', outside)).toBe(0);
      expect(out.join('')).toContain(SECRET);
      out = [];
      expect(await records(doc, '--mapping', `secret=${secret}`)).toBe(0);
      expect(out.join('')).toContain(SECRET);
    });
  }

  it('refuses /etc/passwd and does not say whether a file outside exists', async () => {
    expect(await records(docFor('passwd', '/etc/passwd'))).toBe(1);
    expect(err.join('\n')).toContain('[FORBIDDEN_PATH]');
    expect(out.join('')).not.toContain('root:');
    err = [];
    expect(await records(docFor('missing', join(outside, 'no-such-file.txt')))).toBe(1);
    expect(err.join('\n')).toContain('[FORBIDDEN_PATH]');
  });

  it('never reads special files, even when allowed or mapped', async () => {
    const cases: Array<[string, string[]]> = [
      ['/proc/self/environ', ['--allow-path', '/proc']],
      ['/dev/zero', ['--mapping', 'secret=/dev/zero']],
      ['/sys/kernel/uevent_seqnum', ['--allow-path', '/']],
      ['pipe', []], // a FIFO in the folder: opening it would wait for a writer
    ];
    for (const [url, grant] of cases) {
      err = [];
      expect(await records(docFor('special', url), ...grant)).toBe(1);
      expect(err.join('\n')).toContain('[SPECIAL_FILE]');
    }
    err = [];
    expect(await main(['records', '/dev/zero', '-r', 'lines'])).toBe(1);
    expect(err.join('\n')).toContain('[SPECIAL_FILE]');
  });

  it('ingest refuses too, and stores nothing of the file', async () => {
    const lake = join(root, 'lake');
    expect(await main(['ingest', docFor('ingest', secret), '--lake', lake])).toBe(1);
    expect(err.join('\n')).toMatch(/\[FORBIDDEN_PATH\].*FileObject "secret"/);
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((n) => {
        const p = join(dir, n);
        return statSync(p).isDirectory() ? files(p) : [p];
      });
    for (const f of files(lake)) expect(readFileSync(f).includes(SECRET)).toBe(false);
  });
});

describe('a remote document reads only URLs', () => {
  it('refuses a file: URL', async () => {
    expect(await records(`${base}/remote-file-url.json`)).toBe(1);
    const msg = err.join('\n');
    expect(msg).toContain('[FORBIDDEN_PATH]');
    expect(msg).toContain(`its document was read from a URL (${base}/remote-file-url.json)`);
    expect(out.join('')).not.toContain(SECRET);
  });
  it('resolves an absolute path against its URL, not the local filesystem', async () => {
    expect(await records(`${base}/remote-path.json`)).toBe(1);
    expect(err.join('\n')).toContain(`[NOT_FOUND]: HTTP 404 Not Found for ${base}/etc/passwd`);
  });
});

describe('--mapping of a FileObject onto a local directory', () => {
  const repo = join(root, 'repo');
  const doc = join(root, 'gitds', 'metadata.json');
  const escapeDoc = join(root, 'gitds', 'escape.json');
  beforeAll(() => {
    mkdirSync(join(repo, 'data'), { recursive: true });
    mkdirSync(join(root, 'gitds'));
    writeFileSync(join(repo, 'data', 'a.csv'), 'id,label\n1,x\n2,y\n');
    writeFileSync(join(repo, 'data', 'b.csv'), 'id,label\n3,z\n');
    writeFileSync(join(repo, 'README.md'), '# not a table\n');
    const csv = { encodingFormat: 'text/csv', containedIn: { '@id': 'repo' } };
    const distribution: Json[] = [
      fileObject('repo', 'git+https://github.com/example/repo.git', {
        encodingFormat: 'git+https',
      }),
      { '@type': 'cr:FileSet', '@id': 'csvs', name: 'csvs', includes: 'data/*.csv', ...csv },
      // Members of the repository: no checksum of their own.
      ...[
        fileObject('a', 'data/a.csv', csv),
        fileObject('escape', '../outside/secret.txt', csv),
      ].map(({ sha256: _, ...member }) => member),
    ];
    const column = (rs: string, name: string, from: Json) =>
      field(rs, name, { source: { ...(from as object), extract: { column: name } } });
    const recordSets = [
      recordSet('rows', [
        column('rows', 'id', { fileSet: { '@id': 'csvs' } }),
        column('rows', 'label', { fileSet: { '@id': 'csvs' } }),
      ]),
      recordSet('a_rows', [column('a_rows', 'label', { fileObject: { '@id': 'a' } })]),
    ];
    writeFileSync(doc, JSON.stringify(dataset(distribution, recordSets)));
    writeFileSync(escapeDoc, JSON.stringify(dataset(distribution, [linesOf('escape')])));
  });
  const mapped = (...args: string[]) => main([...args, '--mapping', `repo=${repo}`]);
  const lines = () => out.join('').trim().split('\n');

  it('reads the FileSets and FileObjects inside it from the directory', async () => {
    expect(await mapped('records', doc, '-r', 'rows')).toBe(0);
    expect(lines()).toEqual([
      '{"rows/id":"1","rows/label":"x"}',
      '{"rows/id":"2","rows/label":"y"}',
      '{"rows/id":"3","rows/label":"z"}',
    ]);
    out = [];
    expect(await mapped('records', doc, '-r', 'a_rows')).toBe(0);
    expect(lines()).toEqual(['{"a_rows/label":"x"}', '{"a_rows/label":"y"}']);
  });
  it('does not let a FileObject inside it read outside it', async () => {
    expect(await mapped('records', escapeDoc, '-r', 'lines')).toBe(1);
    expect(err.join('\n')).toMatch(/\[FORBIDDEN_PATH\].*FileObject "escape"/);
    expect(out.join('')).not.toContain(SECRET);
  });
  it('without the mapping, names the option', async () => {
    expect(await main(['records', doc, '-r', 'rows'])).toBe(1);
    expect(err.join('\n')).toContain('--mapping repo=<local path>');
  });
  it('ingests it', async () => {
    const lake = join(root, 'git-lake');
    expect(await mapped('ingest', doc, '--dataset', 'gitds', '--lake', lake)).toBe(0);
    expect(err).toEqual([]);
    out = [];
    expect(await main(['rows', 'gitds', 'main', '-r', 'rows', '--lake', lake])).toBe(0);
    expect(lines().map((l) => (JSON.parse(l) as Record<string, unknown>)['rows/label'])).toEqual([
      'x',
      'y',
      'z',
    ]);
  });
});

describe('a refusal names the FileObject', () => {
  it('once, however many times its source is wrapped', async () => {
    const refusing = {
      name: '/etc/passwd',
      size: () => Promise.resolve(undefined),
      // eslint-disable-next-line require-yield
      async *stream(): AsyncGenerator<Uint8Array> {
        throw new CroissantError('FORBIDDEN_PATH', 'reading /etc/passwd is not allowed', {
          location: { file: '/etc/passwd' },
        });
      },
    };
    const fo = { uuid: 'secret', contentUrl: 'secret.txt' } as FileObject;
    const twice = namedFor(fo, namedFor(fo, refusing));
    const err = await (async () => {
      for await (const _ of twice.stream()) void _;
    })().catch((e: unknown) => e as CroissantError);
    expect(err).toBeInstanceOf(CroissantError);
    expect((err as CroissantError).message.match(/FileObject "secret"/g)).toHaveLength(1);
  });
});
