/**
 * The worker side of the opinions operations that write (opinions.api.ts): a column mapped to
 * opinions, opinions added or imported from a file (CSV, JSON Lines, Label Studio), and review
 * resolutions, each onto an opinions branch (made when missing) through src/lib/opinions. The
 * others are query-opinions.ts, which joins these to them. Worker code only.
 */
import { blobSource } from '../../src/lib/io/browser-files.ts';
import { readOpinionsCsv, readOpinionsJsonl } from '../../src/lib/opinions/import-table.ts';
import { readLabelStudio } from '../../src/lib/opinions/label-studio.ts';
import { mapColumn } from '../../src/lib/opinions/map-column.ts';
import { resolveReviews } from '../../src/lib/opinions/review.ts';
import { ensureOpinionsBranch } from '../../src/lib/opinions/revision.ts';
import { writeOpinions, type WriteOpinionsResult } from '../../src/lib/opinions/write.ts';
import { LakeError } from '../../src/lib/store/errors.ts';
import type { BatchSummary } from './opinions.api.ts';
import type { Handlers } from './query-service.ts';

/** The opinions operations that write. */
export type OpinionWriteMethods =
  'mapOpinions' | 'addOpinions' | 'importOpinions' | 'resolveReviews';

const summary = (r: WriteOpinionsResult, created: boolean): BatchSummary => ({
  branch: r.branch,
  created,
  commit: r.commit,
  added: r.added,
  skipped: r.skipped,
  ids: r.opinions.map((b) => b.opinion.id),
});

/** The opinions operations that write; see the module comment. */
export const opinionWriteHandlers: Pick<Handlers, OpinionWriteMethods> = {
  async mapOpinions(ctx, dataset, branch, mapping) {
    const { created } = await ensureOpinionsBranch(ctx.lake, dataset, branch);
    const r = await mapColumn(ctx.lake, dataset, { branch, mapping, signal: ctx.signal });
    return summary(r, created);
  },

  async addOpinions(ctx, dataset, branch, opinions, source) {
    const { created } = await ensureOpinionsBranch(ctx.lake, dataset, branch);
    const r = await writeOpinions(ctx.lake, dataset, {
      branch,
      opinions: opinions.map((o, i) => {
        if (!/^\d+$/.test(o.subject.row)) {
          throw new LakeError(
            'BAD_INPUT',
            `${source} ${i + 1}: row "${o.subject.row}" is not a row id`,
          );
        }
        return {
          where: `${source} ${i + 1}`,
          subject: { set: o.subject.set, row: BigInt(o.subject.row) },
          question: o.question,
          valueType: o.valueType,
          value: o.value,
          actor: o.actor,
          createdAt: o.createdAt,
          ...(o.note ? { note: o.note } : {}),
        };
      }),
      source: { kind: source },
      signal: ctx.signal,
      author: opinions[0]?.actor.id ?? ctx.lake.actor,
    });
    return summary(r, created);
  },

  async importOpinions(ctx, dataset, branch, input) {
    const { created } = await ensureOpinionsBranch(ctx.lake, dataset, branch);
    const file = blobSource(input.file.name, input.file);
    const d = input.defaults;
    let read;
    if (input.format === 'label-studio') {
      if (!d.subjectSet || !d.subjectKey) {
        throw new LakeError(
          'BAD_INPUT',
          'a Label Studio file needs the subject record set and its key column',
        );
      }
      read = await readLabelStudio(
        file,
        {
          subjectSet: d.subjectSet,
          subjectKey: d.subjectKey,
          ...(d.taskField ? { taskField: d.taskField } : {}),
        },
        ctx.signal,
      );
    } else {
      read = await (input.format === 'csv' ? readOpinionsCsv : readOpinionsJsonl)(
        file,
        d,
        ctx.signal,
      );
    }
    const r = await writeOpinions(ctx.lake, dataset, {
      branch,
      ...read,
      signal: ctx.signal,
      author: ctx.lake.actor,
      knownClasses: !input.newClasses,
    });
    return summary(r, created);
  },

  async resolveReviews(ctx, dataset, branch, rule, reviewer, resolutions) {
    const r = await resolveReviews(
      ctx.lake,
      dataset,
      resolutions.map((x) => ({ ...x, subjectRow: BigInt(x.subjectRow) })),
      { branch, reviewer, rule, signal: ctx.signal },
    );
    return summary(r, false);
  },
};
