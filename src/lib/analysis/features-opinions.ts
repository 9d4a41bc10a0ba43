/**
 * Opinion features of the evaluated rows (docs/blindspots.md, "Features"), from the branch's
 * `opinions` record set (docs/opinions.md), over the labelling opinions (actor kinds human,
 * dataset and consensus; models' and rules' opinions are left out) about one question:
 *
 * - `opinions.corrections`: how many of them correct another (have parents);
 * - `opinions.disagreement`: the share of them whose value differs from the consolidated one,
 *   the most common value among the leaves (opinions nothing corrects; ties: the smallest value);
 * - `opinions.first_annotator`: the actor of the earliest original (by `created_at`, then id).
 *
 * A row without opinions has 0 corrections and no disagreement or first annotator (missing).
 */
import { OPINIONS_RS } from '../opinions/model.ts';
import { checkAborted } from '../store/errors.ts';
import type { Lake } from '../versions/lake.ts';
import type { Commit, RecordSetManifest } from '../versions/manifest.ts';
import { scanRows } from '../versions/read.ts';
import type { FeatureColumn } from './features.ts';

const LABELLING = new Set(['human', 'dataset', 'consensus']);

interface Op {
  id: string;
  value: string;
  actor: string;
  parents: string[];
  time: number | null;
}

/** The consolidated value: most common among the leaves, ties to the smallest value. */
function consolidated(ops: readonly Op[]): string {
  const parents = new Set(ops.flatMap((o) => o.parents));
  const count = new Map<string, number>();
  for (const o of ops) if (!parents.has(o.id)) count.set(o.value, (count.get(o.value) ?? 0) + 1);
  return [...count].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
}

function firstOriginal(ops: readonly Op[]): string | null {
  const originals = ops.filter((o) => !o.parents.length);
  originals.sort(
    (a, b) =>
      (a.time ?? Infinity) - (b.time ?? Infinity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return originals[0]?.actor ?? null;
}

/**
 * The opinion feature columns of the rows `ids` of record set `setId` at `commit`; none when
 * the commit has no labelling opinions about that record set.
 */
export async function opinionFeatures(
  lake: Lake,
  commit: Commit,
  setId: string,
  rs: RecordSetManifest,
  ids: readonly bigint[],
  opts: { question?: string; signal?: AbortSignal },
): Promise<FeatureColumn[]> {
  const ors = commit.recordSets[OPINIONS_RS];
  if (!ors) return [];
  const wanted = new Set(ids);
  const sets = new Set([setId, rs.name]);
  // question → row → opinions
  const byQuestion = new Map<string, Map<bigint, Op[]>>();
  for await (const batch of scanRows(lake.chunks, ors, `${commit.dataset}, ${OPINIONS_RS}`)) {
    checkAborted(opts.signal);
    for (const { row: r } of batch) {
      const row = r.subject_row as bigint | null;
      if (row === null || !wanted.has(row) || !sets.has(String(r.subject_set))) continue;
      if (!LABELLING.has(String(r.actor_kind))) continue;
      const q = String(r.question);
      if (opts.question !== undefined && q !== opts.question) continue;
      let rows = byQuestion.get(q);
      if (!rows) byQuestion.set(q, (rows = new Map()));
      let list = rows.get(row);
      if (!list) rows.set(row, (list = []));
      list.push({
        id: String(r.opinion_id),
        value: String(r.value),
        actor: String(r.actor_id),
        parents: r.parents ? String(r.parents).split(',') : [],
        time: typeof r.created_at === 'number' ? r.created_at : null,
      });
    }
  }
  // The question with most opinions (ties: by name) when none was asked for.
  const size = (m: Map<bigint, Op[]>) => [...m.values()].reduce((n, l) => n + l.length, 0);
  const best = [...byQuestion].sort((a, b) => size(b[1]) - size(a[1]) || (a[0] < b[0] ? -1 : 1));
  const rows = best[0]?.[1];
  if (!rows) return [];
  const col = (name: string, values: FeatureColumn['values']): FeatureColumn => ({
    name: `opinions.${name}`,
    source: 'opinions',
    column: null,
    values,
  });
  return [
    col(
      'corrections',
      ids.map((id) => (rows.get(id) ?? []).filter((o) => o.parents.length).length),
    ),
    col(
      'disagreement',
      ids.map((id) => {
        const ops = rows.get(id);
        if (!ops) return null;
        const v = consolidated(ops);
        // Two decimals: the share reads as a level (`0.33`), and equal shares stay equal.
        return Math.round((100 * ops.filter((o) => o.value !== v).length) / ops.length) / 100;
      }),
    ),
    col(
      'first_annotator',
      ids.map((id) => firstOriginal(rows.get(id) ?? [])),
    ),
  ];
}
