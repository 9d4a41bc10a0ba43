/**
 * The viewer's keyboard shortcuts: one table, used both to run them and to list them under "?".
 */
import type { DicomView, Tool } from '../../dicom-view.svelte.ts';

type Stage = { width: number; height: number };

/** One shortcut: the keys, what it does in words, and the action. */
export interface Shortcut {
  keys: string[];
  what: string;
  run: (view: DicomView, stage: Stage) => void;
}

const tool = (t: Tool) => (v: DicomView) => void (v.tool = t);
const preset = (i: number) => (v: DicomView) => {
  const p = v.currentSlice?.summary.presets[i];
  if (p) v.window = { center: p.center, width: p.width };
};

/** Every shortcut, in the order "?" lists them. */
export const SHORTCUTS: Shortcut[] = [
  {
    keys: ['ArrowDown', 'ArrowRight', 'j'],
    what: 'Next slice (next series when a series has one slice)',
    run: (v) => v.step(1),
  },
  {
    keys: ['ArrowUp', 'ArrowLeft', 'k'],
    what: 'Previous slice (previous series when a series has one slice)',
    run: (v) => v.step(-1),
  },
  { keys: ['.', '>'], what: 'Next series', run: (v) => v.goSeries(v.seriesIndex + 1) },
  { keys: [',', '<'], what: 'Previous series', run: (v) => v.goSeries(v.seriesIndex - 1) },
  { keys: ['PageDown'], what: '10 slices on', run: (v) => v.go(v.slice + 10) },
  { keys: ['PageUp'], what: '10 slices back', run: (v) => v.go(v.slice - 10) },
  { keys: ['Home'], what: 'First slice', run: (v) => v.go(0) },
  { keys: ['End'], what: 'Last slice', run: (v) => v.go(Infinity) },
  { keys: [' '], what: 'Play / stop cine', run: (v) => void (v.playing = !v.playing) },
  { keys: ['w'], what: 'Window/level tool (drag: right widens, down raises)', run: tool('wl') },
  { keys: ['p'], what: 'Pan tool', run: tool('pan') },
  { keys: ['z'], what: 'Zoom tool (drag up or down)', run: tool('zoom') },
  { keys: ['l'], what: 'Length (mm)', run: tool('length') },
  { keys: ['r'], what: 'Rectangle ROI (mean, std)', run: tool('rect') },
  { keys: ['e'], what: 'Ellipse ROI (mean, std)', run: tool('ellipse') },
  { keys: ['v'], what: 'Probe a pixel', run: tool('probe') },
  {
    keys: ['1', '2', '3', '4', '5'],
    what: "Window preset 1–5 (the file's own first)",
    run: () => {},
  },
  {
    keys: ['a'],
    what: "Automatic window (the file's, else the value range)",
    run: (v) => void (v.window = null),
  },
  { keys: ['i'], what: 'Invert', run: (v) => void (v.invert = !v.invert) },
  { keys: ['f'], what: 'Fit to the window', run: (v, s) => v.fit(s) },
  {
    keys: ['0'],
    what: '1:1 (one image pixel per screen pixel)',
    run: (v) => void (v.transform = { ...v.transform, zoom: 1, panX: 0, panY: 0 }),
  },
  {
    keys: ['+', '='],
    what: 'Zoom in',
    run: (v) => void (v.transform = { ...v.transform, zoom: v.transform.zoom * 1.25 }),
  },
  {
    keys: ['-'],
    what: 'Zoom out',
    run: (v) => void (v.transform = { ...v.transform, zoom: v.transform.zoom / 1.25 }),
  },
  { keys: [']'], what: 'Rotate 90° clockwise', run: (v) => v.rotate(1) },
  { keys: ['['], what: 'Rotate 90° counter-clockwise', run: (v) => v.rotate(-1) },
  {
    keys: ['h'],
    what: 'Flip horizontally',
    run: (v) => void (v.transform = { ...v.transform, flipH: !v.transform.flipH }),
  },
  {
    keys: ['y'],
    what: 'Flip vertically',
    run: (v) => void (v.transform = { ...v.transform, flipV: !v.transform.flipV }),
  },
  { keys: ['x'], what: 'Reset window, zoom, rotation and flips', run: (v, s) => v.reset(s) },
  {
    keys: ['o'],
    what: 'Annotations on/off',
    run: (v) => void (v.showAnnotations = !v.showAnnotations),
  },
  {
    keys: ['g'],
    what: 'DICOM overlay planes on/off',
    run: (v) => void (v.showPlanes = !v.showPlanes),
  },
  { keys: ['c'], what: 'Corner text on/off', run: (v) => void (v.showCorners = !v.showCorners) },
  {
    keys: ['n'],
    what: 'Hide identifying text (privacy) on/off',
    run: (v) => void (v.privacy = !v.privacy),
  },
  {
    keys: ['m'],
    what: 'Measurements on/off',
    run: (v) => void (v.showMeasurements = !v.showMeasurements),
  },
  {
    keys: ['Delete'],
    what: 'Remove the last measurement',
    run: (v) => void (v.measurements = v.measurements.slice(0, -1)),
  },
  { keys: ['?'], what: 'This list', run: () => {} },
];

/** Runs the shortcut for `key`; false when there is none. */
export function runShortcut(key: string, view: DicomView, stage: Stage): boolean {
  if (/^[1-5]$/.test(key)) {
    preset(Number(key) - 1)(view);
    return true;
  }
  const s = SHORTCUTS.find((x) => x.keys.includes(key));
  if (!s) return false;
  s.run(view, stage);
  return true;
}
