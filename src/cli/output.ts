/**
 * The CLI's standard output closing early (`croissant-lake records … | head -1`): the write
 * that finds the pipe closed fails with EPIPE, which Node reports as an `error` event on
 * stdout and, with no listener, a crash with a stack trace. Here it becomes a signal that
 * commands watch to stop and end quietly.
 */

const closed = new AbortController();
let watching = false;

/** Errors that mean the reader of the output has gone. */
const GONE = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ECONNRESET']);

/** Starts watching stdout (once per process). */
export function watchOutput(): void {
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
    closed.abort();
  });
}

/** Aborted once stdout can no longer be written. */
export function outputClosed(): AbortSignal {
  return closed.signal;
}
