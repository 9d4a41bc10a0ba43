/**
 * The WebGPU path of the model runtime, in headless Chromium on SwiftShader's adapter (slow but
 * correct; PLATFORM-NOTES): the runtime picks WebGPU and names the adapter, weights stay on the
 * GPU between steps, and after a few training steps they agree with wasm's within a tolerance.
 * The page is this repo's model code bundled by esbuild and served on 127.0.0.1 with the
 * onnxruntime-web wasm files; no app build is needed.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type LaunchedBrowser } from './harness.ts';

const ORT_DIST = path.resolve('node_modules/onnxruntime-web/dist');
let server: Server;
let url: string;
let browser: LaunchedBrowser;

beforeAll(async () => {
  const bundle = await build({
    entryPoints: ['test/e2e/model/webgpu-page.ts'],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const js = bundle.outputFiles[0]!.contents;
  const html =
    '<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>';
  server = createServer((req, res) => {
    const u = req.url ?? '/';
    const send = (type: string, body: Uint8Array | string) => {
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    };
    if (u === '/') return send('text/html', html);
    if (u === '/page.js') return send('text/javascript', js);
    const name = u.startsWith('/ort/') ? path.basename(u.slice(5)) : '';
    readFile(path.join(ORT_DIST, name))
      .then((b) => send(name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript', b))
      .catch(() => {
        res.writeHead(404);
        res.end();
      });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await launchBrowser({ webgpu: true });
});

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise<void>((r) => server?.close(() => r()));
});

describe('model runtime on WebGPU (SwiftShader)', () => {
  it(
    'picks WebGPU with the adapter, and trains to the same weights as wasm within 1e-4',
    { timeout: 300_000 },
    async () => {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url);
      await page.waitForFunction(() => typeof window.modelRun === 'function');
      const r = await page.evaluate(() => window.modelRun(3));
      expect(errors).toEqual([]);
      expect(r.gpu.info.provider).toBe('webgpu');
      expect(r.gpu.info.adapter?.architecture).toBe('swiftshader');
      expect(r.gpu.info.fallbackReason).toBeNull();
      expect(r.wasm.info.provider).toBe('wasm');
      // Weights and optimiser state stay on the GPU between steps (gpu-buffer outputs fed back).
      expect(new Set(Object.values(r.gpu.locations))).toEqual(new Set(['gpu']));
      expect(new Set(Object.values(r.wasm.locations))).toEqual(new Set(['cpu']));
      for (const [name, w] of Object.entries(r.wasm.weights)) {
        const g = r.gpu.weights[name]!;
        expect(g).toHaveLength(w.length);
        const worst = Math.max(...w.map((v, j) => Math.abs(v - g[j]!)));
        // Measured: at most 2.6e-6 (l6.W); the bound leaves a margin.
        expect(worst, `${name}: worst |WebGPU − wasm| after 3 steps`).toBeLessThan(1e-4);
      }
      r.wasm.losses.forEach((l, j) => expect(Math.abs(l - r.gpu.losses[j]!)).toBeLessThan(1e-4));
    },
  );
});
