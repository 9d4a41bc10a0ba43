/** Progress of a push, fetch, pull or clone: chunks and bytes moved, and the phase. */
export interface SyncProgress {
  op: 'push' | 'fetch';
  /** `refs`: reading refs; `scan`: finding what is missing; `transfer`; `delta`: the Delta log. */
  phase: 'refs' | 'scan' | 'transfer' | 'delta';
  chunksDone: number;
  chunksTotal: number;
  bytesDone: number;
  /** Known for a push; for a fetch, the bytes of the chunks received so far. */
  bytesTotal?: number;
}
