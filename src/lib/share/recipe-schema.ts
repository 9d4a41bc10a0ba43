/**
 * The recipe of a branch (what a share link or recipe file holds) and its strict validation.
 * Everything read from a link is untrusted: {@link validateRecipe} rebuilds a recipe from the
 * fields it knows, each checked, and refuses the first bad one with its location.
 */
import { LakeError } from '../store/errors.ts';
import type { ColumnDef, ColumnType } from '../versions/manifest.ts';
import { refNameFrom, refNameProblem } from '../versions/ref-names.ts';
import { checkRefName } from '../versions/refs.ts';
import { checkOpinionStep, type OpinionRecipeStep } from './recipe-opinions.ts';
import { unsafeUrl } from './safety.ts';

export const RECIPE_FORMAT = 'croissant-lake/recipe';
export const RECIPE_VERSION = 1;

/** What a record set should hold: live rows, and a prefix of its part's content hash. */
export interface RecordSetExpectation {
  rows: number;
  /** The first 16 hex digits of the record set's content hash (content-hash.ts). */
  hash: string;
}

/** Keep the rows a SQL WHERE predicate selects (lineage op "filter"). */
export interface FilterStep {
  op: 'filter';
  /** Record set @id. */
  recordSet: string;
  /** SQL WHERE predicate, run read-only by the replaying side's engine after confirmation. */
  predicate: string;
  /** Rows kept when the recipe was made. */
  kept?: number;
  /** Content hash after this step when the recipe was made. */
  result?: string;
}

/** Add columns from a CSV served at an http(s) URL (lineage op "add-columns"). */
export interface AddColumnsStep {
  op: 'add-columns';
  recordSet: string;
  /** The CSV's URL and the sha256 of its bytes when the recipe was made. */
  url: string;
  sha256: string;
  /** Key: `_rowid`, or the name of an existing column. */
  key: { by: 'rowid' } | { by: 'field'; column: string };
  columns: ColumnDef[];
  /** Skip CSV keys that match no row (the original run did). */
  ignoreUnmatched: boolean;
  result?: string;
}

export type RecipeStep = FilterStep | AddColumnsStep | OpinionRecipeStep;

/** A branch as a reproducible recipe: its source, the operations after ingest, and hashes. */
export interface Recipe {
  format: typeof RECIPE_FORMAT;
  version: typeof RECIPE_VERSION;
  /** The dataset id where the recipe was made (a suggestion for the replaying lake). */
  dataset: string;
  /** The http(s) URL of the Croissant document. */
  source: string;
  /** sha256 of the document's bytes at ingest. */
  sourceSha256: string;
  /** Content hash of the ingest commit, and its record sets. */
  ingestHash: string;
  ingestRecordSets: Record<string, RecordSetExpectation>;
  steps: RecipeStep[];
  /** Suggested name of the replayed branch. */
  branch: string;
  /** Content hash of the branch head, and its record sets. */
  result: string;
  resultRecordSets: Record<string, RecordSetExpectation>;
}

const COLUMN_TYPES: readonly ColumnType[] = [
  'int64',
  'float64',
  'bool',
  'timestamp',
  'utf8',
  'image',
  'blob',
];
const MAX_STEPS = 1000;
/** A dataset id as `datasetId` (ingest.ts) makes them. */
const DATASET_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const MAX_TEXT = 100_000;

type Obj = Record<string, unknown>;

/** Validation of one recipe; every error names `where` and the field's path. */
export class Checker {
  constructor(private readonly where: string) {}

  fail(path: string, problem: string): never {
    throw new LakeError('BAD_INPUT', `${this.where}: ${path} ${problem}`);
  }

  obj(v: unknown, path: string): Obj {
    if (!v || typeof v !== 'object' || Array.isArray(v)) this.fail(path, 'must be an object');
    return v as Obj;
  }

  str(v: unknown, path: string, max = 1000): string {
    if (typeof v !== 'string' || !v) this.fail(path, 'must be a non-empty string');
    if (v.length > max) this.fail(path, `is longer than ${max} characters`);
    return v;
  }

  hash(v: unknown, path: string, short = false): string {
    const s = this.str(v, path);
    if (!(short ? /^[0-9a-f]{16,64}$/ : /^[0-9a-f]{64}$/).test(s)) {
      this.fail(path, `must be a lowercase hex sha256${short ? ' (or its first 16 digits)' : ''}`);
    }
    return s;
  }

  count(v: unknown, path: string): number {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      this.fail(path, 'must be a non-negative integer');
    }
    return v;
  }

  url(v: unknown, path: string): string {
    const bad = unsafeUrl(v);
    if (bad) this.fail(path, `${bad.reason}; links never carry credentials or local paths`);
    return v as string;
  }

  expectations(v: unknown, path: string): Record<string, RecordSetExpectation> {
    // fromEntries defines own properties, so a key such as "__proto__" stays a plain key.
    return Object.fromEntries(
      Object.entries(this.obj(v, path)).map(([id, e]) => {
        const o = this.obj(e, `${path}.${id}`);
        const rows = this.count(o.rows, `${path}.${id}.rows`);
        return [id, { rows, hash: this.hash(o.hash, `${path}.${id}.hash`, true) }];
      }),
    );
  }

  column(v: unknown, path: string): ColumnDef {
    const o = this.obj(v, path);
    const type = this.str(o.type, `${path}.type`) as ColumnType;
    if (!COLUMN_TYPES.includes(type))
      this.fail(`${path}.type`, `is not one of ${COLUMN_TYPES.join(', ')}`);
    const c: ColumnDef = { name: this.str(o.name, `${path}.name`), type };
    if (o.field !== undefined) c.field = this.str(o.field, `${path}.field`);
    if (o.json !== undefined) {
      if (typeof o.json !== 'boolean') this.fail(`${path}.json`, 'must be true or false');
      c.json = o.json;
    }
    return c;
  }

  step(v: unknown, path: string): RecipeStep {
    const o = this.obj(v, path);
    const opinions = checkOpinionStep(this, o, path);
    if (opinions) return opinions;
    const recordSet = this.str(o.recordSet, `${path}.recordSet`);
    const result = o.result === undefined ? {} : { result: this.hash(o.result, `${path}.result`) };
    if (o.op === 'filter') {
      return {
        op: 'filter',
        recordSet,
        predicate: this.str(o.predicate, `${path}.predicate`, MAX_TEXT),
        ...(o.kept === undefined ? {} : { kept: this.count(o.kept, `${path}.kept`) }),
        ...result,
      };
    }
    if (o.op === 'add-columns') {
      const key = this.obj(o.key, `${path}.key`);
      if (key.by !== 'rowid' && key.by !== 'field')
        this.fail(`${path}.key.by`, 'must be "rowid" or "field"');
      if (!Array.isArray(o.columns) || !o.columns.length)
        this.fail(`${path}.columns`, 'must be a non-empty list');
      if (typeof o.ignoreUnmatched !== 'boolean')
        this.fail(`${path}.ignoreUnmatched`, 'must be true or false');
      return {
        op: 'add-columns',
        recordSet,
        url: this.url(o.url, `${path}.url`),
        sha256: this.hash(o.sha256, `${path}.sha256`),
        key:
          key.by === 'rowid'
            ? { by: 'rowid' }
            : { by: 'field', column: this.str(key.column, `${path}.key.column`) },
        columns: o.columns.map((c, i) => this.column(c, `${path}.columns[${i}]`)),
        ignoreUnmatched: o.ignoreUnmatched,
        ...result,
      };
    }
    this.fail(
      `${path}.op`,
      `is "${String(o.op)}"; this version can replay "filter", "add-columns", "opinions", "opinions-column" and "consolidate"`,
    );
  }
}

/**
 * Checks an untrusted value as a recipe and returns a fresh copy holding only known fields.
 * Any problem is BAD_INPUT `"<where>: <field path> <problem>"`; `where` is e.g. "share link".
 */
export function validateRecipe(value: unknown, where = 'recipe'): Recipe {
  const c: Checker = new Checker(where);
  const o = c.obj(value, 'recipe');
  if (o.format !== RECIPE_FORMAT) {
    c.fail(
      'format',
      `is ${JSON.stringify(o.format) ?? 'missing'}, not "${RECIPE_FORMAT}": this is not a croissant-lake recipe`,
    );
  }
  if (o.version !== RECIPE_VERSION) {
    c.fail(
      'version',
      `is ${JSON.stringify(o.version) ?? 'missing'}; this croissant-lake reads version ${RECIPE_VERSION}. Update croissant-lake to open it.`,
    );
  }
  const dataset = c.str(o.dataset, 'dataset', 64);
  if (!DATASET_ID.test(dataset)) c.fail('dataset', 'must be lowercase letters, digits and dashes');
  const asked = c.str(o.branch, 'branch', 200);
  // A name this lake no longer gives a new branch but an earlier version did (`x.lock`, `HEAD`:
  // ref-names.ts) came from a real link: it still opens, under the nearest name allowed.
  const branch = refNameProblem(asked) && earlierRefName(asked) ? refNameFrom(asked) : asked;
  try {
    checkRefName(branch);
  } catch (e) {
    c.fail('branch', (e as Error).message);
  }
  if (!Array.isArray(o.steps)) c.fail('steps', 'must be a list');
  if (o.steps.length > MAX_STEPS) c.fail('steps', `has more than ${MAX_STEPS} steps`);
  const recipe: Recipe = {
    format: RECIPE_FORMAT,
    version: RECIPE_VERSION,
    dataset,
    source: c.url(o.source, 'source'),
    sourceSha256: c.hash(o.sourceSha256, 'sourceSha256'),
    ingestHash: c.hash(o.ingestHash, 'ingestHash'),
    ingestRecordSets: c.expectations(o.ingestRecordSets, 'ingestRecordSets'),
    steps: o.steps.map((s, i) => c.step(s, `steps[${i}]`)),
    branch,
    result: c.hash(o.result, 'result'),
    resultRecordSets: c.expectations(o.resultRecordSets, 'resultRecordSets'),
  };
  checkConsistent(c, recipe);
  return recipe;
}

/**
 * A recipe's hashes say the same thing twice: the branch's content is that after its last step
 * (or the import's, with no steps). A link where they disagree was altered or damaged, and is
 * refused before anything is imported or run.
 */
function checkConsistent(c: Checker, r: Recipe): void {
  const last = r.steps.length - 1;
  const after = last < 0 ? r.ingestHash : r.steps[last]!.result;
  const from = last < 0 ? 'ingestHash (the link has no steps)' : `steps[${last}].result`;
  if (after !== undefined && after !== r.result) {
    c.fail('result', `is not ${from}: the link was altered or damaged`);
  }
}

/** The SQL a recipe would run (its filter predicates), to show and confirm before any runs. */
export function recipeSql(recipe: Recipe): { recordSet: string; predicate: string }[] {
  return recipe.steps.flatMap((s) =>
    s.op === 'filter' ? [{ recordSet: s.recordSet, predicate: s.predicate }] : [],
  );
}

/**
 * Whether `name` passed the branch-name check of croissant-lake before git's rules were adopted
 * (2026-12-06): a link made then may carry it.
 */
function earlierRefName(name: string): boolean {
  return !(
    !name ||
    name.length > 200 ||
    /[\s~^:?*[\\]/.test(name) ||
    [...name].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f) ||
    name.startsWith('/') ||
    name.endsWith('/') ||
    name.includes('//') ||
    name.includes('..') ||
    name.startsWith('-')
  );
}
