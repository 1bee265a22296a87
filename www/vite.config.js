import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    // The browsers okra-events supports all run ES2022, so nothing in the
    // package or the demo needs down-levelling. The package embeds its wasm
    // as base64 and instantiates it synchronously: no wasm plugin is needed.
    target: 'es2022',
    // Two pages: the merchant's (index.html) and the widget's own
    // (widget.html), which the demo serves on another origin.
    rollupOptions: {
      input: { main: 'index.html', widget: 'widget.html' },
    },
  },
});
