/**
 * The benchmark groups after record generation, in the order bench/run.ts runs them. Each is
 * loaded only when asked for, so that the other groups run even while the code one measures
 * (src/lib/versions, src/lib/sync, …) is broken; a group that throws is reported as failed
 * (`!!`) and the rest still run.
 */
export interface GroupResult {
  json: unknown;
  failed: boolean;
}

/** What every group's runner may read from the command line's common settings. */
export interface GroupContext {
  runs: number;
  warmup: number;
  images: number;
  regen: boolean;
}

type Runner = (argv: string[], c: GroupContext) => GroupResult | Promise<GroupResult>;

/** Group name → its runner, in run order. */
export const GROUPS: [string, Runner][] = [
  ['cli', async (a, c) => (await import('./cli.ts')).runCliFromArgv(a, c)],
  ['lake', async (a, c) => (await import('./lake.ts')).runLakeFromArgv(a, c)],
  ['remote', async (a, c) => (await import('./remote.ts')).runRemoteFromArgv(a, c)],
  ['query', async (a, c) => (await import('./query.ts')).runQueryFromArgv(a, c)],
  ['loader', async (a, c) => (await import('./loader.ts')).runLoaderFromArgv(a, c)],
  ['pipeline', async (a, c) => (await import('./pipeline.ts')).runPipelineFromArgv(a, c)],
  ['dicom', async (a, c) => (await import('./dicom.ts')).runDicomFromArgv(a, c)],
  ['opinions', async (a, c) => (await import('./opinions.ts')).runOpinionsFromArgv(a, c)],
  ['imagestats', async (a, c) => (await import('./imagestats.ts')).runImageStatsFromArgv(a, c)],
  ['sliceline', async (a, c) => (await import('./sliceline.ts')).runSlicelineFromArgv(a, c)],
  ['model', async (a, c) => (await import('./model.ts')).runModelFromArgv(a, c)],
];

/**
 * Runs the wanted groups in order, a blank line between one group's output and the next
 * (`printedBefore`: the record groups printed already). Returns each group's result by name.
 */
export async function runGroups(
  wanted: ReadonlySet<string>,
  argv: string[],
  c: GroupContext,
  printedBefore: boolean,
): Promise<Record<string, GroupResult>> {
  const out: Record<string, GroupResult> = {};
  let printed = printedBefore;
  for (const [name, run] of GROUPS) {
    if (!wanted.has(name)) continue;
    if (printed) console.log();
    try {
      out[name] = await run(argv, c);
    } catch (e) {
      console.log(
        `\n!! ${name}: failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      );
      out[name] = { json: { error: String(e) }, failed: true };
    }
    printed = true;
  }
  return out;
}
