// bench/host.mjs's timing page: `buildWithOptions` → the iframe in the page,
// against inserting the same iframe by hand. Served cross-origin isolated,
// so performance.now() has its fine resolution.
import Okra from '/pkg/host.js';

const url = new URL('/blank.html', location.href).href;
const STYLE = 'display:block;border:0;width:100%;height:100%';

/** One call of `which`, in a fresh container; returns its time in ms. */
function once(which) {
  const box = document.createElement('div');
  document.body.append(box);
  let t0;
  let t1;
  if (which === 'host') {
    t0 = performance.now();
    const widget = Okra.buildWithOptions({ key: 'pk', token: 'tok', widgetUrl: url, container: box });
    t1 = performance.now();
    if (!widget.iframe.isConnected) throw new Error('the iframe is not in the page');
    widget.destroy();
  } else {
    t0 = performance.now();
    const iframe = document.createElement('iframe');
    iframe.src = url;
    iframe.title = 'Okra widget';
    iframe.style.cssText = STYLE;
    box.append(iframe);
    t1 = performance.now();
    iframe.remove();
  }
  box.remove();
  return t1 - t0;
}

/** `n` calls of each (`mode` 'both', alternated), or of one. */
window.run = (mode, n) => {
  const out = { host: [], hand: [] };
  for (let i = 0; i < n; i++) {
    if (mode !== 'hand') out.host.push(once('host'));
    if (mode !== 'host') out.hand.push(once('hand'));
  }
  return out;
};
window.Okra = Okra;
