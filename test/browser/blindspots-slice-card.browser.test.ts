/**
 * A slice card's "Open in Query" in the report's narrow column: on a slice that cannot be a
 * query filter (a predicate on an image statistic), the disabled button stays on one line as
 * the enabled one does, and the long reason beside it wraps instead (it used to squeeze the
 * button to "Open / in / Query").
 */
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleReport } from '../unit/blindspot-report-fixture.ts';
import SliceCardHost from './SliceCardHost.svelte';

let app: Record<string, unknown> | null = null;
let target: HTMLElement | null = null;

afterEach(() => {
  if (app) void unmount(app);
  target?.remove();
  app = target = null;
});

describe('a slice card', () => {
  it('keeps a disabled Open in Query on one line beside its reason', () => {
    const report = { ...sampleReport(), imageColumn: null };
    const [filterable, other] = report.slices;
    const blocked = {
      ...other!,
      predicates: [
        { feature: 'image.contrast', level: '[0.12, 0.19)', sql: null },
        { feature: 'image.sharpness', level: '[3.5, 7.25)', sql: null },
      ],
    };
    target = document.body.appendChild(document.createElement('div'));
    app = mount(SliceCardHost, { target, props: { report, slices: [filterable!, blocked] } });
    flushSync();
    const enabled = target.querySelector<HTMLElement>('[data-testid="bs-slice-query"]')!;
    const disabled = target.querySelector<HTMLElement>('[data-testid="bs-slice-query-blocked"]')!;
    const reason = disabled.nextElementSibling as HTMLElement;
    expect(reason.textContent).toMatch(/are not a column of the record set/);
    // One line: the same height as the enabled button, and its text is not broken.
    expect(disabled.getBoundingClientRect().height).toBe(enabled.getBoundingClientRect().height);
    expect(disabled.getBoundingClientRect().width).toBeCloseTo(
      enabled.getBoundingClientRect().width,
      0,
    );
    // The reason takes the lines instead.
    expect(reason.getBoundingClientRect().height).toBeGreaterThan(
      disabled.getBoundingClientRect().height,
    );
  });
});
