/**
 * The prompt (issue 18 §2): instructions, then the chosen datasets as `CREATE TABLE` statements
 * under their SQL names, annotated with Croissant descriptions, RAI fields, statistics and sample
 * values, within a character budget. When it does not fit, the least important annotations go
 * first, in a fixed order (so the same input always gives the same prompt): sample values, the
 * licence, statistics, RAI fields, field descriptions, record set descriptions, dataset
 * descriptions; within one kind, the last in the document goes first. The statements themselves
 * are never cut: without them the model cannot name a table.
 */
import { ident } from '../query/sql.ts';
import { ChatError } from './errors.ts';
import type { GroundingColumn, GroundingDataset } from './grounding.ts';

/** About 6,000 tokens at ~4 characters a token: room for the answer in an 8k context. */
export const DEFAULT_BUDGET_CHARS = 24_000;

/** The kinds of annotation, least important first (the order they are dropped in). */
export const ANNOTATION_KINDS = [
  'samples',
  'license',
  'stats',
  'rai',
  'field-description',
  'table-description',
  'dataset-description',
] as const;
export type AnnotationKind = (typeof ANNOTATION_KINDS)[number];

/** Longest text kept of one annotation, by kind (descriptions can be pages long). */
const MAX_CHARS: Record<AnnotationKind, number> = {
  samples: 200,
  license: 100,
  stats: 200,
  rai: 300,
  'field-description': 200,
  'table-description': 300,
  'dataset-description': 600,
};

/** The instructions every prompt starts with. */
export const INSTRUCTIONS = [
  'You write DuckDB SQL over a read-only data lake. Answer the question with exactly one',
  'SELECT statement (WITH is allowed) over the tables below, inside a ```sql code block, then',
  'at most two sentences. Write table names exactly as below, quoted the same way. Statements',
  'that write (INSERT, UPDATE, DELETE, CREATE, COPY, ATTACH, SET) and reading files or URLs are',
  'refused. If the tables cannot answer the question, say so and write no SQL.',
].join('\n');

interface Piece {
  kind: AnnotationKind;
  text: string;
}
/** A line of the prompt: fixed text, then annotations (as a `--` comment) while they fit. */
interface Line {
  head: string;
  pieces: Piece[];
  /** The head is itself a comment: annotations follow after a space, not `--`. */
  comment?: boolean;
}

/** A prompt built within its budget. */
export interface SchemaPrompt {
  /** The system message: instructions and schema. */
  text: string;
  /** Annotations left out to fit the budget, by kind. */
  dropped: Partial<Record<AnnotationKind, number>>;
}

/** One line of text, shortened to `max` characters: a `--` comment must not break. */
function oneLine(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : t.slice(0, max - 1) + '…';
}

function piece(kind: AnnotationKind, text: string | undefined): Piece[] {
  return text ? [{ kind, text: oneLine(text, MAX_CHARS[kind]) }] : [];
}

function columnPieces(c: GroundingColumn): Piece[] {
  const s = c.stats;
  const range = s?.min !== undefined ? `, ${s.min} to ${s.max}` : '';
  const quoted = c.samples?.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ');
  return [
    ...piece('field-description', c.description),
    ...piece('stats', s && `${s.nulls} null, ~${s.distinct} distinct${range}`),
    ...piece('samples', quoted && `e.g. ${quoted}`),
  ];
}

function datasetLines(d: GroundingDataset): Line[] {
  const title = d.name && d.name !== d.dataset ? ` (${oneLine(d.name, 100)})` : '';
  const lines: Line[] = [
    {
      head: `-- Dataset ${d.dataset}${title} at ${d.rev}, commit ${d.commit.slice(0, 12)}.`,
      pieces: [
        ...piece('dataset-description', d.description),
        ...piece('license', d.license && `Licence: ${d.license}.`),
      ],
      comment: true,
    },
    ...d.rai.map(([k, v]) => ({ head: '', pieces: piece('rai', `RAI ${k}: ${v}`) })),
  ];
  for (const t of d.tables) {
    lines.push({ head: `CREATE TABLE ${t.sqlName} (`, pieces: [] });
    lines.push({
      head: `  -- record set ${t.name}, ${t.rows} rows.`,
      pieces: piece('table-description', t.description),
      comment: true,
    });
    t.columns.forEach((c, i) => {
      const comma = i < t.columns.length - 1 ? ',' : '';
      lines.push({ head: `  ${ident(c.name)} ${c.sqlType}${comma}`, pieces: columnPieces(c) });
    });
    lines.push({ head: ');', pieces: [] });
  }
  return lines;
}

function render(lines: readonly Line[], kept: ReadonlySet<Piece>): string {
  const out: string[] = [];
  for (const l of lines) {
    const texts = l.pieces.filter((p) => kept.has(p)).map((p) => p.text);
    if (!l.head && !texts.length) continue;
    if (!texts.length) out.push(l.head);
    else if (!l.head) out.push(`-- ${texts.join(' ')}`);
    else out.push(`${l.head}${l.comment ? ' ' : ' -- '}${texts.join('; ')}`);
  }
  return out.join('\n');
}

/**
 * The system message for `datasets` within `maxChars` characters (see the module comment).
 * Throws BUDGET when even the statements do not fit.
 */
export function buildSchemaPrompt(
  datasets: readonly GroundingDataset[],
  opts: { maxChars?: number } = {},
): SchemaPrompt {
  const maxChars = opts.maxChars ?? DEFAULT_BUDGET_CHARS;
  if (!(Number.isSafeInteger(maxChars) && maxChars > 0)) {
    throw new ChatError(
      'BAD_INPUT',
      `the prompt budget must be a positive number of characters, not ${maxChars}`,
    );
  }
  const lines = [{ head: INSTRUCTIONS, pieces: [] }, ...datasets.flatMap(datasetLines)];
  const all = lines.flatMap((l) => l.pieces);
  const kept = new Set(all);
  // Least important kind first; within a kind, the last in the document first.
  const order = all
    .map((p, i) => ({ p, i }))
    .sort(
      (a, b) =>
        ANNOTATION_KINDS.indexOf(a.p.kind) - ANNOTATION_KINDS.indexOf(b.p.kind) || b.i - a.i,
    )
    .map(({ p }) => p);
  const dropped: SchemaPrompt['dropped'] = {};
  let text = render(lines, kept);
  for (const p of order) {
    if (text.length <= maxChars) break;
    kept.delete(p);
    dropped[p.kind] = (dropped[p.kind] ?? 0) + 1;
    text = render(lines, kept);
  }
  if (text.length > maxChars) {
    throw new ChatError(
      'BUDGET',
      `the tables' schema alone takes ${text.length} characters, more than the prompt budget of ` +
        `${maxChars}: choose fewer datasets or record sets, or raise the budget`,
    );
  }
  return { text, dropped };
}
