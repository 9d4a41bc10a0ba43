/**
 * Extend in length from another Croissant document: its record set (same columns, same types)
 * is generated and appended as new fragments, and its raw files are kept byte for byte in the
 * lake, as ingest keeps them.
 */
import { findRecordSet, readCroissant, recordRows } from '../croissant/index.ts';
import { formatIssueLocated } from '../croissant/model.ts';
import { fetchResolver } from '../io/fetch.ts';
import type { Resolver } from '../io/source.ts';
import { LakeError } from '../store/errors.ts';
import { sha256 } from '../store/hash.ts';
import { appendRows, type AppendResult } from './append.ts';
import type { LakeRow } from './columns.ts';
import { columnsOf, toLakeRow } from './ingest-rows.ts';
import type { Lake } from './lake.ts';
import { emptyObjectIndex } from './manifest.ts';
import { ObjectWriter } from './objects.ts';
import { RawCapture } from './raw-capture.ts';
import { recordSetOf } from './read.ts';
import { leased } from './lease.ts';

export interface AppendCroissantOptions {
  branch: string;
  /** Record set @id or name, in the lake and in the document. */
  recordSet: string;
  resolver?: Resolver;
  mapping?: Record<string, string>;
  signal?: AbortSignal;
  author?: string;
  /** The code that produced this change (e.g. `{ repo, commit }`), recorded in its lineage. */
  code?: Record<string, string>;
  message?: string;
}

/** Appends the records of `recordSet` in the Croissant document at `url` (under a lease). */
export const appendCroissant = leased('append', appendCroissantLeased);

async function appendCroissantLeased(
  lake: Lake,
  dataset: string,
  url: string,
  opts: AppendCroissantOptions,
): Promise<AppendResult> {
  const resolver = opts.resolver ?? fetchResolver();
  const signal = opts.signal ? { signal: opts.signal } : {};
  const read = await readCroissant(url, { resolver, ...signal });
  if (!read.metadata || read.errors.length) {
    throw new LakeError(
      'BAD_INPUT',
      `${url} is not a valid Croissant dataset:\n${read.errors.map((i) => formatIssueLocated(i, '   ')).join('\n')}`,
    );
  }
  const md = read.metadata;
  const rs = findRecordSet(md, opts.recordSet);
  const columns = columnsOf(md, rs);
  const head = await lake.readCommit(await lake.resolve(dataset, opts.branch));
  const [targetId, target] = recordSetOf(head, opts.recordSet);
  const want = target.columns.map((c) => `${c.name}:${c.type}`).join(', ');
  const got = columns.map((c) => `${c.name}:${c.type}`).join(', ');
  if (want !== got) {
    throw new LakeError(
      'SCHEMA_MISMATCH',
      `record set ${rs.uuid} of ${url} has columns [${got}], but ${targetId} of ${dataset} has [${want}]; only records of the same schema can be appended`,
    );
  }
  const index = emptyObjectIndex();
  const writer = new ObjectWriter(lake.chunks, index, () => {}, opts.signal);
  const raw = new RawCapture(writer, signal);
  const rows: LakeRow[] = [];
  try {
    for await (const record of recordRows(md, rs.uuid, {
      resolver: raw.resolver(resolver),
      ...(opts.mapping ? { mapping: opts.mapping } : {}),
      ...signal,
    })) {
      rows.push(await toLakeRow(columns, record, writer));
    }
    await writer.flush();
  } catch (e) {
    await writer.settle(); // no pack write outlives the call
    throw e;
  }
  index.files = [...raw.files.values()];
  return appendRows(lake, dataset, {
    branch: opts.branch,
    recordSet: targetId,
    rows,
    objects: index,
    source: { kind: 'croissant', url, sha256: await sha256(new TextEncoder().encode(read.text)) },
    ...(opts.author ? { author: opts.author } : {}),
    ...(opts.code ? { code: opts.code } : {}),
    message: opts.message ?? `Append ${rows.length} records of ${rs.uuid} from ${url}`,
    ...signal,
  });
}
