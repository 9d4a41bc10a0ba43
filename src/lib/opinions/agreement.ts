/**
 * Agreement between raters (docs/opinions.md, "Agreement"): Cohen's κ for a pair, Fleiss' κ and
 * Krippendorff's α (nominal) over many, as pure functions of count tables; and the SQL that
 * counts the ratings of one question (original opinions of human and dataset actors, an actor's
 * latest per subject) so the engine does the part that grows with the data.
 */
import { tableFromIPC } from 'apache-arrow';
import type { QueryEngine } from '../query/engine.ts';
import { lakeSqlName } from '../query/lake-names.ts';
import { literal } from '../query/sql.ts';
import { OPINIONS_RS } from './model.ts';
import type { PlanTarget } from './sql.ts';

/**
 * Cohen's κ of two raters from their joint counts (`counts[a][b]`: subjects rater 1 put in
 * category a and rater 2 in b): `(p_o − p_e) / (1 − p_e)`. NaN with no subjects; 1 when both
 * raters used one and the same category throughout (p_e = 1, perfect agreement).
 */
export function cohensKappa(counts: ReadonlyMap<string, ReadonlyMap<string, number>>): number {
  let n = 0;
  let agree = 0;
  const row = new Map<string, number>();
  const col = new Map<string, number>();
  for (const [a, m] of counts) {
    for (const [b, c] of m) {
      n += c;
      if (a === b) agree += c;
      row.set(a, (row.get(a) ?? 0) + c);
      col.set(b, (col.get(b) ?? 0) + c);
    }
  }
  if (!n) return NaN;
  const po = agree / n;
  let pe = 0;
  for (const [k, r] of row) pe += (r / n) * ((col.get(k) ?? 0) / n);
  return pe === 1 ? (po === 1 ? 1 : NaN) : (po - pe) / (1 - pe);
}

/**
 * Fleiss' κ from `units[i][c]`, the number of raters who put subject i in category c. Subjects
 * with fewer than two ratings are left out; the number of raters may vary per subject
 * (`P_i = (Σ_c n_ic² − n_i) / (n_i (n_i − 1))`, `p_c = Σ_i n_ic / Σ_i n_i`).
 */
export function fleissKappa(units: readonly (readonly number[])[]): number {
  const rated = units.filter((u) => u.reduce((s, x) => s + x, 0) >= 2);
  if (!rated.length) return NaN;
  const k = Math.max(...rated.map((u) => u.length));
  const totals = new Array<number>(k).fill(0);
  let all = 0;
  let pBar = 0;
  for (const u of rated) {
    const ni = u.reduce((s, x) => s + x, 0);
    pBar += (u.reduce((s, x) => s + x * x, 0) - ni) / (ni * (ni - 1));
    u.forEach((x, c) => (totals[c]! += x));
    all += ni;
  }
  pBar /= rated.length;
  const pe = totals.reduce((s, x) => s + (x / all) ** 2, 0);
  return pe === 1 ? (pBar === 1 ? 1 : NaN) : (pBar - pe) / (1 - pe);
}

/**
 * Krippendorff's α for nominal data from `units[u][c]` (values of category c in unit u), over
 * pairable units (two values or more): `α = 1 − (n − 1) Σ_{c≠k} o_ck / Σ_{c≠k} n_c n_k`, where
 * `Σ_{c≠k} o_ck = Σ_u (m_u² − Σ_c n_uc²) / (m_u − 1)`.
 */
export function krippendorffAlpha(units: readonly (readonly number[])[]): number {
  let disagree = 0;
  const nc: number[] = [];
  for (const u of units) {
    const m = u.reduce((s, x) => s + x, 0);
    if (m < 2) continue;
    disagree += (m * m - u.reduce((s, x) => s + x * x, 0)) / (m - 1);
    u.forEach((x, c) => (nc[c] = (nc[c] ?? 0) + x));
  }
  const n = nc.reduce((s, x) => s + (x ?? 0), 0);
  const expected = n * n - nc.reduce((s, x) => s + (x ?? 0) ** 2, 0);
  if (n < 2 || expected === 0) return NaN;
  return 1 - ((n - 1) * disagree) / expected;
}

/** One pair of raters. */
export interface PairAgreement {
  a: string;
  b: string;
  /** Subjects both rated. */
  subjects: number;
  kappa: number;
}

/** Agreement statistics of one question. */
export interface AgreementStats {
  /** Subjects with at least two ratings. */
  subjects: number;
  raters: number;
  fleiss: number;
  krippendorff: number;
  /** Cohen's κ of every pair of raters with a subject in common, most subjects first. */
  pairs: PairAgreement[];
}

/** The ratings: originals of human and dataset actors, an actor's latest per subject. */
function ratingsCte(t: PlanTarget): string {
  return `r AS (
  SELECT subject_set, subject_row, actor_id, value FROM ${lakeSqlName(t.dataset, t.commit, OPINIONS_RS)}
  WHERE question = ${literal(t.question)} AND parents = '' AND actor_kind IN ('human', 'dataset')
  QUALIFY row_number() OVER (PARTITION BY subject_set, subject_row, actor_id
                             ORDER BY created_at DESC NULLS LAST, opinion_id) = 1
)`;
}

/** Computes the agreement statistics of `target` in `engine`. */
export async function agreementStats(
  engine: QueryEngine,
  t: PlanTarget,
  signal?: AbortSignal,
): Promise<AgreementStats> {
  const opts = signal ? { signal } : {};
  const counts = tableFromIPC(
    (
      await engine.query(
        `WITH ${ratingsCte(t)}, multi AS (
  SELECT subject_set, subject_row FROM r GROUP BY ALL HAVING count(*) >= 2
)
SELECT subject_set, subject_row, value, count(*) AS n FROM r JOIN multi USING (subject_set, subject_row)
GROUP BY ALL ORDER BY subject_set, subject_row, value`,
        opts,
      )
    ).ipc,
  );
  const categories = new Map<string, number>();
  const units = new Map<string, number[]>();
  for (const r of counts.toArray() as {
    subject_set: string;
    subject_row: bigint;
    value: string;
    n: bigint;
  }[]) {
    if (!categories.has(r.value)) categories.set(r.value, categories.size);
    const key = `${r.subject_set}\n${r.subject_row}`;
    const u = units.get(key) ?? [];
    u[categories.get(r.value)!] = Number(r.n);
    units.set(key, u);
  }
  const table = [...units.values()].map((u) =>
    Array.from({ length: categories.size }, (_, i) => u[i] ?? 0),
  );
  const pairRows = tableFromIPC(
    (
      await engine.query(
        `WITH ${ratingsCte(t)}
SELECT x.actor_id AS a, y.actor_id AS b, x.value AS va, y.value AS vb, count(*) AS n
FROM r x JOIN r y USING (subject_set, subject_row) WHERE x.actor_id < y.actor_id
GROUP BY ALL ORDER BY a, b, va, vb`,
        opts,
      )
    ).ipc,
  ).toArray() as { a: string; b: string; va: string; vb: string; n: bigint }[];
  const pairs = new Map<string, Map<string, Map<string, number>>>();
  const raters = new Set<string>();
  for (const p of pairRows) {
    raters.add(p.a).add(p.b);
    const key = `${p.a}\n${p.b}`;
    const m = pairs.get(key) ?? new Map<string, Map<string, number>>();
    const row = m.get(p.va) ?? new Map<string, number>();
    row.set(p.vb, Number(p.n));
    m.set(p.va, row);
    pairs.set(key, m);
  }
  return {
    subjects: table.length,
    raters: raters.size,
    fleiss: fleissKappa(table),
    krippendorff: krippendorffAlpha(table),
    pairs: [...pairs.entries()]
      .map(([key, m]) => {
        const [a, b] = key.split('\n') as [string, string];
        const subjects = [...m.values()].reduce(
          (s, r) => s + [...r.values()].reduce((x, y) => x + y, 0),
          0,
        );
        return { a, b, subjects, kappa: cohensKappa(m) };
      })
      .sort((x, y) => y.subjects - x.subjects || (x.a + x.b < y.a + y.b ? -1 : 1)),
  };
}
