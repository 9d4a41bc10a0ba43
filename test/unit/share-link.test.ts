/**
 * Share links and recipe files: round trips, the fallback to a file, a clear located error for
 * every kind of malformed input, and the refusal of anything that carries credentials or local
 * paths. Pure functions: runs in Node and in Chromium.
 */
import { deflateSync, strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { LakeError } from '../../src/lib/store/errors.ts';
import {
  MAX_LINK_LENGTH,
  decodeShareLink,
  encodeShareLink,
  parseRecipeFile,
  recipeFile,
} from '../../src/lib/share/link.ts';
import { validateRecipe, type Recipe } from '../../src/lib/share/recipe-schema.ts';
import { checkShareableUrl, unsafeUrl } from '../../src/lib/share/safety.ts';

const H = (c: string) => c.repeat(64);
const RECIPE: Recipe = {
  format: 'croissant-lake/recipe',
  version: 1,
  dataset: 'titanic',
  source: 'https://example.org/titanic/metadata.json',
  sourceSha256: H('a'),
  ingestHash: H('b'),
  ingestRecordSets: { passengers: { rows: 1309, hash: 'c'.repeat(16) } },
  steps: [
    {
      op: 'filter',
      recordSet: 'passengers',
      predicate: `"passengers/sex" = 'female'`,
      kept: 466,
      result: H('d'),
    },
    {
      op: 'add-columns',
      recordSet: 'passengers',
      url: 'https://example.org/extra.csv',
      sha256: H('e'),
      key: { by: 'rowid' },
      columns: [{ name: 'passengers/flag', type: 'bool' }],
      ignoreUnmatched: false,
    },
  ],
  branch: 'women/first-class',
  result: H('f'),
  resultRecordSets: { passengers: { rows: 466, hash: '0'.repeat(16) } },
};
const APP = 'https://lake.example/app/';

/** The error `fn` throws (it must throw a LakeError). */
function errorOf(fn: () => unknown): LakeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LakeError);
    return e as LakeError;
  }
  throw new Error('expected an error');
}

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const linkOf = (value: unknown) =>
  `${APP}#share=${b64url(deflateSync(strToU8(typeof value === 'string' ? value : JSON.stringify(value))))}`;

describe('share links', () => {
  it('round-trips a recipe through a link in the fragment, dropping the app URL query', () => {
    const r = encodeShareLink(RECIPE, `${APP}?session=secret#old`);
    if (!('url' in r)) throw new Error('expected a link');
    expect(r.url.startsWith(`${APP}#share=`)).toBe(true);
    expect(r.url).not.toContain('secret');
    expect(r.url.length).toBeLessThan(1000);
    expect(decodeShareLink(r.url)).toEqual(RECIPE);
    // The fragment alone, or the bare share= part, also work; whitespace around is ignored.
    const fragment = r.url.slice(r.url.indexOf('#'));
    expect(decodeShareLink(fragment)).toEqual(RECIPE);
    expect(decodeShareLink(`  ${fragment.slice(1)}\n`)).toEqual(RECIPE);
  });

  it('falls back to a readable recipe file when the link would be too long', () => {
    // Incompressible predicate text.
    let seed = 7;
    const noise = Array.from({ length: 12000 }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return 'abcdefghijklmnopqrstuvwxyz0123456789'[(seed >>> 16) % 36];
    }).join('');
    const long: Recipe = {
      ...RECIPE,
      steps: [{ op: 'filter', recordSet: 'passengers', predicate: `name <> '${noise}'` }],
    };
    const r = encodeShareLink(long, APP);
    if (!('tooLong' in r)) throw new Error('expected a file');
    expect(r.length).toBeGreaterThan(MAX_LINK_LENGTH);
    expect(r.file.name).toBe('titanic-women-first-class.recipe.json');
    const text = new TextDecoder().decode(r.file.bytes);
    expect(text).toContain(`"predicate": "name <> '${noise.slice(0, 20)}`);
    expect(parseRecipeFile(r.file.bytes)).toEqual(long);
    expect(parseRecipeFile(recipeFile(RECIPE).bytes)).toEqual(RECIPE);
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...recipeFile(RECIPE).bytes]);
    expect(parseRecipeFile(bom)).toEqual(RECIPE);
  });

  it('opens a link whose branch name an earlier version allowed, under a name allowed now', () => {
    // Before git's ref-name rules (ref-names.ts) these were valid branch names.
    for (const [asked, given] of [
      ['x.lock', 'x-lock'],
      ['HEAD', 'head'],
      ['refs/heads/x', 'refs-heads-x'],
      ['.hidden', 'hidden'],
      ['women@fork1', 'women-fork1'],
    ]) {
      expect(decodeShareLink(linkOf({ ...RECIPE, branch: asked })).branch, asked).toBe(given);
    }
  });

  it('reports every kind of malformed link clearly', () => {
    const cases: [string, RegExp][] = [
      [APP, /no "#share=" part/],
      [`${APP}#share=`, /empty; the link is cut off/],
      [`${APP}#share=abc$def`, /not base64url: character "\$" at position 4/],
      [`${APP}#share=abcde`, /impossible length/],
      [`${APP}#share=AAAAAAAA`, /does not decompress/],
      [`${APP}#share=${b64url(new Uint8Array([0x78, 0x9c, 1, 2, 3]))}`, /does not decompress/],
      [linkOf('{"format": '), /not valid JSON/],
      [
        `${APP}#share=${b64url(deflateSync(new Uint8Array(20_000_000), { level: 9 }))}`,
        /larger than 4194304 bytes/,
      ],
      [linkOf('[]'), /recipe must be an object/],
      [linkOf({ ...RECIPE, format: 'other' }), /format is "other".*not a croissant-lake recipe/],
      [linkOf({ ...RECIPE, version: 2 }), /version is 2; .*reads version 1/],
      [linkOf({ ...RECIPE, sourceSha256: undefined }), /sourceSha256 must be a non-empty string/],
      [linkOf({ ...RECIPE, ingestHash: 'abc' }), /ingestHash must be a lowercase hex sha256/],
      [linkOf({ ...RECIPE, dataset: '../x' }), /dataset must be lowercase/],
      [linkOf({ ...RECIPE, branch: 'a..b' }), /branch "a..b" is not a valid branch name/],
      [linkOf({ ...RECIPE, steps: {} }), /steps must be a list/],
      [linkOf({ ...RECIPE, steps: [{ op: 'merge', recordSet: 'x' }] }), /steps\[0\].op is "merge"/],
      [
        linkOf({ ...RECIPE, steps: [{ op: 'filter', recordSet: 'x', predicate: 1 }] }),
        /steps\[0\].predicate must be a non-empty string/,
      ],
      [
        linkOf({ ...RECIPE, resultRecordSets: { p: { rows: -1, hash: H('0') } } }),
        /resultRecordSets.p.rows must be a non-negative integer/,
      ],
      // Its hashes say the same thing twice: the content after the last step, or the import's.
      [
        linkOf({ ...RECIPE, steps: [RECIPE.steps[0]] }),
        /result is not steps\[0\]\.result: the link was altered or damaged/,
      ],
      [
        linkOf({ ...RECIPE, steps: [] }),
        /result is not ingestHash \(the link has no steps\): the link was altered or damaged/,
      ],
      [
        linkOf({ ...RECIPE, source: 'https://u:p@example.org/m.json' }),
        /source carries a user name or password/,
      ],
      [
        linkOf({ ...RECIPE, steps: [{ ...RECIPE.steps[1], url: '/home/me/extra.csv' }] }),
        /steps\[0\].url is a local path/,
      ],
    ];
    const good = linkOf(RECIPE);
    for (const cut of [8, 20, 40, 41, 42, 43]) {
      cases.push([good.slice(0, good.length - cut), /cut off|does not decompress/]);
    }
    for (const [link, want] of cases) {
      const e = errorOf(() => decodeShareLink(link));
      expect(e.code, link).toBe('BAD_INPUT');
      expect(e.message, link).toMatch(/^share link: /);
      expect(e.message, link).toMatch(want);
    }
    // Not even a string: still a LakeError.
    expect(errorOf(() => decodeShareLink(42 as unknown as string)).code).toBe('BAD_INPUT');
  });

  it('reports malformed recipe files clearly', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array([0xff, 0xfe, 0x00]), /is not UTF-8 text/],
      [enc('not json'), /not valid JSON/],
      [enc(JSON.stringify({ ...RECIPE, result: undefined })), /result must be a non-empty string/],
      [enc(JSON.stringify({ ...RECIPE, source: 'file:///tmp/m.json' })), /source is a file: URL/],
    ];
    for (const [bytes, want] of cases) {
      const e = errorOf(() => parseRecipeFile(bytes));
      expect(e.message).toMatch(/^recipe file: /);
      expect(e.message).toMatch(want);
    }
  });

  it('keeps unknown fields out and own keys plain', () => {
    const r = validateRecipe({
      ...RECIPE,
      extra: 'dropped',
      ingestRecordSets: JSON.parse('{"__proto__": {"rows": 1, "hash": "0123456789abcdef"}}'),
    });
    expect(r).not.toHaveProperty('extra');
    expect(Object.getPrototypeOf(r.ingestRecordSets)).toBe(Object.prototype);
    expect(Object.hasOwn(r.ingestRecordSets, '__proto__')).toBe(true);
  });
});

describe('what a link may carry', () => {
  it('refuses credentials, tokens and local paths, saying why', () => {
    const refused: [string, RegExp][] = [
      ['https://user:pass@example.org/m.json', /user name or password/],
      ['https://example.org/m.json?X-Amz-Signature=abc', /parameter "X-Amz-Signature"/],
      ['https://example.org/m.json?x-goog-date=1', /parameter "x-goog-date"/],
      ['https://example.org/m.json?access_token=abc', /parameter "access_token"/],
      ['https://example.org/m.json?sig=abc&v=1', /parameter "sig"/],
      ['https://example.org/m.json?API_KEY=abc', /parameter "API_KEY"/],
      ['https://example.org/m.json?client_secret=x', /"client_secret"/],
      ['https://example.org/m.json?password=x', /"password"/],
      ['https://example.org/m.json?Credential=x', /"Credential"/],
      ['https://example.org/m.json?authuser=0', /"authuser"/],
      ['https://example.org/m.json?sessionid=1', /"sessionid"/],
      ['https://example.org/m.json#id_token=abc', /"id_token"/],
      ['file:///home/me/m.json', /file: URL/],
      ['blob:https://lake.example/1234', /blob: URL/],
      ['data:application/json,{}', /data: URL/],
      ['/home/me/m.json', /local path/],
      ['./m.json', /local path/],
      ['examples/titanic/metadata.json', /local path/],
      ['C:\\Users\\me\\m.json', /local path/],
      ['ftp://example.org/m.json', /scheme "ftp:"/],
      ['', /is empty/],
    ];
    for (const [url, why] of refused) {
      expect(unsafeUrl(url)?.reason, url).toMatch(why);
      const e = errorOf(() => checkShareableUrl(url, 'the source'));
      expect(e.message).toMatch(/^cannot share: the source /);
      expect(e.message).toContain('never carry credentials, tokens or local paths');
    }
    // Secret values never appear in messages.
    expect(errorOf(() => checkShareableUrl('https://u:hunter2@x.org/', 's')).message).not.toContain(
      'hunter2',
    );
    expect(
      errorOf(() => checkShareableUrl('https://x.org/?token=hunter2', 's')).message,
    ).not.toContain('hunter2');
    for (const ok of [
      'https://example.org/m.json',
      'http://127.0.0.1:8080/data/metadata.json?version=2&split=train',
      'https://huggingface.co/api/datasets/x/croissant',
    ]) {
      expect(unsafeUrl(ok), ok).toBeNull();
    }
    expect(errorOf(() => encodeShareLink({ ...RECIPE, source: '/tmp/m.json' }, APP)).code).toBe(
      'BAD_INPUT',
    );
  });
});
