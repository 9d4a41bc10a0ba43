/**
 * The question a label correction answers, guessed for a blind-spot report: the label column of
 * its record set at the analysed commit (read through the lake catalog), as the Suspects list's
 * default. Kept apart from the tab's session, which owns no lake reads of its own for it.
 */
import type { BlindspotReport } from '../lib/analysis/blindspots-types.ts';
import type { LakeCatalog } from './lake-catalog.svelte.ts';
import { LABEL } from './train-settings.ts';

/** The label column of the report's record set, as the question a correction answers ('': none). */
export async function labelQuestion(lake: LakeCatalog, report: BlindspotReport): Promise<string> {
  const info = await lake.call('commit', [report.dataset, report.commit]);
  const rs = info.recordSets.find((r) => r.name === report.recordSet || r.id === report.recordSet);
  const col = rs?.columns.find((c) => LABEL.test(c.name) && c.type !== 'image');
  return col ? col.name.slice(col.name.lastIndexOf('/') + 1) : '';
}
