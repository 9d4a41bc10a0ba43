/**
 * The Delta Lake schema and protocol of a record set (docs/format.md, "Delta Lake tables"):
 * `_rowid` and every column, typed as the lake's fragments store them. Timestamps are stored
 * without a time zone, which Delta calls `timestamp_ntz` (reader 3 / writer 7 with the
 * `timestampNtz` feature); a table without one needs only reader 1 / writer 2.
 */
import type { ColumnType, RecordSetManifest } from '../versions/manifest.ts';

type DeltaType = string | { type: 'struct'; fields: DeltaField[] };
interface DeltaField {
  name: string;
  type: DeltaType;
  nullable: boolean;
  metadata: Record<string, unknown>;
}

const field = (name: string, type: DeltaType, nullable = true): DeltaField => ({
  name,
  type,
  nullable,
  metadata: {},
});

function deltaType(t: ColumnType): DeltaType {
  switch (t) {
    case 'int64':
      return 'long';
    case 'float64':
      return 'double';
    case 'bool':
      return 'boolean';
    case 'timestamp':
      return 'timestamp_ntz';
    case 'image':
      return {
        type: 'struct',
        fields: [
          field('format', 'string'),
          field('mode', 'string'),
          field('width', 'integer'),
          field('height', 'integer'),
          field('sha256', 'string'),
        ],
      };
    case 'utf8':
    case 'blob':
      return 'string';
  }
}

/** The table's schema as Delta's `schemaString` wants it (JSON text). */
export function schemaString(rs: RecordSetManifest): string {
  return JSON.stringify({
    type: 'struct',
    fields: [
      field('_rowid', 'long', false),
      ...rs.columns.map((c) => field(c.name, deltaType(c.type))),
    ],
  });
}

/** The `protocol` action the table needs. */
export function protocolOf(rs: RecordSetManifest): Record<string, unknown> {
  return rs.columns.some((c) => c.type === 'timestamp')
    ? {
        minReaderVersion: 3,
        minWriterVersion: 7,
        readerFeatures: ['timestampNtz'],
        writerFeatures: ['timestampNtz'],
      }
    : { minReaderVersion: 1, minWriterVersion: 2 };
}
