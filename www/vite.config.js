import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    // The browsers okra-events supports all run ES2022, so nothing in the
    // package or the demo needs down-levelling. The package embeds its wasm
    // as base64 and instantiates it synchronously: no wasm plugin is needed.
    target: 'es2022',
  },
});
