// A tiny element builder. Children are appended as nodes or text (never
// parsed as HTML), so event data and user input can be shown safely.

/**
 * h('button', { class: 'btn', onclick: fn }, 'Label', otherNode)
 * Props starting with "on" become listeners; `true` sets a boolean
 * attribute; `false`/null/undefined are skipped; `style` is an object set
 * through the CSSOM, which a Content Security Policy without
 * 'unsafe-inline' allows (a style attribute it refuses).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === false || value == null) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'style') Object.assign(el.style, value);
    else if (key === 'value') el.value = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  el.append(...children.flat(Infinity).filter((c) => c != null && c !== false));
  return el;
}
