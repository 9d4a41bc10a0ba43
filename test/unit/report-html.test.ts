import { describe, expect, it } from 'vitest';
import { BAR_CHART, barChart } from '../../src/lib/analysis/report-chart.ts';
import { liftWithCi, rateWithCi } from '../../src/lib/analysis/report-format.ts';
import { escapeHtml, reportHtml } from '../../src/lib/analysis/report-html.ts';
import { sampleReport } from './blindspot-report-fixture.ts';

const PNG = 'data:image/png;base64,iVBORw0KGgo=';

describe('report numbers in words', () => {
  it('gives rates and lifts with their 95% interval', () => {
    expect(rateWithCi({ value: 0.4, lo: 0.35, hi: 0.45 })).toBe('40.0% (95% CI 35.0–45.0%)');
    expect(rateWithCi({ value: 0.4, lo: null, hi: null })).toBe('40.0%');
    expect(rateWithCi({ value: null, lo: null, hi: null })).toBe('–');
    expect(liftWithCi({ value: 3, lo: 2.2, hi: 3.8 })).toBe('3.00× (95% CI 2.20–3.80×)');
  });
});

describe('bar chart of the top slices', () => {
  it('scales bar heights to the largest rate or upper bound', () => {
    const chart = barChart(sampleReport().slices, 0.1);
    // Plot height 220 − 12 − 28 = 180; the top of the scale is the largest upper bound, 0.45.
    const plotH = BAR_CHART.height - BAR_CHART.top - BAR_CHART.bottom;
    expect(plotH).toBe(180);
    expect(chart.max).toBe(0.45);
    expect(chart.baseline).toBe(192);
    const heights = chart.bars.map((b) => b.height);
    expect(heights[0]).toBeCloseTo(160, 9); // 0.40 / 0.45 · 180
    expect(heights[1]).toBeCloseTo(120, 9); // 0.30 / 0.45 · 180
    expect(heights[2]).toBeCloseTo(80, 9); // 0.20 / 0.45 · 180
    expect(chart.bars[0]!.whisker!.y1).toBeCloseTo(12, 9); // 0.45 is the top
    expect(chart.overallY).toBeCloseTo(192 - 40, 9); // 0.10 / 0.45 · 180 = 40
    // Three slots of (560 − 44 − 8) / 3 = 169.33, each bar 70% of its slot.
    expect(chart.bars[1]!.x).toBeCloseTo(44 + 508 / 3 + (508 / 3) * 0.15, 9);
    expect(chart.bars[1]!.width).toBeCloseTo((508 / 3) * 0.7, 9);
  });
});

describe('reportHtml', () => {
  it('escapes every string from the report', () => {
    const r = sampleReport();
    r.slices[0]!.text = 'scanner = <script>alert(1)</script>';
    r.slices[0]!.predicates[0]!.sql = `"scanner" = '<img src=x onerror=alert(2)>'`;
    r.model.name = '<b>model</b>';
    r.clusters.items[0]!.explanations[0]!.level = '"><script>';
    r.suspects.items[0]!.context = { '<k>': '<v>' };
    r.suspects.items[0]!.label = "it's & <b>";
    const html = reportHtml(r, new Map([['11', PNG]]));
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<b>');
    expect(html).toContain('scanner = &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
    expect(html).toContain('&lt;k&gt; = &lt;v&gt;');
    expect(html).toContain('it&#39;s &amp; &lt;b&gt;');
  });

  it('says above the slices when the model predicts one class, as the tab does', () => {
    const r = sampleReport();
    expect(reportHtml(r)).not.toContain('class="warn"');
    r.overall.topPredicted = { value: 'benign', share: 0.996 };
    const html = reportHtml(r);
    const warn = /<p class="warn" role="note">([^<]*)<\/p>/.exec(html);
    expect(warn?.[1]).toMatch(/^The model predicts &quot;benign&quot; for 99\.6% of the rows:/);
    expect(html.indexOf('class="warn"')).toBeLessThan(html.indexOf('<h2>Top slices</h2>'));
  });

  it('draws the bars with the heights worked out above, inline', () => {
    const html = reportHtml(sampleReport());
    const heights = [...html.matchAll(/<rect class="bar"[^>]* height="([\d.]+)"/g)].map((m) =>
      Number(m[1]),
    );
    expect(heights.map((h) => Math.round(h * 1e6) / 1e6)).toEqual([160, 120, 80]);
  });

  it('inlines only data: thumbnails and loads nothing from anywhere', () => {
    const images = new Map([
      ['11', PNG],
      ['12', 'https://example.com/x.png'],
      ['13', 'data:text/html;base64,PHNjcmlwdD4='],
    ]);
    const html = reportHtml(sampleReport(), images);
    expect(html).toContain(`<img src="${PNG}"`);
    expect(html).not.toMatch(/https?:|\/\/example/);
    expect(html).not.toContain('data:text/html');
    // Rows without an inline thumbnail show their id instead.
    expect(html).toContain('<span class="none" title="row 12">row 12</span>');
    expect(html).not.toMatch(/<script|<link|<iframe|src="(?!data:)/i);
    expect(html).toContain("default-src 'none'");
  });

  it('marks unexplained clusters as unknown unknowns and lists suspects with their groups', () => {
    const html = reportHtml(sampleReport());
    expect(html.match(/unknown unknown/g)).toHaveLength(1);
    expect(html).toContain('annotator = ann-3</td><td>9</td><td>250</td><td>3.60×');
    expect(html).toContain('malignant (97.0%)');
  });

  it('escapeHtml leaves plain text alone', () => {
    expect(escapeHtml('Kestrel 140 kVp')).toBe('Kestrel 140 kVp');
  });
});
