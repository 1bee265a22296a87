// The merchant page: each button opens the sandbox widget on one flow.
import { readConfig } from './config.js';
import { createPanel } from './panel.js';
import { Widget } from './widget.js';

const config = readConfig();
const panel = createPanel(document.getElementById('panel'));
const merchant = document.getElementById('merchant');
const buttons = document.querySelectorAll('[data-flow]');

let open = null;

for (const button of buttons) {
  button.addEventListener('click', () => {
    if (open) return; // one widget at a time, as on a real merchant page
    open = new Widget({
      flow: button.dataset.flow,
      config,
      panel,
      host: merchant,
      onClosed: () => {
        open = null;
        button.focus();
      },
    });
    try {
      open.open();
    } catch (error) {
      // Shown rather than swallowed: it is what a merchant would debug.
      open = null;
      console.error(error);
      panel.failure(`The widget could not start: ${error.message}`);
    }
  });
}
