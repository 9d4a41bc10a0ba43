/**
 * The CLI's standard output closing early (`croissant-lake records … | head -1`): the write
 * that finds the pipe closed fails with EPIPE, which Node reports as an `error` event on
 * stdout and, with no listener, a crash with a stack trace. Here it becomes a signal that
 * commands watch to stop and end quietly.
 */
import { once } from 'node:events';

let closed = new AbortController();
let watching = false;
let failed = false;

/** Errors that mean the reader of the output has gone. */
const GONE = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ECONNRESET']);

/** Starts watching stdout (its listener once per process), at the start of each command. */
export function watchOutput(): void {
  // A failure is the command's: a later command in the same process (a library caller, tests)
  // starts without it.
  failed = false;
  // So is a closed output: a new command tries again (a reader gone for good fails it again).
  if (closed.signal.aborted) closed = new AbortController();
  if (watching) return;
  watching = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (GONE.has(e.code ?? '')) {
      closed.abort();
      return;
    }
    // Another failure to write (a full disk behind a redirect): say so and fail.
    process.stderr.write(`croissant-lake: cannot write the output: ${e.message}\n`);
    process.exitCode = 1;
    failed = true;
    closed.abort();
  });
}

/** True once a write of the output failed for another reason than its reader leaving. */
export function outputFailed(): boolean {
  return failed;
}

/** Aborted once stdout can no longer be written. */
export function outputClosed(): AbortSignal {
  return closed.signal;
}

/**
 * Writes text to stdout and waits while the reader is behind (the pipe is full), so that a
 * slow reader does not make the output pile up in memory. Resolves false once the output is
 * closed: the caller stops.
 */
export async function writeOutput(text: string | Uint8Array): Promise<boolean> {
  if (closed.signal.aborted) return false;
  if (process.stdout.write(text)) return true;
  try {
    await once(process.stdout, 'drain', { signal: closed.signal });
  } catch (e) {
    if (closed.signal.aborted) return false;
    throw e;
  }
  return true;
}

/**
 * Lines of output gathered as UTF-8 in one buffer, to be written as one chunk: writing each
 * line, or joining them into one long string first, cost more than making the lines.
 */
export class OutputLines {
  private buffer: Buffer;
  private used = 0;

  constructor(private readonly size = 1 << 20) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  /** Appends `line` and a line break. */
  add(line: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const most = line.length * 3 + 1;
    if (this.used + most > this.buffer.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.used + most));
      this.buffer.copy(next, 0, 0, this.used);
      this.buffer = next;
    }
    this.used += this.buffer.write(line, this.used);
    this.buffer[this.used++] = 10;
  }

  /** The lines added since the last call; the buffer is the caller's from then on. */
  take(): Uint8Array {
    const out = this.buffer.subarray(0, this.used);
    this.buffer = Buffer.allocUnsafe(this.size);
    this.used = 0;
    return out;
  }
}
