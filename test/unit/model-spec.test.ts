/**
 * Model specs: validation with located errors, defaults, hashing like pipeline specs (defaults
 * and key order do not change the hash), and the zoo's shapes.
 */
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../src/lib/model/errors.ts';
import { modelSpecHash, validateModelSpec, zooSpec } from '../../src/lib/model/spec.ts';
import { specParams } from '../../src/lib/model/step-graph.ts';

function codeOf(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelError);
    return { code: (e as ModelError).code, message: (e as Error).message };
  }
  throw new Error('expected a ModelError');
}

describe('model specs', () => {
  it('fills defaults, and the hash ignores spelled-out defaults and key order', async () => {
    const short = {
      input: [1, 8, 8],
      layers: [
        { type: 'conv2d', filters: 2, kernel: 3 },
        { type: 'global-avg-pool' },
        { type: 'dense', units: 2 },
      ],
      outputs: 2,
    };
    const long = {
      loss: 'cross-entropy',
      outputs: 2,
      layers: [
        { kernel: 3, padding: 0, stride: 1, filters: 2, type: 'conv2d' },
        { type: 'global-avg-pool' },
        { units: 2, type: 'dense' },
      ],
      input: [1, 8, 8],
    };
    expect(validateModelSpec(short).layers[0]).toEqual({
      type: 'conv2d',
      filters: 2,
      kernel: 3,
      stride: 1,
      padding: 0,
    });
    const h = await modelSpecHash(short);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(await modelSpecHash(long)).toBe(h);
    expect(
      await modelSpecHash({
        ...short,
        outputs: 3,
        layers: [...short.layers.slice(0, 2), { type: 'dense', units: 3 }],
      }),
    ).not.toBe(h);
  });

  it('zoo: logreg, MLP and a CNN for 64×64 grayscale or RGB, with their param shapes', () => {
    expect(specParams(zooSpec('logreg', [10], 2)).map((p) => p.dims)).toEqual([[10, 2], [2]]);
    expect(specParams(zooSpec('logreg', [3, 4, 4], 5)).map((p) => p.dims)).toEqual([[48, 5], [5]]);
    expect(specParams(zooSpec('mlp', [6], 3, { hidden: 7 })).map((p) => p.dims)).toEqual([
      [6, 7],
      [7],
      [7, 3],
      [3],
    ]);
    for (const c of [1, 3]) {
      const dims = specParams(zooSpec('cnn', [c, 64, 64], 4)).map((p) => p.dims);
      expect(dims).toEqual([
        [8, c, 3, 3],
        [8],
        [16, 8, 3, 3],
        [16],
        [32, 16, 3, 3],
        [32],
        [32, 4],
        [4],
      ]);
    }
    expect(codeOf(() => zooSpec('resnet', [3, 64, 64], 2)).message).toMatch(
      /unknown model "resnet"; known: logreg, mlp, cnn/,
    );
    expect(codeOf(() => zooSpec('cnn', [100], 2)).message).toMatch(/needs a \[C, H, W\] input/);
  });

  it('bad specs: BAD_SPEC naming the layer and the field', () => {
    const base = { input: [4], outputs: 2 };
    const cases: [unknown, RegExp][] = [
      [null, /^model: must be an object/],
      [{ ...base, layers: [] }, /model.layers: must be a non-empty array/],
      [{ ...base, layers: [{ type: 'dense', units: 2 }], extra: 1 }, /unknown field "extra"/],
      [{ ...base, input: [0], layers: [{ type: 'dense', units: 2 }] }, /model.input: must be/],
      [
        { ...base, layers: [{ type: 'densse', units: 2 }] },
        /model.layers\[0\]: unknown type "densse"; known: dense, conv2d/,
      ],
      [
        { ...base, layers: [{ type: 'dense', units: 2.5 }] },
        /model.layers\[0\]: units must be an integer/,
      ],
      [
        { ...base, layers: [{ type: 'dense', units: 2, bias: false }] },
        /unknown parameter "bias" \(allowed: units\)/,
      ],
      [
        {
          ...base,
          layers: [
            { type: 'dropout', rate: 1 },
            { type: 'dense', units: 2 },
          ],
        },
        /layers\[0\]: rate must be a number in \[0, 1\)/,
      ],
      [
        { ...base, layers: [{ type: 'dense', units: 3 }] },
        /last layer gives \[3\] per item, but outputs is 2/,
      ],
      [
        { ...base, layers: [{ type: 'conv2d', filters: 2, kernel: 3 }] },
        /layers\[0\] \(conv2d\) needs a \[C, H, W\] input, got \[4\]/,
      ],
      [
        { input: [1, 4, 4], outputs: 2, layers: [{ type: 'dense', units: 2 }] },
        /layers\[0\] \(dense\) needs a flat input.*add a flatten/,
      ],
      [
        {
          input: [1, 2, 2],
          outputs: 2,
          layers: [{ type: 'conv2d', filters: 2, kernel: 5 }, { type: 'flatten' }],
        },
        /kernel 5 does not fit a 2×2 input/,
      ],
      [
        { ...base, outputs: 1, layers: [{ type: 'dense', units: 1 }] },
        /cross-entropy needs at least 2 classes/,
      ],
      [
        { ...base, loss: 'hinge', layers: [{ type: 'dense', units: 2 }] },
        /model.loss: must be "cross-entropy" or "mse"/,
      ],
    ];
    for (const [spec, re] of cases) {
      const e = codeOf(() => validateModelSpec(spec));
      expect(e.code).toBe('BAD_SPEC');
      expect(e.message).toMatch(re);
    }
  });
});
