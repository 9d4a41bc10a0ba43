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
import { checkCycles } from './cycles.ts';
import { Issues } from './issues.ts';
import type { Locatable } from './issues.ts';
import { checkConformsTo, checkMetadata } from './metadata.ts';
import { buildMetadata } from './build.ts';
import type { VField, VMetadata, VNode, VRecordSet } from './nodes.ts';
import { isBadId, pyGet } from './read.ts';
import type { ReadCtx } from './read.ts';
import { vocabFor } from './vocab.ts';

/** The outcome of validation: both lists sorted like the reference prints them. */
export interface ValidationResult {
  errors: Issue[];
  warnings: Issue[];
}

/**
 * Reports every `@id` containing whitespace, which the reference does not support, placed at
 * the nearest node of the structure graph (`places` maps expanded nodes to it).
 */
function checkIds(
  issues: Issues,
  expanded: unknown,
  places: Map<unknown, Locatable>,
  top: Locatable,
) {
  // Iterative: the document's depth is bounded, but no walk here needs the call stack.
  const stack: Array<[unknown, Locatable]> = [[expanded, top]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [value, outer] = item;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], outer]);
      continue;
    }
    if (!value || typeof value !== 'object') continue;
    const here = places.get(value) ?? outer;
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, v] = entries[i] as [string, unknown];
      if (k === '@id' && typeof v === 'string' && isBadId(v)) {
        issues.at(here, () =>
          issues.error(
            `The dataset contains a wrong \`@id\`: '${v}'. Note that currently we do not support` +
              ' `@id`s containing whitespaces (not even if URL-escaped).',
          ),
        );
      } else if (k !== '@value') stack.push([v, here]);
    }
  }
}

/** The place of issues about the document's top node when it is not a Dataset. */
function topNode(root: ExpandedNode | undefined): Locatable {
  if (!root) return { kind: 'Document', name: null, parents: [] };
  const types = root['@type'] ?? [];
  return { kind: 'Node', name: `@type ${types.join(', ') || 'none'}`, parents: [] };
}

/** Expanded node → the node of the structure graph it became. */
function placesOf(meta: VMetadata): Map<unknown, Locatable> {
  const places = new Map<unknown, Locatable>();
  const stack: VNode[] = [meta, ...meta.distribution, ...meta.recordSets];
  for (let n = stack.pop(); n; n = stack.pop()) {
    places.set(n.raw, n);
    if (n.kind === 'RecordSet') stack.push(...(n as VRecordSet).fields);
    if (n.kind === 'Field') stack.push(...(n as VField).subFields);
  }
  return places;
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
  if (!root || !hasType(root, SCHEMA + 'Dataset')) {
    const top = topNode(root);
    checkIds(issues, expanded, new Map(), top);
    issues.at(top, () =>
      issues.error("The current JSON-LD doesn't extend https://schema.org/Dataset."),
    );
    return issues.result();
  }
  let blank = 0;
  const ctx: ReadCtx = {
    issues,
    vocab: vocabFor(referenceVersion(root, version)),
    blankId: () => `_:b${blank++}`,
  };
  const meta = buildMetadata(ctx, root);
  checkIds(issues, expanded, placesOf(meta), meta);
  issues.at(meta, () => {
    issues.at(issues.property('conformsTo'), () => checkConformsTo(ctx, root));
    const isLive = pyGet(root, [ctx.vocab.p.isLiveDataset]) === true;
    for (const file of meta.distribution) checkFile(ctx, file, isLive);
    for (const rs of meta.recordSets) {
      checkRecordSet(ctx, rs);
      for (const field of fieldsOf(rs.fields)) checkField(ctx, field);
    }
    checkGraph(ctx, meta);
    checkCycles(ctx, meta);
    checkMetadata(ctx, meta);
  });
  return issues.result();
}
