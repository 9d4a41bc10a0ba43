/**
 * The branch name "Save as branch" suggests for a blind-spot slice (blindspots-branch-name.ts)
 * and how the Query view uses it (curation.svelte.ts): the record set and the slice's
 * conditions, short and valid as a branch name, made unique against the refs, and only while
 * the filter is the slice's; a plain filter keeps `<record set>-subset`; and every name the app
 * suggests from a record set id or a branch name, however awkward, is one `refNameProblem`
 * accepts. Expected names are written out by hand from the rules in the module comments.
 */
import { describe, expect, it } from 'vitest';
import { sliceBranchName } from '../../src/app/blindspots-branch-name.ts';
import { filterName, suggestBranchName } from '../../src/app/curation.svelte.ts';
import type { ReportPredicate, ReportSlice } from '../../src/lib/analysis/blindspots-types.ts';
import { pipelineBranchName } from '../../src/app/pipeline-branch.svelte.ts';
import { checkRefName, refNameFrom, refNameProblem } from '../../src/lib/versions/ref-names.ts';
import { sampleReport } from './blindspot-report-fixture.ts';

/** A slice of rank `rank` with these conditions (feature, level). */
function sliceOf(conditions: [string, string][], rank = 1): ReportSlice {
  const predicates: ReportPredicate[] = conditions.map(([feature, level]) => ({
    feature,
    level,
    sql: null,
  }));
  return {
    ...sampleReport().slices[0]!,
    rank,
    predicates,
    text: conditions.map(([f, l]) => `${f} = ${l}`).join(' and '),
  };
}

describe('sliceBranchName', () => {
  const report = sampleReport();
  const cases: [string, [string, string][], string][] = [
    ['one condition', [['scanner', 'Kestrel']], 'items-scanner-kestrel'],
    [
      'two conditions, a numeric bin',
      [
        ['site', 'B'],
        ['age', '[60, 80]'],
      ],
      'items-site-b-age-60-80',
    ],
    ['a negative bound and a decimal', [['kvp', '[-5, 0.5)']], 'items-kvp-minus5-0.5'],
    [
      'a long level cut at a hyphen',
      [['site', 'Lakeside Medical Center of the North']],
      'items-site-lakeside-medical-center',
    ],
    ['the missing level', [['manufacturer', '(missing)']], 'items-manufacturer-missing'],
    [
      'a derived feature with spaces in its level',
      [['dicom.Manufacturer', 'GE Medical Systems']],
      'items-dicom.manufacturer-ge-medical-systems',
    ],
    ['accents', [['site', 'Zürich Nord']], 'items-site-zurich-nord'],
    ['underscores and hyphens kept', [['annotator', 'ann_3-b']], 'items-annotator-ann_3-b'],
    ['a level with no Latin letter', [['site', '東京']], 'items-site'],
    ['no Latin letter at all', [['部位', '東京']], 'items-slice-1'],
    ['a level ending in .lock (git refuses the name)', [['file', 'X.LOCK']], 'items-file-x-lock'],
  ];
  for (const [what, conditions, expected] of cases) {
    it(`names ${what}: ${expected}`, () => {
      const name = sliceBranchName(report, sliceOf(conditions));
      expect(name).toBe(expected);
      expect(() => checkRefName(name)).not.toThrow();
    });
  }

  it('cuts long words (at a hyphen if any), and leaves out conditions past 64 characters', () => {
    const slice = sliceOf([
      ['dicom.ManufacturerModelName', 'Somatom Definition Edge'],
      ['site', 'B'],
      ['age', '[60, 80]'],
      ['annotator', 'ann_3'],
    ]);
    const name = sliceBranchName({ ...report, recordSet: 'images' }, slice);
    // The feature cut to 24 characters (no hyphen in it), the level whole (23): 7 + 48
    // characters, then `-site-b` (62); `-age-60-80` would make 72.
    expect(name).toBe('images-dicom.manufacturermodeln-somatom-definition-edge-site-b');
    expect(name.length).toBe(62);
    expect(() => checkRefName(name)).not.toThrow();
  });

  it('makes a record set id a name part', () => {
    const name = sliceBranchName({ ...report, recordSet: '#Images Set' }, sliceOf([['a', 'b']]));
    expect(name).toBe('images-set-a-b');
  });
});

describe('the name Save as branch suggests', () => {
  it('is <record set>-subset for a plain filter, unique against the refs', () => {
    expect(suggestBranchName('images', ['main'])).toBe('images-subset');
    expect(suggestBranchName('images', ['main', 'images-subset'])).toBe('images-subset-2');
  });

  it("is the slice's name while the filter is the slice's, unique against the refs", () => {
    const suggested = { where: "(site = 'B')", branch: 'images-site-b' };
    const named = filterName(suggested, "  (site = 'B') ", 0);
    expect(named).toBe('images-site-b');
    expect(suggestBranchName('images', ['main'], named)).toBe('images-site-b');
    expect(suggestBranchName('images', ['images-site-b', 'images-site-b-2'], named)).toBe(
      'images-site-b-3',
    );
  });

  it('falls back to <record set>-subset once the filter changed or a facet was picked', () => {
    const suggested = { where: "(site = 'B')", branch: 'images-site-b' };
    expect(filterName(suggested, "(site = 'C')", 0)).toBeUndefined();
    expect(filterName(suggested, "(site = 'B')", 1)).toBeUndefined();
    expect(filterName(null, "(site = 'B')", 0)).toBeUndefined();
    expect(suggestBranchName('images', [], filterName(suggested, '', 0))).toBe('images-subset');
  });
});

describe('every suggested branch name is valid (ref-names.ts)', () => {
  /** Record set ids and branch names that are not valid names as they are. */
  const AWKWARD = [
    'a..b',
    '.hidden',
    '..',
    'my set',
    'a:b',
    'x.lock',
    'x.',
    '...',
    '-x',
    'refs/heads/x',
    'a@{1}',
    'a@fork1',
    'a/b',
    'a//b',
    'tab\there',
    '東京',
    '',
    '~^?*[\\',
    'x'.repeat(300),
    `${'y'.repeat(195)}...z`,
    `${'z'.repeat(190)}.lock`,
    'HEAD',
  ];
  // Every string of up to 4 characters over the ones the rules are about, and letters.
  const ALPHABET = ['a', '.', '-', '/', '@', '{', ' ', 'k', 'l', 'o', 'c'];
  const generated: string[] = [''];
  for (let len = 0, from = 0; len < 4; len++) {
    const to = generated.length;
    for (const s of generated.slice(from, to)) for (const c of ALPHABET) generated.push(s + c);
    from = to;
  }

  it('Save as branch: <record set>-subset, the slice name, made unique', () => {
    const bad: string[] = [];
    for (const id of [...AWKWARD, ...generated]) {
      for (const name of [
        suggestBranchName(id, []),
        suggestBranchName(id, [suggestBranchName(id, [])]),
        suggestBranchName('images', [], id),
        suggestBranchName('images', [suggestBranchName('images', [], id)], id),
      ]) {
        if (refNameProblem(name) !== undefined) bad.push(`${JSON.stringify(id)} -> ${name}`);
      }
    }
    expect(bad).toEqual([]);
    expect(suggestBranchName('a..b', [])).toBe('a.b-subset');
    expect(suggestBranchName('.hidden', [])).toBe('hidden-subset');
    expect(suggestBranchName('my set: v2', [])).toBe('my-set-v2-subset');
    expect(suggestBranchName('images', [], 'x.lock')).toBe('x-lock');
    expect(suggestBranchName('images', [], '...')).toBe('subset');
    expect(suggestBranchName('images', [], 'HEAD')).toBe('head');
    expect(suggestBranchName('x'.repeat(300), ['x'.repeat(196)])).toBe(`${'x'.repeat(196)}-2`);
  });

  it('Run as branch: <branch>-pipeline-<seed>', () => {
    const bad = [...AWKWARD, ...generated]
      .map((from) => pipelineBranchName(from, 7))
      .filter((name) => refNameProblem(name) !== undefined);
    expect(bad).toEqual([]);
    expect(pipelineBranchName('main', 0)).toBe('main-pipeline-0');
    expect(pipelineBranchName('fix..it', 3)).toBe('fix.it-pipeline-3');
  });

  it('refNameFrom keeps a valid ASCII name as it is', () => {
    for (const name of ['main', 'v1.0', 'a-b_c', 'x.locked', 'lock']) {
      expect(refNameFrom(name)).toBe(name);
    }
  });
});
