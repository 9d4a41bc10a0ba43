/**
 * A blind-spot report as ONE self-contained HTML file (issue 15 §5): CSS inline, the bar chart
 * as inline SVG, thumbnails as `data:` URLs, no script, nothing loaded from anywhere (a
 * Content-Security-Policy in the file itself forbids it, so a reader's browser enforces it too).
 * Every string from the report is escaped: a level such as `<script>` stays text.
 */
import type { BlindspotReport, ReportCluster, ReportSlice } from './blindspots-types.ts';
import { BAR_CHART, barChart } from './report-chart.ts';
import { liftWithCi, oneClassNotice, percent, rateWithCi, score, sizeOf } from './report-format.ts';

/** `_rowid` → thumbnail as a `data:image/…` URL; any other URL is left out. */
export type Thumbnails = ReadonlyMap<string, string>;

/** Text → HTML text or attribute value. */
export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const e = (v: unknown) => escapeHtml(String(v));
/** Only inline images: a data URL of an image type, in base64 (its characters need no escaping). */
const DATA_URL = /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=]+$/;

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
.meta{color:#555}.meta code{background:#f4f4f4;padding:0 .2em}
.warn{background:#fff4d6;border-left:4px solid #c98a00;padding:.5rem .8rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:.8rem}
.card{border:1px solid #ddd;border-radius:6px;padding:.6rem .8rem}
.card h3{font-size:1rem;margin:.1rem 0 .3rem}
.tag{display:inline-block;background:#fde2e1;color:#8a1c17;border-radius:3px;padding:0 .35em;font-size:.8rem}
.thumbs{display:flex;flex-wrap:wrap;gap:4px;margin-top:.4rem}
.thumbs img{width:64px;height:64px;object-fit:cover;border:1px solid #ccc}
.thumbs .none{width:64px;height:64px;display:flex;align-items:center;justify-content:center;background:#f4f4f4;color:#888;font-size:.7rem}
table{border-collapse:collapse;margin-bottom:1rem}td,th{border-bottom:1px solid #eee;padding:.2rem .6rem;text-align:left}
svg text{font:11px system-ui,sans-serif;fill:#444}
`;

/** The bar chart of the top slices as SVG. */
export function barChartSvg(report: BlindspotReport): string {
  const c = BAR_CHART;
  const chart = barChart(report.slices, report.overall.errorRate.value);
  const bars = chart.bars
    .map((b) => {
      const mid = b.x + b.width / 2;
      const whisker = b.whisker
        ? `<line x1="${mid}" x2="${mid}" y1="${b.whisker.y1}" y2="${b.whisker.y2}" stroke="#333"/>`
        : '';
      return (
        `<g><title>${e(`#${b.rank} ${b.text}`)}</title>` +
        `<rect class="bar" x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" fill="#e15759"/>` +
        `${whisker}<text x="${mid}" y="${chart.baseline + 14}" text-anchor="middle">#${b.rank}</text></g>`
      );
    })
    .join('');
  return (
    `<svg viewBox="0 0 ${c.width} ${c.height}" width="${c.width}" height="${c.height}" role="img" aria-label="Error rate of the top slices">` +
    `<line x1="${c.left}" x2="${c.width - c.right}" y1="${chart.baseline}" y2="${chart.baseline}" stroke="#999"/>` +
    `<text x="${c.left - 4}" y="${chart.baseline}" text-anchor="end">0%</text>` +
    `<text x="${c.left - 4}" y="${c.top + 4}" text-anchor="end">${e(percent(chart.max))}</text>` +
    bars +
    `<line class="overall" x1="${c.left}" x2="${c.width - c.right}" y1="${chart.overallY}" y2="${chart.overallY}" stroke="#4e79a7" stroke-dasharray="5 3"/>` +
    `<text x="${c.left - 4}" y="${chart.overallY + 4}" text-anchor="end" style="fill:#4e79a7">${e(percent(report.overall.errorRate.value))}</text>` +
    `</svg>`
  );
}

function thumbs(rowIds: readonly string[], images: Thumbnails): string {
  if (!rowIds.length) return '';
  const items = rowIds.map((id) => {
    const url = images.get(id);
    return url && DATA_URL.test(url)
      ? `<img src="${url}" alt="row ${e(id)}" title="row ${e(id)}">`
      : `<span class="none" title="row ${e(id)}">row ${e(id)}</span>`;
  });
  return `<div class="thumbs">${items.join('')}</div>`;
}

function sliceCard(s: ReportSlice, report: BlindspotReport, images: Thumbnails): string {
  const sql = s.predicates.every((p) => p.sql)
    ? `<div class="meta">SQL: <code>${e(s.predicates.map((p) => p.sql).join(' AND '))}</code></div>`
    : '';
  return (
    `<div class="card slice"><h3>#${s.rank} ${e(s.text)}</h3>` +
    `<div>${e(sizeOf(s.size, report.overall.rows))} · error rate ${e(rateWithCi(s.errorRate))} vs ${e(percent(report.overall.errorRate.value))} overall · score ${e(score(s.score))}</div>` +
    (s.sameRows?.length
      ? `<div class="meta">Same rows as: ${e(s.sameRows.join('; '))}</div>`
      : '') +
    `${sql}${thumbs(s.sampleErrors, images)}</div>`
  );
}

function clusterCard(c: ReportCluster, images: Thumbnails): string {
  const why = c.explanations.length
    ? `<ul>${c.explanations
        .map(
          (x) =>
            `<li>${e(x.feature)} = ${e(x.level)}: lift ${e(x.lift.toFixed(2))}×, ${e(x.support)} rows</li>`,
        )
        .join('')}</ul>`
    : '';
  const unknown = c.unexplained
    ? ' <span class="tag">unknown unknown: no metadata explains it</span>'
    : '';
  return (
    `<div class="card cluster"><h3>Cluster ${e(c.id)}${unknown}</h3>` +
    `<div>${e(c.size)} rows · error rate ${e(rateWithCi(c.errorRate))} · lift ${e(liftWithCi(c.lift))}</div>` +
    `${why}${thumbs(c.sampleErrors, images)}</div>`
  );
}

function suspectsHtml(report: BlindspotReport, images: Thumbnails): string {
  const { items, groups } = report.suspects;
  if (!items.length) return '<p>No label-noise suspects.</p>';
  const g = groups.length
    ? `<table><tr><th>Group</th><th>Suspects</th><th>Rows</th><th>Lift</th></tr>${groups
        .map(
          (x) =>
            `<tr><td>${e(x.feature)} = ${e(x.level)}</td><td>${e(x.suspects)}</td><td>${e(x.rows)}</td><td>${e(x.lift.toFixed(2))}×</td></tr>`,
        )
        .join('')}</table>`
    : '';
  const rows = items
    .map((s) => {
      const ctx = Object.entries(s.context)
        .map(([k, v]) => `${e(k)} = ${e(v)}`)
        .join(', ');
      return (
        `<tr><td>${thumbs([s.rowId], images)}</td><td>row ${e(s.rowId)}</td><td>${e(s.label)}</td>` +
        `<td>${e(s.predicted)} (${e(percent(s.confidence))})</td><td>${e(s.mistakenness.toFixed(3))}</td><td>${ctx}</td></tr>`
      );
    })
    .join('');
  return (
    `${g}<table class="suspects"><tr><th></th><th>Row</th><th>Label</th><th>Predicted</th>` +
    `<th>Mistakenness</th><th>Context</th></tr>${rows}</table>`
  );
}

/**
 * The report as one HTML document. `images` maps `_rowid`s of sample errors and suspects to
 * their thumbnails; rows without one show their id.
 */
export function reportHtml(report: BlindspotReport, images: Thumbnails = new Map()): string {
  const p = report.params;
  const title = `Blind spots of ${report.model.name} on ${report.dataset}@${report.branch}`;
  const params = `α = ${p.alpha}, minimum support ${percent(p.minSupport)}, maximum level ${p.maxLevel}, K = ${p.k}, error ${p.error}, seed ${p.seed}, columns ${p.columns ? p.columns.join(', ') : 'all'}`;
  const features = report.features.map((f) => `${f.name} (${f.source}, ${f.levels} levels)`);
  // A one-class model's slices are where the other classes are common: said above them, as the
  // tab says it, so a reader of the file alone is not misled either.
  const oneClass = oneClassNotice(report);
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">`,
    `<title>${e(title)}</title><style>${CSS}</style></head><body>`,
    `<h1>${e(title)}</h1>`,
    `<p class="meta">Model <code>${e(report.model.name)}</code> (<code>${e(report.model.id.slice(0, 12))}</code>) · evaluation branch <code>${e(report.branch)}</code> at <code>${e(report.commit.slice(0, 12))}</code> · predictions <code>${e(report.predictions)}</code> of record set <code>${e(report.recordSet)}</code></p>`,
    `<p class="meta">${e(report.overall.rows)} evaluated rows · overall error rate ${e(rateWithCi(report.overall.errorRate))}</p>`,
    `<p class="meta">Parameters: ${e(params)}</p>`,
    oneClass ? `<p class="warn" role="note">${e(oneClass)}</p>` : '',
    `<h2>Top slices</h2>`,
    report.slices.length
      ? barChartSvg(report)
      : '<p>SliceLine found no slice above the minimum support with errors.</p>',
    `<div class="cards">${report.slices.map((s) => sliceCard(s, report, images)).join('')}</div>`,
    `<h2>Embedding clusters</h2><p class="meta">k = ${e(report.clusters.k)}: ${e(report.clusters.criterion)}</p>`,
    `<div class="cards">${report.clusters.items.map((c) => clusterCard(c, images)).join('')}</div>`,
    `<h2>Label-noise suspects</h2>${suspectsHtml(report, images)}`,
    `<h2>Features</h2><p class="meta">${e(features.join('; '))}</p>`,
    '</body></html>',
  ].join('\n');
}
