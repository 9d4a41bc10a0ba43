/** Helpers shared by the opinions commands: the subject record set and key, weights files. */
import { readFileSync } from 'node:fs';
import { LakeError } from '../lib/store/errors.ts';
import { OPINIONS_RS } from '../lib/opinions/model.ts';
import { documentKey } from '../lib/opinions/revision.ts';
import { scanStored } from '../lib/opinions/stored.ts';
import type { Lake } from '../lib/versions/lake.ts';
import { str, type Values } from './lake-cli.ts';

/** The subject record set: the option, else the one record set that is not the opinions. */
export async function subjectSetOf(lake: Lake, dataset: string, rev: string, values: Values) {
  const given = str(values, 'subject-set');
  if (given) return given;
  const commit = await lake.readCommit(await lake.resolve(dataset, rev));
  const sets = Object.keys(commit.recordSets).filter((s) => s !== OPINIONS_RS);
  if (sets.length === 1) return sets[0]!;
  // The opinions so far are about one record set: that one.
  const about = (await scanStored(lake.chunks, commit, null)).subjectSets;
  if (about.size === 1) return [...about][0]!;
  throw new LakeError(
    'BAD_INPUT',
    `which record set are the subjects rows of? Give --subject-set (${sets.join(', ')})`,
  );
}

/** The subject key column: the option, else the record set's key in the Croissant document. */
export async function subjectKeyOf(
  lake: Lake,
  dataset: string,
  rev: string,
  set: string,
  values: Values,
) {
  const given = str(values, 'subject-key');
  if (given) return given;
  const commit = await lake.readCommit(await lake.resolve(dataset, rev));
  return documentKey(lake, commit, set);
}

/** Reads a weights file ({actor: weight}) for the weighted rule. */
export function readWeights(path: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new LakeError(
      'BAD_INPUT',
      `${path}: not a JSON file of {actor: weight}: ${(e as Error).message}`,
    );
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    throw new LakeError('BAD_INPUT', `${path}: must be a JSON object {actor: weight}`);
  }
  return v as Record<string, unknown>;
}
