/**
 * `croissant-lake verify [dataset] [rev]`: re-hashes every chunk and object the commits reach
 * (src/lib/versions/verify.ts), shows progress on a terminal, names each problem, and exits 1
 * when there is any.
 */
import { verifyLake, type VerifyProblem } from '../lib/versions/verify.ts';
import { mb, type CommandContext } from './lake-cli.ts';

/** A problem as the lines the CLI prints. */
export function formatProblem(p: VerifyProblem): string {
  const where = [
    `dataset ${p.dataset}`,
    ...(p.chunk ? [`chunk ${p.chunk}`] : []),
    ...(p.object ? [`object ${p.object}`] : []),
    `commit ${p.commits.join(', ')}${p.commitCount > p.commits.length ? ` and ${p.commitCount - p.commits.length} more` : ''}`,
  ];
  return `${p.code}\t${p.what}\n    ${p.message}\n    (${where.join('; ')})`;
}

/** Runs `verify`; returns its exit status. */
export async function verifyCommand(c: CommandContext): Promise<number> {
  const [dataset, rev] = c.args;
  const tty = process.stderr.isTTY;
  const r = await verifyLake(
    c.lake,
    { ...(dataset ? { dataset } : {}), ...(rev ? { rev } : {}) },
    {
      signal: c.signal,
      onProgress: (p) => {
        if (!tty) return;
        const line =
          p.phase === 'commits'
            ? `reading commits: ${p.done}`
            : `re-hashing: ${p.done}/${p.total} (${mb(p.bytes)})`;
        process.stderr.write(`\r${line}\x1b[K`);
      },
    },
  );
  if (tty) process.stderr.write('\n');
  for (const p of r.problems) console.log(formatProblem(p));
  const what = `${r.datasets.length} dataset(s), ${r.commits} commits, ${r.chunks} chunks and ${r.objects} objects (${mb(r.bytes)})`;
  if (!r.problems.length) {
    console.log(`verified ${what}: everything is whole`);
    return 0;
  }
  console.log(`verified ${what}: ${r.problems.length} problem(s)`);
  return 1;
}
