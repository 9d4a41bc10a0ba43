import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/vite-plugin-svelte').SvelteConfig} */
export default {
  // Svelte 5 strips type-only TypeScript itself; vitePreprocess adds full TS support in <script lang="ts">.
  preprocess: vitePreprocess(),
};
