/**
 * Every read of the demo study's images (data/reads.csv), so that its labels have a history
 * to consolidate (docs/opinions.md): the first read (the label in labels.csv), a second read of
 * about one image in five by another annotator, an adjudication of most disagreements between
 * the two, and, later, corrections of the flipping annotator's wrong labels, some of them
 * corrected twice independently (a fork, sometimes a conflict). A pure function of (seed, image),
 * drawn from its own random stream: the other files are unchanged by it.
 */
import { mulberry32 } from './common.ts';
import { DEFAULT_PLANTING, flipRateOf, type Planting } from './demo-plant.ts';
import { ANNOTATORS, mix, type Study } from './demo-study.ts';

export const SECOND_READ_RATE = 0.2;
/** Of disagreements between the two reads, how many a senior reader adjudicated. */
export const ADJUDICATION_RATE = 0.6;
/** Of the flipping annotator's wrong first reads, how many quality control corrected (2024). */
export const CORRECTION_RATE = 0.5;
/** Of those corrections, how many a second reviewer also corrected, independently. */
export const FORK_RATE = 0.25;
export const ADJUDICATOR = 'adj_01';
export const QA = 'qa_01';
export const QA2 = 'qa_02';

/** One read: who said what about which image, when, and which reads it corrects. */
export interface Read {
  readId: string;
  imageId: string;
  annotator: string;
  lesion: 0 | 1;
  /** `YYYY-MM-DD HH:MM:SS`, UTC. */
  readAt: string;
  corrects: string[];
}

export const READ_COLUMNS: readonly [string, string, string][] = [
  ['read_id', 'sc:Text', 'Read identifier: <image_id>-r<n> (the key).'],
  ['image_id', 'sc:Text', 'The image read.'],
  [
    'annotator_id',
    'sc:Text',
    'Who read it: ann_01 to ann_05, adj_01 (adjudicator), qa_01/qa_02 (quality control).',
  ],
  ['lesion', 'sc:Integer', 'Label: 1 if the reader saw a lesion, else 0.'],
  ['read_at', 'sc:DateTime', 'When it was read (UTC).'],
  [
    'corrects',
    'sc:Text',
    'The read ids this read corrects or adjudicates, separated by spaces (empty for an original read).',
  ],
];

const DAY = 86_400_000;
const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const flip = (x: 0 | 1): 0 | 1 => (1 - x) as 0 | 1;

/** The reads of one image, in the order they happened. */
export function readsOf(seed: number, st: Study, planting: Planting = DEFAULT_PLANTING): Read[] {
  const r = mulberry32(mix(seed, 4, st.index));
  const id = (n: number) => `${st.imageId}-r${n}`;
  const reads: Read[] = [];
  const add = (annotator: string, lesion: 0 | 1, at: number, corrects: string[] = []) => {
    reads.push({
      readId: id(reads.length + 1),
      imageId: st.imageId,
      annotator,
      lesion,
      readAt: stamp(at),
      corrects,
    });
    return reads[reads.length - 1]!;
  };
  const scanned = Date.parse(`${st.date}T00:00:00Z`);
  const first = add(
    st.annotator,
    st.label,
    scanned + (1 + Math.floor(r() * 10)) * DAY + Math.floor(r() * 9 + 8) * 3_600_000,
  );
  let t = Date.parse(first.readAt.replace(' ', 'T') + 'Z');
  let adjudicated = false;
  if (r() < SECOND_READ_RATE) {
    const others = ANNOTATORS.filter((a) => a !== st.annotator);
    const who = others[Math.floor(r() * others.length)]!;
    const rate = flipRateOf(planting, who);
    const wrong = rate > 0 && r() < rate;
    t += (1 + Math.floor(r() * 30)) * DAY;
    const second = add(who, wrong ? flip(st.truth) : st.truth, t);
    if (second.lesion !== first.lesion && r() < ADJUDICATION_RATE) {
      t += (7 + Math.floor(r() * 53)) * DAY;
      add(ADJUDICATOR, st.truth, t, [first.readId, second.readId]);
      adjudicated = true;
    }
  }
  if (!adjudicated && st.label !== st.truth) {
    if (r() < CORRECTION_RATE) {
      const year2024 =
        Date.UTC(2024, 0, 1) + Math.floor(r() * 360) * DAY + Math.floor(r() * 8 + 9) * 3_600_000;
      add(QA, st.truth, year2024, [first.readId]);
      if (r() < FORK_RATE) {
        // An independent second look at the same read: right two times in three.
        add(QA2, r() < 2 / 3 ? st.truth : st.label, year2024 + (1 + Math.floor(r() * 20)) * DAY, [
          first.readId,
        ]);
      }
    }
  }
  return reads;
}
