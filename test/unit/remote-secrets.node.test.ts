/**
 * Issue 17 §2: a remote's credentials (access key id, secret access key, session token) never
 * appear in a share link or recipe file, an export, lineage, the ref log, the bucket, an error,
 * or anything logged. A dataset imported over HTTP goes through a remote that checks every
 * signature and the session token (test/s3/proxy.ts): pushed, cloned into a second lake,
 * changed there, pushed, pulled back with a merge; refused once with a wrong secret. Then every
 * place a credential could end up is searched for each of the three values, whole.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fetchResolver } from '../../src/lib/io/fetch.ts';
import { encodeShareLink, recipeFile } from '../../src/lib/share/link.ts';
import { recipeOf } from '../../src/lib/share/recipe.ts';
import { LakeError } from '../../src/lib/store/errors.ts';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { clone, pull } from '../../src/lib/sync/pull.ts';
import { push } from '../../src/lib/sync/push.ts';
import { S3Remote, type Credentials } from '../../src/lib/sync/s3.ts';
import { openRemote } from '../../src/lib/sync/session.ts';
import { appendRows } from '../../src/lib/versions/append.ts';
import { exportToFolder } from '../../src/lib/versions/export-node.ts';
import { filterToBranch } from '../../src/lib/versions/filter.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { addKey } from '../s3/s3rver.ts';
import { S3RVER, startTarget, type Target } from '../s3/targets.ts';
import { serve, testRowidsWhere, titanicFiles } from './share-helpers.ts';

const KEY: Required<Credentials> = {
  accessKeyId: 'AKIDLEAKCHECK0001',
  secretAccessKey: 'leak-secret-Xr7Qp2Lm9Wd',
  sessionToken: 'leak-token-Vb4Nk8Jw3Hs',
};
const SECRETS = Object.values(KEY);
const dir = mkdtempSync(path.join(tmpdir(), 'remote-secrets-'));
let t: Target;
let http: Awaited<ReturnType<typeof serve>>;
/** Everything written to the console or stdout/stderr while the test runs. */
const logged: string[] = [];

beforeAll(async () => {
  addKey(KEY.accessKeyId, KEY.secretAccessKey);
  t = await startTarget(true, {
    keys: { [KEY.accessKeyId]: { secret: KEY.secretAccessKey, token: KEY.sessionToken } },
  });
  http = await serve(titanicFiles());
  for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[m].bind(console);
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(' '));
      original(...args);
    });
  }
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (s: string | Uint8Array) => boolean;
    vi.spyOn(stream, 'write').mockImplementation((s: string | Uint8Array) => {
      logged.push(String(s));
      return write(s);
    });
  }
});
afterAll(async () => {
  vi.restoreAllMocks();
  await http.close();
  await t.stop();
  rmSync(dir, { recursive: true, force: true });
});

const remote = (creds: Credentials = KEY) =>
  new S3Remote(
    {
      endpoint: t.proxy.endpoint,
      bucket: 'lake',
      prefix: 'silo',
      region: 'us-east-1',
      pathStyle: true,
    },
    creds,
    { retry: { attempts: 2, baseMs: 5, maxMs: 20 } },
  );
const session = (creds?: Credentials) => openRemote('silo', remote(creds), { create: true });

/** Every file under `root` with its bytes as text. */
function filesUnder(root: string): [string, string][] {
  const out: [string, string][] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push([p, readFileSync(p).toString('latin1')]);
    }
  };
  walk(root);
  return out;
}

/** Where each secret occurs in `texts` (place → text). */
function leaks(texts: [string, string][]): string[] {
  return texts.flatMap(([where, text]) =>
    SECRETS.filter((s) => text.includes(s)).map((s) => `${where}: ${s}`),
  );
}

describe('credentials of a remote', () => {
  it('appear in no share link, recipe, export, lineage, ref log, bucket object, error or log', async () => {
    const a = await Lake.open(await openNodeBackend(path.join(dir, 'lake-a')), { actor: 'a' });
    const { dataset } = await ingest(a, http.url + 'metadata.json', { resolver: fetchResolver() });
    const where = testRowidsWhere(a);
    const women = `"passengers/gender" = 'female'`;
    await filterToBranch(a, dataset, {
      from: 'main',
      branch: 'women',
      recordSet: 'passengers',
      predicate: women,
      keep: await where(dataset, await a.resolve(dataset, 'main'), 'passengers', women),
    });
    await a.createBranch(dataset, 'work', 'main');
    await push(a, await session(), dataset);

    const b = await Lake.open(await openNodeBackend(path.join(dir, 'lake-b')), { actor: 'b' });
    await clone(b, await session(), dataset);
    // Passengers declare no key: rows of nulls are records there (embarkation_ports would
    // refuse them, being keyed).
    const [rsId, rs] = Object.entries(
      (await b.readCommit(await b.resolve(dataset, 'main'))).recordSets,
    ).find(([id]) => id === 'passengers')!;
    const row = Object.fromEntries(rs.columns.map((c) => [c.name, null]));
    await appendRows(b, dataset, { branch: 'work', recordSet: rsId, rows: [row] });
    await push(b, await session(), dataset);
    await appendRows(a, dataset, { branch: 'work', recordSet: rsId, rows: [row, row] });
    const pulled = await pull(a, await session(), dataset);
    expect(pulled.branches.find((x) => x.branch === 'work')!.status).toBe('merged');

    // Refused with a wrong secret: the error names the key by a masked id only.
    const errors: [string, string][] = [];
    const wrong = { ...KEY, secretAccessKey: `${KEY.secretAccessKey}-not` };
    const e = await openRemote('silo', remote(wrong))
      .then((s) => push(a, s, dataset))
      .then(
        () => null,
        (x: unknown) => x,
      );
    expect(e).toBeInstanceOf(LakeError);
    expect((e as LakeError).code).toBe('REMOTE_AUTH');
    const err = e as LakeError;
    errors.push([
      'error',
      [err.message, err.stack, String(err.cause), JSON.stringify(err.detail ?? {})].join('\n'),
    ]);

    // The share link and recipe file of a branch that went through the remote, in both lakes.
    const shared: [string, string][] = [];
    for (const [name, lake] of [
      ['a', a],
      ['b', b],
    ] as const) {
      const recipe = await recipeOf(lake, dataset, 'women');
      const link = encodeShareLink(recipe, 'http://app.example/');
      expect('url' in link && link.url).toMatch(/^http:\/\/app\.example\/#/);
      shared.push([`share link ${name}`, JSON.stringify(link)]);
      shared.push([`recipe file ${name}`, new TextDecoder().decode(recipeFile(recipe).bytes)]);
    }

    // Lineage and ref logs, as the lakes give them (their files are searched below too).
    const history: [string, string][] = [];
    for (const [name, lake] of [
      ['a', a],
      ['b', b],
    ] as const) {
      history.push([`ref log ${name}`, JSON.stringify(await lake.refLog(dataset))]);
      let hash: string | undefined = await lake.resolve(dataset, 'work');
      while (hash) {
        const c = await lake.readCommit(hash);
        history.push([`lineage ${name} ${hash}`, JSON.stringify(c)]);
        hash = c.parents[0];
      }
    }
    expect(history.length).toBeGreaterThan(5);

    await exportToFolder(a, dataset, 'main', path.join(dir, 'export'));

    // Every object on the bucket (read past the proxy, with s3rver's own key).
    const bucket: [string, string][] = [];
    const direct = new S3Remote(
      { endpoint: t.endpoint, bucket: 'lake', prefix: '', region: 'us-east-1', pathStyle: true },
      S3RVER,
    );
    for await (const o of direct.list('')) {
      bucket.push([
        `s3://lake/${o.key}`,
        Buffer.from((await direct.get(o.key))!.bytes).toString('latin1'),
      ]);
    }
    expect(bucket.some(([k]) => k.endsWith('.croissant.json'))).toBe(true);
    expect(bucket.some(([k]) => k.includes('/_delta_log/'))).toBe(true);
    expect(bucket.some(([k]) => k.includes('reflog/'))).toBe(true);

    const files = filesUnder(dir);
    expect(files.some(([f]) => f.includes(`${path.sep}export${path.sep}`))).toBe(true);
    expect(
      leaks([...errors, ...shared, ...history, ...bucket, ...files, ['logged', logged.join('\n')]]),
    ).toEqual([]);
  });
});
