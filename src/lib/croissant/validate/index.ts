/**
 * Static validation of a Croissant document, reproducing the messages of the reference
 * validator (mlcroissant): the same errors and warnings, located the same way
 * (`[Metadata(x) > RecordSet(y) > Field(z)] message`), sorted like its report.
 */
import { DCT, SCHEMA, hasType, values } from '../jsonld.ts';
import type { ExpandedNode } from '../jsonld.ts';
import type { CroissantVersion, Issue } from '../model.ts';
import { checkField, checkFile, checkRecordSet } from './checks.ts';
import { checkGraph } from './graph.ts';
import { Issues } from './issues.ts';
import { checkConformsTo, checkMetadata } from './metadata.ts';
import { buildMetadata } from './nodes.ts';
import type { VField } from './nodes.ts';
import { isBadId, pyGet } from './read.ts';
import type { ReadCtx } from './read.ts';
import { vocabFor } from './vocab.ts';

/** The outcome of validation: both lists sorted like the reference prints them. */
export interface ValidationResult {
  errors: Issue[];
  warnings: Issue[];
}

/** Reports every `@id` containing whitespace, which the reference does not support. */
function checkIds(issues: Issues, value: unknown): void {
  if (Array.isArray(value)) {
    for (const v of value) checkIds(issues, v);
    return;
  }
  if (!value || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (k === '@id' && typeof v === 'string' && isBadId(v)) {
      issues.error(
        `The dataset contains a wrong \`@id\`: '${v}'. Note that currently we do not support` +
          ' `@id`s containing whitespaces (not even if URL-escaped).',
      );
    } else if (k !== '@value') checkIds(issues, v);
  }
}

/**
 * The version the reference validates against: without any `conformsTo` it assumes 0.8,
 * whatever namespace the document uses.
 */
export function referenceVersion(root: ExpandedNode, version: CroissantVersion): CroissantVersion {
  const declared =
    values(root, DCT + 'conformsTo').length + values(root, SCHEMA + 'conformsTo').length;
  return declared === 0 ? '0.8' : version;
}

function fieldsOf(fields: VField[]): VField[] {
  return fields.flatMap((f) => [f, ...fieldsOf(f.subFields)]);
}

/**
 * Validates a Croissant document.
 *
 * @param root the dataset node (the expanded node typed schema.org/Dataset), if any
 * @param expanded the whole expanded document (every `@id` in it is checked)
 * @param version the Croissant version the document conforms to (a document without any
 *   `conformsTo` is validated as 0.8, as the reference does)
 * @returns errors and warnings, each sorted; an empty `errors` means the reference would
 *   accept the document
 */
export function validate(
  root: ExpandedNode | undefined,
  expanded: ExpandedNode[],
  version: CroissantVersion,
): ValidationResult {
  const issues = new Issues();
  checkIds(issues, expanded);
  if (!root || !hasType(root, SCHEMA + 'Dataset')) {
    issues.error("The current JSON-LD doesn't extend https://schema.org/Dataset.");
    return issues.result();
  }
  let blank = 0;
  const ctx: ReadCtx = {
    issues,
    vocab: vocabFor(referenceVersion(root, version)),
    blankId: () => `_:b${blank++}`,
  };
  checkConformsTo(ctx, root);
  const meta = buildMetadata(ctx, root);
  const isLive = pyGet(root, [ctx.vocab.p.isLiveDataset]) === true;
  for (const file of meta.distribution) checkFile(ctx, file, isLive);
  for (const rs of meta.recordSets) {
    checkRecordSet(ctx, rs);
    for (const field of fieldsOf(rs.fields)) checkField(ctx, field);
  }
  checkGraph(ctx, meta);
  checkMetadata(ctx, meta);
  return issues.result();
}
