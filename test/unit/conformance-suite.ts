/**
 * The conformance suite: every record set with an expected `output/*.jsonl` in the corpus is
 * generated and compared after normalising the reference's Python reprs. The suite is a
 * function of the I/O adapter, so the same cases run under Node and in Chromium.
 */
import { describe, expect, it } from 'vitest';
import type { Resolver } from '../../src/lib/io/source.ts';
import { readCroissant, recordRows } from '../../src/lib/croissant/index.ts';
import { normaliseRow } from './conformance-normalise.ts';

const outputs = import.meta.glob('../fixtures/croissant/**/output/*.jsonl', {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;
/**
 * Variants of a corpus dataset (`variant.json` beside their document): the same data written
 * differently (CRLF or CR line endings), which the reference reads identically, so they are
 * compared with the original's expected outputs.
 */
const variants = import.meta.glob('../fixtures/croissant/*/*/variant.json', {
  import: 'default',
  eager: true,
}) as Record<string, { of: string }>;
const documents = import.meta.glob(
  ['../fixtures/croissant/*/*/metadata.json', '../fixtures/croissant/*/recipes/*.json'],
  { query: '?raw', import: 'default', eager: true },
) as Record<string, string>;

/**
 * Cases the reference produces with tools outside any browser: audio decoded by librosa into
 * float arrays (README, Limits). For these the suite checks what it can: record count and
 * that the raw bytes of each file come through.
 */
export const NOT_REPRODUCIBLE: Record<string, string> = {
  '1.0/audio_test/records': 'audio decoded and resampled by librosa (numpy float arrays)',
};

export interface Case {
  id: string;
  /** Path of the Croissant document, relative to the fixtures root. */
  doc: string;
  recordSet: string;
  expected: Record<string, unknown>[];
}

/** Lists the cases, pairing each expected output with the document that declares its record set. */
export function conformanceCases(): Case[] {
  const cases: Case[] = [];
  for (const [key, text] of Object.entries(outputs)) {
    if (key.includes('/network-only/')) continue;
    const rel = key.replace('../fixtures/croissant/', '');
    const dir = rel.slice(0, rel.indexOf('/output/'));
    const recordSet = rel.slice(rel.lastIndexOf('/') + 1).replace(/\.jsonl$/, '');
    const candidates = Object.keys(documents)
      .map((d) => d.replace('../fixtures/croissant/', ''))
      .filter((d) => d.startsWith(dir + '/') && !d.slice(dir.length + 1).includes('/'));
    const doc =
      candidates.find((d) => d.endsWith('/metadata.json')) ??
      candidates.find((d) =>
        (documents[`../fixtures/croissant/${d}`] ?? '').includes(`"${recordSet}"`),
      );
    if (!doc) throw new Error(`no document declares ${recordSet} for ${key}`);
    const expected = text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    cases.push({ id: `${dir}/${recordSet}`, doc, recordSet, expected });
  }
  for (const [key, { of }] of Object.entries(variants)) {
    const dir = key.replace('../fixtures/croissant/', '').replace(/\/variant\.json$/, '');
    const originals = cases.filter((c) => c.id.startsWith(`${of}/`));
    if (!originals.length) throw new Error(`${key}: no expected output under ${of}`);
    for (const c of originals) {
      const recordSet = c.id.slice(of.length + 1);
      cases.push({ ...c, id: `${dir}/${recordSet}`, doc: `${dir}/metadata.json` });
    }
  }
  return cases.sort((a, b) => (a.id < b.id ? -1 : 1));
}

const canonical = (o: Record<string, unknown>) =>
  JSON.stringify(Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1))));

export interface Environment {
  name: string;
  /** Makes the document at `doc` (relative to the fixtures root) readable through an adapter. */
  open(doc: string): Promise<{ location: string; resolver: Resolver }>;
}

/** Registers the suite; prints the pass count and fails on any miss. */
export function conformanceSuite(env: Environment): void {
  const cases = conformanceCases();
  let passed = 0;
  describe(`conformance (${env.name})`, () => {
    it('finds every expected output in the corpus', () => {
      expect(cases.length).toBeGreaterThanOrEqual(20);
    });
    for (const c of cases) {
      it(c.id, async () => {
        const { location, resolver } = await env.open(c.doc);
        const { metadata, errors } = await readCroissant(location, { resolver });
        expect(errors).toEqual([]);
        const rows = [];
        for await (const row of recordRows(metadata!, c.recordSet, { resolver })) rows.push(row);
        const why = NOT_REPRODUCIBLE[c.id];
        if (why) {
          expect(rows.length).toBe(c.expected.length);
          for (const r of rows)
            for (const v of Object.values(r))
              expect((v as { bytes: Uint8Array }).bytes.byteLength).toBeGreaterThan(1000);
          console.log(
            `conformance (${env.name}): ${c.id} checked for count and bytes only: ${why}`,
          );
          return;
        }
        expect(rows.map((r) => canonical(normaliseRow(r)))).toEqual(c.expected.map(canonical));
        passed++;
      });
    }
    it('reports the pass count', () => {
      const exact = cases.length - Object.keys(NOT_REPRODUCIBLE).length;
      console.log(
        `conformance (${env.name}): ${passed}/${exact} record sets identical to the reference`,
      );
      expect(passed).toBe(exact);
    });
  });
}
