/**
 * A tiny element builder: the pages are plain DOM, so the login page's JavaScript stays small.
 * Text always goes in as text nodes (never innerHTML), so nothing a server or user sends is markup.
 */
type Child = Node | string | number | false | null | undefined;
type Attributes = Record<string, string | number | boolean | EventListener | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

let ids = 0;
/** A fresh element id, for label/aria pairs. */
export function uid(prefix: string): string {
  ids += 1;
  return `${prefix}-${ids}`;
}

/** A labelled input: the label's `for` names the input, hints are tied with aria-describedby. */
export function field(label: string, input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLDivElement {
  input.id ||= uid('f');
  const hintElement = hint ? h('p', { class: 'hint', id: uid('hint') }, hint) : undefined;
  if (hintElement) input.setAttribute('aria-describedby', hintElement.id);
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), hintElement, input);
}

/** The page's main region, emptied and refilled with one screen; focus moves to its heading for screen readers. */
export function show(...content: Child[]): void {
  const main = document.getElementById('main')!;
  main.replaceChildren();
  append(main, content);
  const heading = main.querySelector<HTMLElement>('h1');
  if (heading) {
    heading.tabIndex = -1;
    heading.focus();
  }
}

/** A message region read out by screen readers: `alert` for errors, `status` for progress. */
export function notice(kind: 'error' | 'info' | 'success', text: string): HTMLParagraphElement {
  return h('p', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** Disables a form's controls while a call runs, so a double click never sends a step twice. */
export async function busy<T>(form: HTMLElement, work: () => Promise<T>): Promise<T> {
  const controls = [...form.querySelectorAll<HTMLButtonElement | HTMLInputElement>('button, input, select, textarea')].filter((c) => !c.disabled);
  for (const c of controls) c.disabled = true;
  form.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    for (const c of controls) c.disabled = false;
    form.removeAttribute('aria-busy');
  }
}

export function formatTime(iso: string | null | undefined, precise = false): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: precise ? 'medium' : 'short' });
}

/** The distinctive end of a time-ordered id (UUIDv7s of one minute share their first characters). */
export function shortId(id: string): string {
  return `…${id.slice(-8)}`;
}
