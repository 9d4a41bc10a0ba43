/**
 * Loading the reader under test, and timing it (bench/run.ts). Loaded dynamically so that the
 * benchmark runs (baselines only) and typechecks even while src/lib/croissant/index.ts is missing
 * or its API is in flux.
 */
import type { Work } from './measure.ts';

/** The planned API of src/lib/croissant/index.ts and src/lib/io/node.ts, as the bench uses it. */
export interface BatchLike {
  numRows: number;
  get(i: number): { toJSON(): unknown } | null | undefined;
}
export interface ReaderApi {
  readCroissant(
    urlOrPath: string,
    opts: { resolver: unknown },
  ): Promise<{ metadata: unknown; errors: unknown[]; warnings: unknown[] }>;
  recordBatches(
    metadata: unknown,
    recordSetId: string,
    opts: { resolver: unknown; batchSize?: number; verifyChecksums?: boolean },
  ): AsyncIterable<BatchLike>;
  nodeResolver(): unknown;
}

const CROISSANT_MODULE = new URL('../src/lib/croissant/index.ts', import.meta.url).href;
const NODE_IO_MODULE = new URL('../src/lib/io/node.ts', import.meta.url).href;

export async function loadReader(): Promise<ReaderApi | { error: string }> {
  let croissant: Record<string, unknown>;
  let io: Record<string, unknown>;
  try {
    croissant = (await import(CROISSANT_MODULE)) as Record<string, unknown>;
    io = (await import(NODE_IO_MODULE)) as Record<string, unknown>;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'ERR_MODULE_NOT_FOUND'
        ? `could not be loaded: ${err.message.split('\n')[0]}`
        : `failed to load: ${err.stack ?? err.message}`;
    return { error: `the reader (src/lib/croissant/index.ts, src/lib/io/node.ts) ${why}` };
  }
  const missing = [
    typeof croissant.readCroissant !== 'function' && 'readCroissant (src/lib/croissant/index.ts)',
    typeof croissant.recordBatches !== 'function' && 'recordBatches (src/lib/croissant/index.ts)',
    typeof io.nodeResolver !== 'function' && 'nodeResolver (src/lib/io/node.ts)',
  ].filter(Boolean);
  if (missing.length) return { error: `the reader does not export ${missing.join(', ')} yet` };
  return {
    readCroissant: croissant.readCroissant as ReaderApi['readCroissant'],
    recordBatches: croissant.recordBatches as ReaderApi['recordBatches'],
    nodeResolver: io.nodeResolver as ReaderApi['nodeResolver'],
  };
}

// ---------------------------------------------------------------------------------------------
// Ours

export function summarize(v: unknown): unknown {
  return JSON.parse(
    JSON.stringify(v, (_k, x: unknown) => {
      if (typeof x === 'bigint') return `${x}n`;
      if (x instanceof Uint8Array) return `<${x.byteLength} bytes>`;
      if (typeof x === 'string' && x.length > 80) return `${x.slice(0, 77)}...`;
      return x;
    }),
  );
}

export function oursRunner(
  api: ReaderApi,
  metadataPath: string,
  recordSet: string,
  inputBytes: number,
  opts: { batchSize?: number; verifyChecksums: boolean },
  onFirst: (row: unknown) => void,
): () => Promise<Work> {
  let first = true;
  return async () => {
    const resolver = api.nodeResolver();
    const { metadata, errors } = await api.readCroissant(metadataPath, { resolver });
    if (errors.length) {
      throw new Error(
        `readCroissant(${metadataPath}) reported errors: ${JSON.stringify(summarize(errors))}`,
      );
    }
    let records = 0;
    for await (const batch of api.recordBatches(metadata, recordSet, {
      resolver,
      batchSize: opts.batchSize,
      verifyChecksums: opts.verifyChecksums,
    })) {
      if (first && batch.numRows > 0) {
        first = false;
        onFirst(summarize(batch.get(0)?.toJSON()));
      }
      records += batch.numRows;
    }
    return { records, bytes: inputBytes };
  };
}
