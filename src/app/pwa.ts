/// <reference types="vite-plugin-pwa/client" />
/**
 * Registers the service worker that vite-plugin-pwa generates (see vite.config.ts): it precaches
 * the app shell, the workers, every wasm and the embedded examples, so the app works offline
 * after the first visit. `autoUpdate`: a new build's worker takes over at once and the page
 * reloads to use it. In `vite dev` and under vitest the plugin is off and this does nothing.
 */
import { registerSW } from 'virtual:pwa-register';

if ('serviceWorker' in navigator) {
  registerSW({
    immediate: true,
    onRegisterError(error: unknown) {
      // Offline, the update check fails while the installed worker keeps serving the app: that
      // is expected. Without a worker the app still works, only not offline.
      if (navigator.serviceWorker.controller) return;
      console.warn('croissant-lake: the service worker could not be registered', error);
    },
  });
}
