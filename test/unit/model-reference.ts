/**
 * Test-only float64 reference of the model layers and losses, written as plain loops from the
 * definitions (nothing from src/lib/model), and central finite differences over it. The
 * gradient tests compare the ONNX step graph's gradients with these.
 */
import type { LayerSpec, ModelSpec } from '../../src/lib/model/spec.ts';

/** Float64 values of the params, the masks and the input, by graph name. */
export type Values = Map<string, Float64Array>;

interface T {
  d: Float64Array;
  dims: number[];
}

const size = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

function layer(l: LayerSpec, i: number, x: T, v: Values): T {
  const [n] = x.dims as [number];
  if (l.type === 'dense') {
    const W = v.get(`l${i}.W`)!;
    const b = v.get(`l${i}.b`)!;
    const inF = x.dims[1]!;
    const out = new Float64Array(n * l.units);
    for (let s = 0; s < n; s++) {
      for (let o = 0; o < l.units; o++) {
        let acc = b[o]!;
        for (let k = 0; k < inF; k++) acc += x.d[s * inF + k]! * W[k * l.units + o]!;
        out[s * l.units + o] = acc;
      }
    }
    return { d: out, dims: [n, l.units] };
  }
  if (l.type === 'conv2d') {
    const [, c, h, w] = x.dims as [number, number, number, number];
    const { filters: m, kernel: k, stride: st, padding: p } = l;
    const ho = Math.floor((h + 2 * p - k) / st) + 1;
    const wo = Math.floor((w + 2 * p - k) / st) + 1;
    const W = v.get(`l${i}.W`)!;
    const b = v.get(`l${i}.b`)!;
    const out = new Float64Array(n * m * ho * wo);
    for (let s = 0; s < n; s++)
      for (let f = 0; f < m; f++)
        for (let oy = 0; oy < ho; oy++)
          for (let ox = 0; ox < wo; ox++) {
            let acc = b[f]!;
            for (let ch = 0; ch < c; ch++)
              for (let ky = 0; ky < k; ky++)
                for (let kx = 0; kx < k; kx++) {
                  const iy = oy * st + ky - p;
                  const ix = ox * st + kx - p;
                  if (iy < 0 || ix < 0 || iy >= h || ix >= w) continue;
                  acc +=
                    W[((f * c + ch) * k + ky) * k + kx]! * x.d[((s * c + ch) * h + iy) * w + ix]!;
                }
            out[((s * m + f) * ho + oy) * wo + ox] = acc;
          }
    return { d: out, dims: [n, m, ho, wo] };
  }
  if (l.type === 'relu') return { d: x.d.map((a) => Math.max(0, a)), dims: x.dims };
  if (l.type === 'dropout') {
    const mask = v.get(`l${i}.mask`);
    if (!mask) return x; // inference: dropout is the identity
    return { d: x.d.map((a, j) => a * mask[j]!), dims: x.dims };
  }
  if (l.type === 'flatten') return { d: x.d, dims: [n, size(x.dims.slice(1))] };
  const [, c, h, w] = x.dims as [number, number, number, number];
  if (l.type === 'global-avg-pool') {
    const out = new Float64Array(n * c);
    for (let j = 0; j < n * c; j++) {
      let acc = 0;
      for (let q = 0; q < h * w; q++) acc += x.d[j * h * w + q]!;
      out[j] = acc / (h * w);
    }
    return { d: out, dims: [n, c] };
  }
  // maxpool, window = stride = size, trailing rows/columns that do not fill a window dropped
  const k = l.size;
  const ho = Math.floor(h / k);
  const wo = Math.floor(w / k);
  const out = new Float64Array(n * c * ho * wo);
  for (let j = 0; j < n * c; j++)
    for (let oy = 0; oy < ho; oy++)
      for (let ox = 0; ox < wo; ox++) {
        let best = -Infinity;
        for (let ky = 0; ky < k; ky++)
          for (let kx = 0; kx < k; kx++)
            best = Math.max(best, x.d[(j * h + oy * k + ky) * w + ox * k + kx]!);
        out[(j * ho + oy) * wo + ox] = best;
      }
  return { d: out, dims: [n, c, ho, wo] };
}

/** The logits of `spec` on `x` (named "x" in `v`) for a batch of `n`. */
export function refLogits(spec: ModelSpec, v: Values, n: number): Float64Array {
  let t: T = { d: v.get('x')!, dims: [n, ...spec.input] };
  spec.layers.forEach((l, i) => {
    t = layer(l, i, t, v);
  });
  return t.d;
}

/** The loss: weighted-mean cross-entropy (one-hot targets) or mean squared error. */
export function refLoss(spec: ModelSpec, v: Values, n: number, classWeights?: number[]): number {
  const z = refLogits(spec, v, n);
  const t = v.get('target')!;
  const k = spec.outputs;
  if (spec.loss === 'mse') {
    let acc = 0;
    for (let j = 0; j < z.length; j++) acc += (z[j]! - t[j]!) ** 2;
    return acc / z.length;
  }
  let num = 0;
  let den = 0;
  for (let s = 0; s < n; s++) {
    const row = z.subarray(s * k, (s + 1) * k);
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((a, b) => a + Math.exp(b - max), 0));
    const y = t.subarray(s * k, (s + 1) * k).indexOf(1);
    const w = classWeights ? classWeights[y]! : 1;
    num += w * (lse - row[y]!);
    den += w;
  }
  return num / den;
}

/** Central finite differences of `loss` w.r.t. every element of `v.get(name)`. */
export function finiteDiff(v: Values, name: string, loss: () => number, h = 1e-6): Float64Array {
  const a = v.get(name)!;
  const g = new Float64Array(a.length);
  for (let j = 0; j < a.length; j++) {
    const keep = a[j]!;
    a[j] = keep + h;
    const up = loss();
    a[j] = keep - h;
    const down = loss();
    a[j] = keep;
    g[j] = (up - down) / (2 * h);
  }
  return g;
}
