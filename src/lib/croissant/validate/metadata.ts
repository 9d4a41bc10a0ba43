/**
 * Dataset-level checks: `conformsTo`, name, version, license, dates, and the recommended
 * properties (citeAs/citation, datePublished, license, version) whose absence is a warning.
 */
import { DCT, SCHEMA, values } from '../jsonld.ts';
import type { ExpandedNode } from '../jsonld.ts';
import { pyRepr, pyTruthy, pyTypeName } from './issues.ts';
import { checkName, mandatory } from './checks.ts';
import { isIsoDate } from './dates.ts';
import type { VMetadata } from './nodes.ts';
import { pyGet, toPy } from './read.ts';
import type { ReadCtx } from './read.ts';

const KNOWN_VERSIONS = /^https?:\/\/mlcommons\.org\/croissant\/(0\.8|1\.0|1\.1)\/?$/;

/** `conformsTo` naming something other than a Croissant version (single values only). */
export function checkConformsTo(ctx: ReadCtx, root: ExpandedNode): void {
  const all = [...values(root, DCT + 'conformsTo'), ...values(root, SCHEMA + 'conformsTo')].map(
    toPy,
  );
  if (all.length !== 1) return;
  const only = all[0];
  const iri = typeof only === 'string' ? only : (only as { '@id'?: unknown } | null)?.['@id'];
  if (typeof iri !== 'string' || !KNOWN_VERSIONS.test(iri)) {
    const shown = typeof only === 'string' ? only : pyRepr(only);
    ctx.issues.error(`conformsTo should be a string or a CroissantVersion. Got: ${shown}`);
  }
}

/** Version: a semantic version string (a warning otherwise) or a number. */
function validateVersion(ctx: ReadCtx, meta: VMetadata, version: unknown): unknown {
  if (version === undefined || version === null) return undefined;
  if (typeof version === 'string') {
    const parts = version.split('.');
    if (parts.length !== 3 || parts.some((n) => !/^\p{N}+$/u.test(n))) {
      ctx.issues.warning(
        `Version doesn't follow MAJOR.MINOR.PATCH: ${version}. For more information refer to:` +
          ' https://semver.org/spec/v2.0.0.html',
        meta,
      );
    }
    return version;
  }
  if (typeof version === 'number' || typeof version === 'boolean') return String(version);
  ctx.issues.error(
    `The version should be a string or a number. Got: <class '${pyTypeName(version)}'>.`,
    meta,
  );
  return undefined;
}

/** License: a string or a list of strings. */
function validateLicense(ctx: ReadCtx, meta: VMetadata, license: unknown): unknown {
  if (license === undefined || license === null) return undefined;
  if (typeof license === 'string') return [license];
  if (Array.isArray(license) && license.every((l) => typeof l === 'string')) return license;
  ctx.issues.error(`License should be a list of str. Got: ${pyRepr(license)}`, meta);
  return undefined;
}

/** Dates must be ISO 8601, as parsed by dateutil's `isoparse`. */
function validateDate(ctx: ReadCtx, meta: VMetadata, date: unknown): unknown {
  if (date === undefined || date === null) return undefined;
  if (typeof date === 'string') {
    if (isIsoDate(date)) return date;
    ctx.issues.error(
      'Dates or DateTimes should follow the [ISO 8601' +
        ` format](https://en.wikipedia.org/wiki/ISO_8601). Got ${date}`,
    );
    return undefined;
  }
  ctx.issues.error(`Wrong type for a date. Expected Date or Datetime. Got: ${pyRepr(date)}`, meta);
  return undefined;
}

/** All dataset-level checks. */
export function checkMetadata(ctx: ReadCtx, meta: VMetadata): void {
  const root = meta.raw;
  const sc = (local: string): string[] => [SCHEMA + local];
  checkName(ctx, meta);
  const version = validateVersion(ctx, meta, pyGet(root, sc('version')));
  const license = validateLicense(ctx, meta, pyGet(root, sc('license')));
  // The reference does not say which date is wrong: the property is the place of the issue.
  const date = (local: string) =>
    ctx.issues.at(ctx.issues.property(local), () =>
      validateDate(ctx, meta, pyGet(root, sc(local))),
    );
  date('dateCreated');
  date('dateModified');
  const published = date('datePublished');
  if (ctx.vocab.v0) mandatory(ctx, meta, meta.name, SCHEMA + 'name');
  const recommended: Array<[unknown, string]> = [
    [pyGet(root, [ctx.vocab.p.citeAs]), ctx.vocab.p.citeAs],
    [published, SCHEMA + 'datePublished'],
    [license, SCHEMA + 'license'],
    [version, SCHEMA + 'version'],
  ];
  for (const [value, iri] of recommended) {
    if (!pyTruthy(value)) {
      ctx.issues.warning(`Property "${iri}" is recommended, but does not exist.`, meta);
    }
  }
}
