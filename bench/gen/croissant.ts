/**
 * Helpers for the Croissant 1.0 metadata.json files that the benchmark generator writes.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const CONTEXT_SOURCE = join(HERE, '..', '..', 'test/fixtures/croissant/1.0/titanic/metadata.json');

function croissantContext(): unknown {
  // The @context block is copied verbatim from the reference's titanic example.
  const doc = JSON.parse(readFileSync(CONTEXT_SOURCE, 'utf8')) as { '@context': unknown };
  return doc['@context'];
}

export interface FieldSpec {
  id: string;
  description: string;
  dataType: string;
  source?: Record<string, unknown>;
  references?: string;
}

export function field(f: FieldSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {
    '@type': 'cr:Field',
    '@id': f.id,
    name: f.id,
    description: f.description,
    dataType: f.dataType,
  };
  if (f.references) out.references = { field: { '@id': f.references } };
  if (f.source) out.source = f.source;
  return out;
}

export function columnOf(fileObject: string, column: string): Record<string, unknown> {
  return { fileObject: { '@id': fileObject }, extract: { column } };
}

export function datasetHeader(name: string, description: string): Record<string, unknown> {
  return {
    '@context': croissantContext(),
    '@type': 'sc:Dataset',
    name,
    description,
    conformsTo: 'http://mlcommons.org/croissant/1.0',
    license: 'https://creativecommons.org/licenses/by/4.0/',
    url: 'https://github.com/croissant-lake/croissant-lake/tree/main/bench',
    version: '1.0.0',
    datePublished: '2024-01-01',
  };
}
