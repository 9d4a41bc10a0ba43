/**
 * Layers as graph fragments: each adds its forward ops to a {@link GraphBuilder} and returns a
 * `backward` that adds the ops of its gradient (derived here, at graph-build time, in plain ONNX
 * ops; docs/model.md lists them). Shapes are static: one graph per batch size.
 */
import { ModelError } from './errors.ts';
import type { GraphBuilder } from './onnx.ts';
import type { LayerSpec } from './spec.ts';

/** A value in the graph with its static dims. */
export interface Sym {
  name: string;
  dims: number[];
}

/** A trainable tensor of a layer. */
export interface ParamDef {
  /** Graph name, e.g. `l0.W`. */
  name: string;
  dims: number[];
  /** Inputs per output unit, for the initialiser's scale; 0 for a bias (zeros). */
  fanIn: number;
}

/** What a layer's forward added; `backward` adds its gradient. */
export interface LayerOut {
  y: Sym;
  /** Adds the gradient ops; `dx` only when `needDx`. Grads are keyed by param name. */
  backward(dy: Sym, needDx: boolean): { dx?: Sym; grads: Map<string, string> };
}

/** Where a layer is built: the graph and whether it is the training graph. */
export interface LayerCtx {
  g: GraphBuilder;
  training: boolean;
  /** Dropout masks declared as graph inputs so far (training graph only). */
  masks: { name: string; dims: number[]; rate: number }[];
}

const prod = (d: readonly number[]): number => d.reduce((a, b) => a * b, 1);

/** The params a layer owns, given its input dims (without the batch axis). */
export function layerParams(spec: LayerSpec, i: number, inDims: readonly number[]): ParamDef[] {
  if (spec.type === 'dense') {
    const fanIn = inDims[0]!;
    return [
      { name: `l${i}.W`, dims: [fanIn, spec.units], fanIn },
      { name: `l${i}.b`, dims: [spec.units], fanIn: 0 },
    ];
  }
  if (spec.type === 'conv2d') {
    const c = inDims[0]!;
    const fanIn = c * spec.kernel * spec.kernel;
    return [
      { name: `l${i}.W`, dims: [spec.filters, c, spec.kernel, spec.kernel], fanIn },
      { name: `l${i}.b`, dims: [spec.filters], fanIn: 0 },
    ];
  }
  return [];
}

/** Output dims (without the batch axis) of a layer; throws BAD_SPEC naming the layer. */
export function layerOutDims(spec: LayerSpec, i: number, d: readonly number[]): number[] {
  const where = `layers[${i}] (${spec.type})`;
  const needImage = (): [number, number, number] => {
    if (d.length !== 3) {
      throw new ModelError('BAD_SPEC', `${where} needs a [C, H, W] input, got [${d.join(', ')}]`);
    }
    return [d[0]!, d[1]!, d[2]!];
  };
  switch (spec.type) {
    case 'dense':
      if (d.length !== 1) {
        throw new ModelError(
          'BAD_SPEC',
          `${where} needs a flat input, got [${d.join(', ')}]; add a flatten or global-avg-pool layer first`,
        );
      }
      return [spec.units];
    case 'conv2d': {
      const [, h, w] = needImage();
      const o = (n: number): number =>
        Math.floor((n + 2 * spec.padding - spec.kernel) / spec.stride) + 1;
      if (o(h) < 1 || o(w) < 1) {
        throw new ModelError(
          'BAD_SPEC',
          `${where}: kernel ${spec.kernel} does not fit a ${h}×${w} input`,
        );
      }
      return [spec.filters, o(h), o(w)];
    }
    case 'maxpool': {
      const [c, h, w] = needImage();
      if (h < spec.size || w < spec.size) {
        throw new ModelError(
          'BAD_SPEC',
          `${where}: size ${spec.size} does not fit a ${h}×${w} input`,
        );
      }
      return [c, Math.floor(h / spec.size), Math.floor(w / spec.size)];
    }
    case 'global-avg-pool':
      return [needImage()[0]];
    case 'flatten':
      return [prod(d)];
    case 'relu':
    case 'dropout':
      return [...d];
  }
}

/** Adds one layer's forward ops. `p` maps param names to graph values. */
export function buildLayer(
  ctx: LayerCtx,
  spec: LayerSpec,
  i: number,
  x: Sym,
  p: Map<string, string>,
): LayerOut {
  const { g } = ctx;
  const n = x.dims[0]!;
  const out = (name: string): Sym => ({
    name,
    dims: [n, ...layerOutDims(spec, i, x.dims.slice(1))],
  });
  const none = new Map<string, string>();
  switch (spec.type) {
    case 'dense': {
      const W = p.get(`l${i}.W`)!;
      const y = out(g.node('Gemm', [x.name, W, p.get(`l${i}.b`)!]));
      return {
        y,
        backward(dy, needDx) {
          const grads = new Map([
            [`l${i}.W`, g.node('Gemm', [x.name, dy.name], { transA: 1 })],
            [`l${i}.b`, g.node('ReduceSum', [dy.name, g.ints([0])], { keepdims: 0 })],
          ]);
          if (!needDx) return { grads };
          return { grads, dx: { name: g.node('Gemm', [dy.name, W], { transB: 1 }), dims: x.dims } };
        },
      };
    }
    case 'conv2d':
      return conv2d(ctx, spec, i, x, p, out);
    case 'relu': {
      const y = out(g.node('Relu', [x.name]));
      return {
        y,
        backward(dy) {
          const pos = g.node('Greater', [x.name, g.scalar(0)]);
          return {
            grads: none,
            dx: { name: g.node('Where', [pos, dy.name, g.scalar(0)]), dims: x.dims },
          };
        },
      };
    }
    case 'maxpool':
      return maxpool(ctx, spec.size, x, out);
    case 'global-avg-pool': {
      const y = out(g.node('Flatten', [g.node('GlobalAveragePool', [x.name])], { axis: 1 }));
      return {
        y,
        backward(dy) {
          const [, c, h, w] = x.dims as [number, number, number, number];
          const d4 = g.node('Reshape', [dy.name, g.ints([n, c, 1, 1])]);
          const scaled = g.node('Mul', [d4, g.scalar(1 / (h * w))]);
          return {
            grads: none,
            dx: { name: g.node('Expand', [scaled, g.ints(x.dims)]), dims: x.dims },
          };
        },
      };
    }
    case 'flatten': {
      const y = out(g.node('Flatten', [x.name], { axis: 1 }));
      return {
        y,
        backward: (dy) => ({
          grads: none,
          dx: { name: g.node('Reshape', [dy.name, g.ints(x.dims)]), dims: x.dims },
        }),
      };
    }
    case 'dropout': {
      if (!ctx.training || spec.rate === 0) {
        return { y: x, backward: (dy) => ({ grads: none, dx: dy }) };
      }
      // The mask (0 or 1/(1−rate)) is a graph input drawn from the seeded stream per step, so
      // dropout is reproducible and needs no random op (whose seed ONNX fixes per graph).
      const mask = g.input(`l${i}.mask`, x.dims);
      ctx.masks.push({ name: mask, dims: [...x.dims], rate: spec.rate });
      const y = out(g.node('Mul', [x.name, mask]));
      return {
        y,
        backward: (dy) => ({
          grads: none,
          dx: { name: g.node('Mul', [dy.name, mask]), dims: x.dims },
        }),
      };
    }
  }
}

function conv2d(
  { g }: LayerCtx,
  spec: Extract<LayerSpec, { type: 'conv2d' }>,
  i: number,
  x: Sym,
  p: Map<string, string>,
  out: (name: string) => Sym,
): LayerOut {
  const { kernel: k, stride: s, padding: pad } = spec;
  const W = p.get(`l${i}.W`)!;
  // The WebGPU Conv kernel needs every attribute spelled out (PLATFORM-NOTES).
  const attrs = {
    kernel_shape: [k, k],
    strides: [s, s],
    pads: [pad, pad, pad, pad],
    dilations: [1, 1],
    group: 1,
  };
  const y = out(g.node('Conv', [x.name, W, p.get(`l${i}.b`)!], attrs));
  return {
    y,
    backward(dy, needDx) {
      const [, , h, w] = x.dims as [number, number, number, number];
      const [, , ho, wo] = dy.dims as [number, number, number, number];
      // dW[m,c,i,j] = Σ_n,oy,ox dy[n,m,oy,ox]·x[n,c,oy·s+i,ox·s+j]: a Conv over batch/channel-
      // swapped tensors with dy as the kernel, dilated by the stride; rows past k are dropped.
      const xT = g.node('Transpose', [x.name], { perm: [1, 0, 2, 3] });
      const dyT = g.node('Transpose', [dy.name], { perm: [1, 0, 2, 3] });
      let r = g.node('Conv', [xT, dyT], {
        kernel_shape: [ho, wo],
        strides: [1, 1],
        pads: [pad, pad, pad, pad],
        dilations: [s, s],
        group: 1,
      });
      if (h + 2 * pad - s * (ho - 1) > k || w + 2 * pad - s * (wo - 1) > k) {
        r = g.node('Slice', [r, g.ints([0, 0]), g.ints([k, k]), g.ints([2, 3])]);
      }
      const grads = new Map([
        [`l${i}.W`, g.node('Transpose', [r], { perm: [1, 0, 2, 3] })],
        [`l${i}.b`, g.node('ReduceSum', [dy.name, g.ints([0, 2, 3])], { keepdims: 0 })],
      ]);
      if (!needDx) return { grads };
      // dx is the transposed convolution of dy with the same weights; output_padding restores
      // the rows a stride > 1 left out of the forward.
      const dx = g.node('ConvTranspose', [dy.name, W], {
        ...attrs,
        output_padding: [h + 2 * pad - k - s * (ho - 1), w + 2 * pad - k - s * (wo - 1)],
      });
      return { grads, dx: { name: dx, dims: x.dims } };
    },
  };
}

function maxpool({ g }: LayerCtx, k: number, x: Sym, out: (name: string) => Sym): LayerOut {
  const attrs = { kernel_shape: [k, k], strides: [k, k], pads: [0, 0, 0, 0] };
  const y = out(g.node('MaxPool', [x.name], attrs));
  return {
    y,
    backward(dy) {
      const [n, c, h, w] = x.dims as [number, number, number, number];
      const [, , ho, wo] = y.dims as [number, number, number, number];
      const up = (t: string): string => {
        const u = g.node('Unsqueeze', [t, g.ints([3, 5])]);
        const e = g.node('Expand', [u, g.ints([n, c, ho, k, wo, k])]);
        return g.node('Reshape', [e, g.ints([n, c, ho * k, wo * k])]);
      };
      const cropped = h !== ho * k || w !== wo * k;
      const xc = cropped
        ? g.node('Slice', [x.name, g.ints([0, 0]), g.ints([ho * k, wo * k]), g.ints([2, 3])])
        : x.name;
      const mask = g.node('Cast', [g.node('Equal', [xc, up(y.name)])], { to: 1 });
      // Ties share the gradient equally (a valid subgradient), so the result does not depend
      // on which of several equal maxima a kernel happens to pick.
      const count = g.node('Mul', [g.node('AveragePool', [mask], attrs), g.scalar(k * k)]);
      let dx = g.node('Mul', [mask, up(g.node('Div', [dy.name, count]))]);
      if (cropped) dx = g.node('Pad', [dx, g.ints([0, 0, 0, 0, 0, 0, h - ho * k, w - wo * k])]);
      return { grads: new Map(), dx: { name: dx, dims: x.dims } };
    },
  };
}
