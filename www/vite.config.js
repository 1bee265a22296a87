import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    // The browsers okra-events supports all run ES2022, so nothing in the
    // package or the demo needs down-levelling (the package's entry uses
    // top-level await). Vite emits the package's .wasm as an asset by
    // itself: no wasm plugin is needed.
    target: 'es2022',
    // Two pages: the merchant's (index.html) and the widget's own
    // (widget.html), which the demo serves on another origin.
    rollupOptions: {
      input: { main: 'index.html', widget: 'widget.html' },
    },
  },
});
