/**
 * The Pipeline tab's pure step helpers (src/app/pipeline-steps.ts) against hand-written
 * expected values, including what `validateSpec` then says about the steps they build.
 * Runs in Node and Chromium.
 */
import { describe, expect, it } from 'vitest';
import {
  STEP_OPS,
  defaultStep,
  moveItem,
  paramText,
  stepParams,
  stepWords,
  withParam,
} from '../../src/app/pipeline-steps.ts';
import type { PipelineSpec, TransformSpec } from '../../src/lib/pipeline/image.ts';
import { validateSpec } from '../../src/lib/pipeline/spec.ts';
import type { LakeError } from '../../src/lib/store/errors.ts';

/** A step as JSON from outside (a permalink, a pasted spec) may be anything. */
const untrusted = (v: unknown): TransformSpec => v as TransformSpec;

/** Every op's default step, written out by hand. */
const DEFAULTS: PipelineSpec = [
  { op: 'resize', width: 96, height: 96 },
  { op: 'center-crop', width: 96, height: 96 },
  { op: 'random-crop', width: 80, height: 80 },
  { op: 'flip', axis: 'horizontal', p: 0.5 },
  { op: 'rotate', degrees: 15, random: true },
  { op: 'brightness-contrast', brightness: 0.2, contrast: 0.2, random: true },
  { op: 'gaussian-noise', std: 8 },
  { op: 'normalize', mean: [0.5], std: [0.25] },
  { op: 'window-level', center: 128, width: 200 },
  { op: 'background-subtract', sigma: 20 },
];

describe('STEP_OPS', () => {
  it('lists the ten ops in the order the builder offers them', () => {
    expect(STEP_OPS).toEqual([
      'resize',
      'center-crop',
      'random-crop',
      'flip',
      'rotate',
      'brightness-contrast',
      'gaussian-noise',
      'normalize',
      'window-level',
      'background-subtract',
    ]);
  });

  it('offers exactly the ops a spec may name', () => {
    // The builder's list is pinned by hand above; the spec names the same ten, in the same
    // order, when it refuses an op outside them. (Each offered op validating is checked below.)
    expect(() => validateSpec([untrusted({ op: 'sharpen' })])).toThrow(
      'known ops: resize, center-crop, random-crop, flip, rotate, brightness-contrast, gaussian-noise, normalize, window-level, background-subtract',
    );
  });
});

describe('defaultStep', () => {
  it.each(DEFAULTS.map((s) => [s.op, s] as const))('%s', (op, expected) => {
    expect(defaultStep(op)).toEqual(expected);
  });

  it('returns a fresh object each call (editing one step does not change the next)', () => {
    const a = defaultStep('normalize');
    const b = defaultStep('normalize');
    expect(a).not.toBe(b);
    if (a.op !== 'normalize') throw new Error('unreachable');
    a.mean.push(9);
    expect(b).toEqual({ op: 'normalize', mean: [0.5], std: [0.25] });
  });

  it('gives steps that each validate unchanged', () => {
    for (const expected of DEFAULTS) {
      expect(validateSpec([defaultStep(expected.op)])).toEqual([expected]);
    }
  });

  it('every default in the offered order is refused only for window-level after normalize', () => {
    // normalize (7) comes before window-level (8) in STEP_OPS; validation names the clash.
    expect(() => validateSpec(STEP_OPS.map(defaultStep))).toThrow(
      'pipeline[8] (window-level): works on the native pixel range, so cannot follow ' +
        'normalize (pipeline[7]); move normalize to the end',
    );
    const normalizeLast = moveItem(STEP_OPS.map(defaultStep), 7, 2);
    expect(normalizeLast.map((s) => s.op)).toEqual([
      'resize',
      'center-crop',
      'random-crop',
      'flip',
      'rotate',
      'brightness-contrast',
      'gaussian-noise',
      'window-level',
      'background-subtract',
      'normalize',
    ]);
    expect(validateSpec(normalizeLast)).toEqual([
      ...DEFAULTS.slice(0, 7),
      DEFAULTS[8],
      DEFAULTS[9],
      DEFAULTS[7],
    ]);
  });

  it('names an unknown op and the known ones rather than returning nothing', () => {
    expect(() => defaultStep('blur' as TransformSpec['op'])).toThrow(
      'unknown op "blur"; known ops: resize, center-crop, random-crop, flip, rotate, ' +
        'brightness-contrast, gaussian-noise, normalize, window-level, background-subtract',
    );
  });
});

describe('stepParams', () => {
  const size = [
    { key: 'width', kind: 'number' },
    { key: 'height', kind: 'number' },
  ];
  it.each([
    ['resize', size],
    ['center-crop', size],
    ['random-crop', size],
    [
      'flip',
      [
        { key: 'axis', kind: 'axis' },
        { key: 'p', kind: 'number' },
      ],
    ],
    [
      'rotate',
      [
        { key: 'degrees', kind: 'number' },
        { key: 'random', kind: 'boolean' },
      ],
    ],
    [
      'brightness-contrast',
      [
        { key: 'brightness', kind: 'number' },
        { key: 'contrast', kind: 'number' },
        { key: 'random', kind: 'boolean' },
      ],
    ],
    ['gaussian-noise', [{ key: 'std', kind: 'number' }]],
    [
      'normalize',
      [
        { key: 'mean', kind: 'list' },
        { key: 'std', kind: 'list' },
      ],
    ],
    [
      'window-level',
      [
        { key: 'center', kind: 'number' },
        { key: 'width', kind: 'number' },
      ],
    ],
    ['background-subtract', [{ key: 'sigma', kind: 'number' }]],
  ] as const)('%s', (op, expected) => {
    expect(stepParams(defaultStep(op))).toEqual(expected);
  });

  it("follows the op, not the step's own keys (a missing one is still editable)", () => {
    expect(stepParams(untrusted({ op: 'flip', axis: 'vertical' }))).toEqual([
      { key: 'axis', kind: 'axis' },
      { key: 'p', kind: 'number' },
    ]);
    expect(stepParams(untrusted({ op: 'gaussian-noise', std: 1, mean: [2] }))).toEqual([
      { key: 'std', kind: 'number' },
    ]);
  });

  it('gives an unknown op no parameters instead of throwing a TypeError', () => {
    expect(stepParams(untrusted({ op: 'blur', radius: 3 }))).toEqual([]);
  });
});

describe('withParam', () => {
  it.each([
    ['resize', 'width', '128', { op: 'resize', width: 128, height: 96 }],
    ['center-crop', 'height', '64', { op: 'center-crop', width: 96, height: 64 }],
    ['random-crop', 'width', '32', { op: 'random-crop', width: 32, height: 80 }],
    ['flip', 'p', '1', { op: 'flip', axis: 'horizontal', p: 1 }],
    ['rotate', 'degrees', '-30', { op: 'rotate', degrees: -30, random: true }],
    [
      'brightness-contrast',
      'contrast',
      '0.75',
      { op: 'brightness-contrast', brightness: 0.2, contrast: 0.75, random: true },
    ],
    ['gaussian-noise', 'std', '2.5', { op: 'gaussian-noise', std: 2.5 }],
    ['window-level', 'center', '40', { op: 'window-level', center: 40, width: 200 }],
    ['background-subtract', 'sigma', '7', { op: 'background-subtract', sigma: 7 }],
  ] as const)('%s: %s = %s', (op, key, raw, expected) => {
    expect(withParam(defaultStep(op), key, 'number', raw)).toEqual(expected);
  });

  it('normalize: lists split on commas and/or spaces', () => {
    const step = defaultStep('normalize');
    expect(withParam(step, 'mean', 'list', '0.485, 0.456, 0.406')).toEqual({
      op: 'normalize',
      mean: [0.485, 0.456, 0.406],
      std: [0.25],
    });
    expect(withParam(step, 'std', 'list', ' 0.2 0.3\t0.4 ')).toEqual({
      op: 'normalize',
      mean: [0.5],
      std: [0.2, 0.3, 0.4],
    });
    expect(withParam(step, 'std', 'list', '1,,2,')).toEqual({
      op: 'normalize',
      mean: [0.5],
      std: [1, 2],
    });
  });

  it('text that is no number is kept as typed: the field shows it and the error names it', () => {
    const resize = withParam(defaultStep('resize'), 'height', 'number', 'abc');
    expect(resize).toEqual({ op: 'resize', width: 96, height: 'abc' });
    expect(paramText(resize, 'height')).toBe('abc');
    expect(() => validateSpec([resize])).toThrow(
      'pipeline[0] (resize): height must be an integer in [1, 32768], got "abc"',
    );
    const norm = withParam(defaultStep('normalize'), 'std', 'list', '0.2, x');
    expect(norm).toEqual({ op: 'normalize', mean: [0.5], std: [0.2, 'x'] });
    expect(paramText(norm, 'std')).toBe('0.2, x');
    // Emptied: nothing to show, and the error says so.
    expect(paramText(withParam(resize, 'height', 'number', ' '), 'height')).toBe('');
  });

  it("the spec's error in the editor's words, at its step and field", () => {
    const bad = [defaultStep('resize'), withParam(defaultStep('flip'), 'p', 'number', '2')];
    const e = (() => {
      try {
        validateSpec(bad);
      } catch (err) {
        return err as LakeError;
      }
      throw new Error('accepted');
    })();
    expect(e.detail).toEqual({ step: 1, param: 'p' });
    expect(stepWords(e.message)).toBe('Step 2 (flip): p must be a number in [0, 1], got 2');
    expect(
      stepWords(
        'pipeline[3] (brightness-contrast): works on the native pixel range, so cannot follow normalize (pipeline[1]); move normalize to the end',
      ),
    ).toBe(
      'Step 4 (brightness-contrast): works on the native pixel range, so cannot follow normalize (step 2); move normalize to the end',
    );
  });

  it('flip axis: as chosen; anything else is kept for validateSpec to refuse', () => {
    const flip = defaultStep('flip');
    expect(withParam(flip, 'axis', 'axis', 'vertical')).toEqual({
      op: 'flip',
      axis: 'vertical',
      p: 0.5,
    });
    const vertical = withParam(flip, 'axis', 'axis', 'vertical');
    expect(withParam(vertical, 'axis', 'axis', 'horizontal')).toEqual(flip);
    const diagonal = withParam(vertical, 'axis', 'axis', 'diagonal');
    expect(diagonal).toEqual({ ...flip, axis: 'diagonal' });
    expect(() => validateSpec([diagonal])).toThrow(
      /axis must be "horizontal" or "vertical", got "diagonal"/,
    );
  });

  it('random: the checkbox state', () => {
    const rotate = defaultStep('rotate');
    expect(withParam(rotate, 'random', 'boolean', false)).toEqual({
      op: 'rotate',
      degrees: 15,
      random: false,
    });
    expect(
      withParam({ op: 'rotate', degrees: 15, random: false }, 'random', 'boolean', true),
    ).toEqual({ op: 'rotate', degrees: 15, random: true });
    // The text forms, as a checkbox value read back from an attribute gives them.
    expect(withParam(rotate, 'random', 'boolean', 'false')).toMatchObject({ random: false });
    expect(withParam(rotate, 'random', 'boolean', 'true')).toMatchObject({ random: true });
  });

  it('trims numbers and reads the forms Number() reads', () => {
    const step = defaultStep('gaussian-noise');
    expect(withParam(step, 'std', 'number', '  12 ')).toEqual({ op: 'gaussian-noise', std: 12 });
    expect(withParam(step, 'std', 'number', '1e2')).toEqual({ op: 'gaussian-noise', std: 100 });
    expect(withParam(step, 'std', 'number', '.5')).toEqual({ op: 'gaussian-noise', std: 0.5 });
  });

  it.each(['', '   '])('keeps %j as NaN (not 0, not the old value)', (raw) => {
    const out = withParam(defaultStep('resize'), 'width', 'number', raw);
    expect(out).toEqual({ op: 'resize', width: Number.NaN, height: 96 });
  });

  it.each(['abc', '12px', '1,5'])('keeps %j as typed (not 0, not the old value)', (raw) => {
    const out = withParam(defaultStep('resize'), 'width', 'number', raw);
    expect(out).toEqual({ op: 'resize', width: raw, height: 96 });
  });

  it('keeps an unparsable list item as typed and an empty list as []', () => {
    const step = defaultStep('normalize');
    expect(withParam(step, 'mean', 'list', '0.5, abc')).toEqual({
      op: 'normalize',
      mean: [0.5, 'abc'],
      std: [0.25],
    });
    expect(withParam(step, 'mean', 'list', '  ')).toEqual({
      op: 'normalize',
      mean: [],
      std: [0.25],
    });
  });

  it('returns a new step and leaves the old one as it was', () => {
    const step = defaultStep('resize');
    const out = withParam(step, 'width', 'number', '10');
    expect(out).not.toBe(step);
    expect(step).toEqual({ op: 'resize', width: 96, height: 96 });
  });
});

describe('what validateSpec says about steps withParam built', () => {
  /** The pipeline of every default with step 2 (random-crop) replaced by `bad`. */
  const withBadThird = (bad: TransformSpec): TransformSpec[] => [
    defaultStep('resize'),
    defaultStep('flip'),
    bad,
    defaultStep('gaussian-noise'),
  ];
  const check = (bad: TransformSpec) => () => validateSpec(withBadThird(bad));

  it('names the step and parameter of a number that did not parse', () => {
    const bad = withParam(defaultStep('random-crop'), 'height', 'number', 'abc');
    expect(check(bad)).toThrow(
      'pipeline[2] (random-crop): height must be an integer in [1, 32768], got "abc"',
    );
  });

  it('names the step, parameter and value of a negative or zero size', () => {
    const neg = withParam(defaultStep('random-crop'), 'width', 'number', '-5');
    expect(check(neg)).toThrow(
      'pipeline[2] (random-crop): width must be an integer in [1, 32768], got -5',
    );
    const zero = withParam(defaultStep('resize'), 'height', 'number', '0');
    expect(check(zero)).toThrow(
      'pipeline[2] (resize): height must be an integer in [1, 32768], got 0',
    );
  });

  it('names a fractional size', () => {
    const frac = withParam(defaultStep('center-crop'), 'width', 'number', '7.5');
    expect(check(frac)).toThrow(
      'pipeline[2] (center-crop): width must be an integer in [1, 32768], got 7.5',
    );
  });

  it('names out-of-range numbers of the other ops', () => {
    expect(check(withParam(defaultStep('flip'), 'p', 'number', '1.5'))).toThrow(
      'pipeline[2] (flip): p must be a number in [0, 1], got 1.5',
    );
    expect(check(withParam(defaultStep('gaussian-noise'), 'std', 'number', '-1'))).toThrow(
      'pipeline[2] (gaussian-noise): std must be a number ≥ 0, got -1',
    );
    expect(check(withParam(defaultStep('window-level'), 'width', 'number', '0'))).toThrow(
      'pipeline[2] (window-level): width must be a number > 0, got 0',
    );
    expect(check(withParam(defaultStep('background-subtract'), 'sigma', 'number', '0'))).toThrow(
      'pipeline[2] (background-subtract): sigma must be a number in (0, 1000], got 0',
    );
    expect(check(withParam(defaultStep('brightness-contrast'), 'contrast', 'number', '1'))).toThrow(
      'pipeline[2] (brightness-contrast): contrast must be a number in [0, 1) when random, got 1',
    );
  });

  it('names the list of a normalize step', () => {
    const empty = withParam(defaultStep('normalize'), 'mean', 'list', '');
    expect(() => validateSpec([empty])).toThrow(
      'pipeline[0] (normalize): mean must be an array of 1 to 4 finite numbers, got []',
    );
    const bad = withParam(defaultStep('normalize'), 'std', 'list', '0.5, x');
    expect(() => validateSpec([bad])).toThrow(
      'pipeline[0] (normalize): std must be an array of 1 to 4 finite numbers, got [0.5,"x"]',
    );
    const longer = withParam(defaultStep('normalize'), 'std', 'list', '0.2, 0.3');
    expect(() => validateSpec([longer])).toThrow(
      'pipeline[0] (normalize): mean and std must have the same length (1 vs 2)',
    );
  });

  it('names a parameter the op does not have', () => {
    const extra = withParam(defaultStep('resize'), 'depth', 'number', '3');
    expect(check(extra)).toThrow(
      'pipeline[2] (resize): unknown parameter "depth" (allowed: width, height)',
    );
  });
});

describe('paramText', () => {
  it('shows numbers, booleans, axes and lists as input text', () => {
    expect(paramText(defaultStep('resize'), 'width')).toBe('96');
    expect(paramText(defaultStep('flip'), 'p')).toBe('0.5');
    expect(paramText(defaultStep('flip'), 'axis')).toBe('horizontal');
    expect(paramText(defaultStep('rotate'), 'random')).toBe('true');
    expect(paramText({ op: 'rotate', degrees: -7.25, random: false }, 'degrees')).toBe('-7.25');
    expect(paramText({ op: 'rotate', degrees: -7.25, random: false }, 'random')).toBe('false');
    expect(paramText({ op: 'normalize', mean: [0.485, 0.456, 0.406], std: [1] }, 'mean')).toBe(
      '0.485, 0.456, 0.406',
    );
  });

  it('shows NaN (a number that did not parse) and a missing key as empty', () => {
    expect(paramText({ op: 'resize', width: Number.NaN, height: 4 }, 'width')).toBe('');
    expect(paramText(untrusted({ op: 'flip', axis: 'vertical' }), 'p')).toBe('');
    expect(paramText(defaultStep('resize'), 'sigma')).toBe('');
  });

  it('shows a string where a number belongs as it is (from untrusted JSON)', () => {
    expect(paramText(untrusted({ op: 'resize', width: '96', height: 96 }), 'width')).toBe('96');
  });

  it('round-trips the text of every parameter of every default step through withParam', () => {
    for (const step of DEFAULTS) {
      let edited = step;
      for (const { key, kind } of stepParams(step)) {
        const raw = kind === 'boolean' ? paramText(step, key) === 'true' : paramText(step, key);
        edited = withParam(edited, key, kind, raw);
      }
      expect(edited).toEqual(step);
    }
  });

  it('normalises list text: "1 2,3" becomes "1, 2, 3"', () => {
    const step = withParam(defaultStep('normalize'), 'mean', 'list', '1 2,3');
    expect(paramText(step, 'mean')).toBe('1, 2, 3');
  });
});

describe('steps → spec → steps', () => {
  it('an empty pipeline stays empty', () => {
    expect(validateSpec([])).toEqual([]);
    expect(validateSpec(JSON.parse(JSON.stringify([])))).toEqual([]);
  });

  it('edited steps validate, survive JSON, and show the same texts again', () => {
    let steps: TransformSpec[] = [defaultStep('resize'), defaultStep('flip')];
    steps = [...steps, defaultStep('normalize')];
    steps[0] = withParam(steps[0]!, 'width', 'number', '64');
    steps[1] = withParam(steps[1]!, 'axis', 'axis', 'vertical');
    steps[2] = withParam(steps[2]!, 'mean', 'list', '0.1 0.2 0.3');
    steps[2] = withParam(steps[2], 'std', 'list', '0.5, 0.5, 0.5');
    steps = moveItem(steps, 1, -1);

    const spec = validateSpec(steps);
    expect(spec).toEqual([
      { op: 'flip', axis: 'vertical', p: 0.5 },
      { op: 'resize', width: 64, height: 96 },
      { op: 'normalize', mean: [0.1, 0.2, 0.3], std: [0.5, 0.5, 0.5] },
    ]);
    const back = validateSpec(JSON.parse(JSON.stringify(spec)));
    expect(back).toEqual(spec);
    expect(back.map((s) => stepParams(s).map((p) => `${p.key}=${paramText(s, p.key)}`))).toEqual([
      ['axis=vertical', 'p=0.5'],
      ['width=64', 'height=96'],
      ['mean=0.1, 0.2, 0.3', 'std=0.5, 0.5, 0.5'],
    ]);
  });

  it('spec JSON with a string for a number names it, and the editor still shows it', () => {
    const loaded = JSON.parse('[{"op":"resize","width":"96","height":96}]') as TransformSpec[];
    expect(() => validateSpec(loaded)).toThrow(
      'pipeline[0] (resize): width must be an integer in [1, 32768], got "96"',
    );
    const step = loaded[0]!;
    expect(stepParams(step).map((p) => p.key)).toEqual(['width', 'height']);
    expect(paramText(step, 'width')).toBe('96');
    expect(withParam(step, 'width', 'number', paramText(step, 'width'))).toEqual({
      op: 'resize',
      width: 96,
      height: 96,
    });
  });

  it('spec JSON with an unknown op: the editor shows it without parameters, validation names it', () => {
    const loaded = JSON.parse('[{"op":"blur","radius":2}]') as TransformSpec[];
    expect(stepParams(loaded[0]!)).toEqual([]);
    expect(() => validateSpec(loaded)).toThrow(/^pipeline\[0\] \(blur\): unknown parameter/);
    expect(() => validateSpec([{ op: 'blur' }])).toThrow(
      /^pipeline\[0\] \(blur\): unknown op "blur"; known ops: resize, /,
    );
  });
});
