/**
 * What the next version of a record set's Delta table lists and says (docs/format.md, "Delta
 * Lake tables"): its files, each fragment either as it is (by its chunk's address on the bucket)
 * or materialised into a Parquet part of its live rows and every column (made and uploaded once,
 * reused by later pushes), and the version's actions (`commitInfo`, `protocol`, `metaData`,
 * `remove`, `add`) as log text. Reading the log and writing the version are ./delta.ts.
 */
import { sha256 } from '../store/hash.ts';
import { buildTable } from '../versions/columns.ts';
import { toParquet } from '../versions/fragments.ts';
import type { Lake } from '../versions/lake.ts';
import type { FragmentRef, RecordSetManifest } from '../versions/manifest.ts';
import { scanRows } from '../versions/read.ts';
import { chunkKey } from './layout.ts';
import type { S3Remote } from './s3.ts';
import { protocolOf, schemaString } from './delta-schema.ts';
import type { LogState, MaterialisedPart } from './delta-state.ts';

/** One file of a table version. */
export interface DeltaFile {
  path: string;
  size: number;
  rows: number;
}

/** True when a fragment can be read as it is: all its rows live, every column present. */
function asIs(rs: RecordSetManifest, f: FragmentRef): boolean {
  return !f.deletions && rs.columns.every((c) => f.columns.includes(c.name));
}

/**
 * What a materialised part is made from: the fragment, its deletions, and the extension
 * fragments and columns joined to it. The same inputs give the same part.
 */
async function partKey(rs: RecordSetManifest, f: FragmentRef): Promise<string> {
  const from = {
    chunk: f.chunk,
    deletions: f.deletions ?? null,
    extensions: rs.fragments.filter((x) => x.extension).map((x) => x.chunk),
    columns: rs.columns,
  };
  return sha256(new TextEncoder().encode(JSON.stringify(from)));
}

/**
 * The files of a record set's table at `commit`, materialising (and uploading) as needed. The
 * size of a file the log lists already is not needed (`known`), nor read when the caller knows
 * it (`sizes`: reading a chunk re-hashes it all); a part made at an earlier push (`parts`) is
 * reused once a HEAD finds it on the bucket.
 */
export async function tableFiles(
  lake: Lake,
  s3: S3Remote,
  root: string,
  rs: RecordSetManifest,
  known: ReadonlySet<string>,
  parts: Record<string, MaterialisedPart>,
  sizes: ReadonlyMap<string, number> | undefined,
  signal?: AbortSignal,
): Promise<DeltaFile[]> {
  const { bucket } = s3.location;
  const out: DeltaFile[] = [];
  for (let i = 0; i < rs.fragments.length; i++) {
    const f = rs.fragments[i]!;
    if (f.extension) continue;
    if (asIs(rs, f)) {
      const path = `s3://${bucket}/${s3.fullKey(chunkKey(f.chunk))}`;
      const size = known.has(path)
        ? 0
        : (sizes?.get(f.chunk) ?? (await lake.chunks.get(f.chunk)).byteLength);
      out.push({ path, size, rows: f.rows });
      continue;
    }
    const key = await partKey(rs, f);
    const made = parts[key];
    const kept =
      made &&
      (!made.rows ||
        known.has(made.path) ||
        (await s3.head(`${root}/${made.path}`, { signal })) !== null);
    if (made && kept) {
      if (made.rows) out.push(made);
      continue;
    }
    const rows = [];
    for await (const batch of scanRows(lake.chunks, rs, `materialising for Delta`, new Set([i])))
      rows.push(...batch);
    if (!rows.length) {
      parts[key] = { path: '', size: 0, rows: 0 };
      continue;
    }
    const bytes = await toParquet(
      buildTable(
        rs.columns,
        rows.map((r) => r.rowid),
        rows.map((r) => r.row),
      ),
    );
    const name = `part-${await sha256(bytes)}.parquet`;
    if (!(await s3.head(`${root}/${name}`, { signal })))
      await s3.put(`${root}/${name}`, bytes, { signal });
    parts[key] = { path: name, size: bytes.byteLength, rows: rows.length };
    out.push(parts[key]);
  }
  return out;
}

/** The actions of the version that brings a table from `state` to `files`. */
export function versionText(
  t: { id: string; rs: RecordSetManifest },
  state: LogState,
  files: DeltaFile[],
  at: { dataset: string; branch: string; commit: string },
): string {
  const now = Date.now();
  const actions: Record<string, unknown>[] = [
    {
      commitInfo: {
        timestamp: now,
        operation: 'WRITE',
        operationParameters: { mode: 'Overwrite' },
        croissantLake: { ...at, recordSet: t.id },
      },
    },
  ];
  const schema = schemaString(t.rs);
  if (state.version < 0) actions.push({ protocol: protocolOf(t.rs) });
  if (schema !== state.schema) {
    actions.push({
      metaData: {
        id: state.tableId ?? crypto.randomUUID(),
        name: `${at.dataset}/${t.rs.name}@${at.branch}`,
        format: { provider: 'parquet', options: {} },
        schemaString: schema,
        partitionColumns: [],
        configuration: {},
        createdTime: now,
      },
    });
  }
  const wanted = new Set(files.map((f) => f.path));
  for (const path of state.files) {
    if (!wanted.has(path))
      actions.push({ remove: { path, deletionTimestamp: now, dataChange: true } });
  }
  for (const f of files) {
    if (state.files.has(f.path)) continue;
    actions.push({
      add: {
        path: f.path,
        partitionValues: {},
        size: f.size,
        modificationTime: now,
        dataChange: true,
        stats: JSON.stringify({ numRecords: f.rows }),
      },
    });
  }
  return actions.map((a) => JSON.stringify(a)).join('\n') + '\n';
}
