/**
 * roles.ts: which record set a view opens on, and which column is the label (issue 11: "The
 * Query view opens on the first record set, even one marked 'for checking only'"; "Image tiles
 * do not show the label"). Read from the bundled demo's real metadata; the row counts are the
 * demo's (public/examples/README.md: 5,000 images, the first 800 also as DICOM).
 */
import { describe, expect, it } from 'vitest';
import demo from '../../public/examples/synthetic-lesions/metadata.json';
import titanic from '../../public/examples/titanic/metadata.json';
import {
  defaultRecordSet,
  documentDescriptions,
  isCheckingOnly,
  isLabelColumn,
  type RoleTable,
} from '../../src/lib/query/roles.ts';
import type { ColumnType } from '../../src/lib/versions/manifest.ts';

interface DocField {
  '@id'?: string;
  name: string;
  dataType?: string | string[];
}
interface DocRecordSet {
  '@id'?: string;
  name: string;
  field?: DocField[];
}

/** The record sets of a document as the lake describes them (in the lake's id order). */
function tables(doc: { recordSet: DocRecordSet[] }, rows: Record<string, number>): RoleTable[] {
  const d = documentDescriptions(doc);
  return [...doc.recordSet]
    .sort((a, b) => (a['@id'] ?? a.name).localeCompare(b['@id'] ?? b.name))
    .map((rs) => {
      const id = rs['@id'] ?? rs.name;
      const columns = (rs.field ?? []).map((f) => {
        const type: ColumnType = f.dataType === 'sc:ImageObject' ? 'image' : 'utf8';
        const description = d.fields.get(f['@id'] ?? f.name);
        return { name: f.name.slice(id.length + 1), type, ...(description ? { description } : {}) };
      });
      const description = d.recordSets.get(id);
      return {
        recordSet: id,
        rows: rows[id] ?? 0,
        columns: [{ name: '_rowid', type: 'int64' as const }, ...columns],
        ...(description ? { description } : {}),
      };
    });
}

/**
 * Rows of the demo's record sets (reads.csv has 6,126 lines after its header: every read,
 * correction and adjudication, more than there are images).
 */
const DEMO_ROWS = {
  reads: 6126,
  images: 5000,
  studies: 5000,
  labels: 5000,
  png_files: 5000,
  dicom: 800,
  ground_truth: 5000,
};

describe('the record set a view opens on', () => {
  it('is the demo\'s images, never ground_truth ("for checking analyses only")', () => {
    const all = tables(demo as { recordSet: DocRecordSet[] }, DEMO_ROWS);
    // In the lake's order ground_truth comes before images, and both have 5,000 rows: the old
    // choice ("the largest", first of equals) was ground_truth.
    expect(all.map((t) => t.recordSet)).toEqual([
      'dicom',
      'ground_truth',
      'images',
      'labels',
      'png_files',
      'reads',
      'studies',
    ]);
    const truth = all.find((t) => t.recordSet === 'ground_truth')!;
    expect(truth.description).toBe(
      'ground_truth.csv: what the generator drew. For checking analyses only.',
    );
    expect(isCheckingOnly(truth.description)).toBe(true);
    expect(defaultRecordSet(all)?.recordSet).toBe('images');
  });

  it('prefers an image, then more rows, then more columns; a checking-only one last', () => {
    const t = (recordSet: string, rows: number, cols: number, extra: Partial<RoleTable> = {}) => ({
      recordSet,
      rows,
      columns: Array.from({ length: cols }, (_, i) => ({ name: `c${i}` })),
      ...extra,
    });
    expect(defaultRecordSet([t('a', 10, 2), t('b', 20, 1)])?.recordSet).toBe('b');
    expect(defaultRecordSet([t('a', 10, 2), t('b', 10, 3)])?.recordSet).toBe('b');
    expect(defaultRecordSet([t('a', 10, 2), t('b', 10, 2)])?.recordSet).toBe('a');
    const image = { columns: [{ name: 'x' }, { name: 'img', type: 'image' as const }] };
    expect(defaultRecordSet([t('a', 10, 2), t('b', 10, 2, image)])?.recordSet).toBe('b');
    // An image beats more rows and more columns (a log of reads outnumbers the images).
    expect(defaultRecordSet([t('a', 90, 9), t('b', 10, 2, image)])?.recordSet).toBe('b');
    const check = { description: 'What was drawn; for checking only.' };
    expect(defaultRecordSet([t('a', 99, 9, check), t('b', 1, 1)])?.recordSet).toBe('b');
    // Only checking-only record sets: still one of them.
    expect(defaultRecordSet([t('a', 99, 9, check)])?.recordSet).toBe('a');
    expect(defaultRecordSet([])).toBeUndefined();
  });

  it("is titanic's passengers", () => {
    const all = tables(titanic as { recordSet: DocRecordSet[] }, {
      genders: 2,
      embarkation_ports: 4,
      passengers: 1309,
    });
    expect(defaultRecordSet(all)?.recordSet).toBe('passengers');
    expect(all.some((x) => isCheckingOnly(x.description))).toBe(false);
  });

  it('reads "for checking only" and its kin, and nothing else, as the mark', () => {
    for (const d of [
      'What the generator drew; for checking only.',
      'For checking analyses only.',
      'Held out for validation only',
      'for evaluation purposes only',
    ]) {
      expect(isCheckingOnly(d), d).toBe(true);
    }
    for (const d of [
      undefined,
      'The list of passengers. Does not include crew members.',
      'Only for checking',
      'Used for checking the model, and for training',
    ]) {
      expect(isCheckingOnly(d), String(d)).toBe(false);
    }
  });
});

describe('the label column', () => {
  it("is the demo's lesion (its description says Label), not who labelled it", () => {
    const images = tables(demo as { recordSet: DocRecordSet[] }, DEMO_ROWS).find(
      (t) => t.recordSet === 'images',
    )!;
    expect(images.columns.filter((c) => isLabelColumn(c)).map((c) => c.name)).toEqual(['lesion']);
  });

  it('is a column named as a label, or described as one', () => {
    for (const name of ['label', 'class', 'diagnosis', 'survived', 'images/label', 'y']) {
      expect(isLabelColumn({ name }), name).toBe(true);
    }
    for (const name of ['lesion', 'labelled_by', 'classes_count', 'age']) {
      expect(isLabelColumn({ name }), name).toBe(false);
    }
    expect(isLabelColumn({ name: 'finding', description: 'Label (benign, malignant)' })).toBe(true);
    expect(isLabelColumn({ name: 'annotator', description: 'Who labelled the image' })).toBe(false);
  });
});

describe('documentDescriptions', () => {
  it('reads record sets and fields (and sub-fields) by @id and name, strings or @value', () => {
    const d = documentDescriptions({
      'cr:recordSet': [
        {
          '@id': 'rs1',
          name: 'first',
          description: { '@value': 'one', '@language': 'en' },
          field: [
            {
              '@id': 'rs1/a',
              name: 'a',
              description: ['A'],
              subField: [{ name: 'rs1/a/b', description: 'B' }],
            },
            { name: 'rs1/c' },
          ],
        },
        'not a record set',
      ],
    });
    expect(Object.fromEntries(d.recordSets)).toEqual({ rs1: 'one', first: 'one' });
    expect(Object.fromEntries(d.fields)).toEqual({ 'rs1/a': 'A', a: 'A', 'rs1/a/b': 'B' });
    expect(documentDescriptions(null).fields.size).toBe(0);
    expect(documentDescriptions([1, 2]).recordSets.size).toBe(0);
  });
});
