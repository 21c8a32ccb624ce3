// Small DOM and formatting helpers shared by the pages (no framework: the page must stay small).

/** Creates an element: h("a", { href: "#/" }, "text", child). `on*` props become listeners. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k in el && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's content. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A labelled form field; the id ties label and control together for screen readers. */
let fieldSeq = 0;
export function field(label, control, hint) {
  const id = control.id || `f${++fieldSeq}`;
  control.id = id;
  const hintEl = hint ? h("small", { id: `${id}-hint`, class: "hint" }, hint) : undefined;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hintEl);
}

/** Gives each body cell its column's name, which narrow screens show beside it (table.stack). */
export function labelCells(table) {
  const names = [...table.querySelectorAll("thead th")].map((th) => th.textContent);
  for (const row of table.tBodies[0]?.rows ?? []) {
    if (row.cells.length !== names.length) continue;
    [...row.cells].forEach((cell, i) => cell.setAttribute("data-label", names[i]));
  }
  table.classList.add("stack");
}

/** Time from Bacalhau's nanosecond integers or RFC 3339 strings. */
export function toDate(t) {
  if (typeof t === "number") return new Date(t / 1e6);
  return new Date(t);
}

export function ago(t) {
  const s = Math.max(0, Math.round((Date.now() - toDate(t).getTime()) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export function time(t) {
  const d = toDate(t);
  return h("time", { datetime: d.toISOString(), title: d.toLocaleString() }, ago(t));
}

export function bytes(n) {
  if (!n) return "0 B";
  const units = ["B", "KB", "MB", "GB", "TB"];
  const i = Math.min(units.length - 1, Math.floor(Math.log(n) / Math.log(1024)));
  return `${(n / 1024 ** i).toFixed(i ? 1 : 0)} ${units[i]}`;
}

export const shortID = (id) => (id && id.length > 14 ? `${id.slice(0, 14)}…` : id ?? "");

/** Execution states arrive as integers on the wire. */
export const EXEC_STATES = [
  "Undefined", "New", "AskForBid", "AskForBidAccepted", "AskForBidRejected", "BidAccepted", "Running",
  "Publishing", "BidRejected", "Completed", "Failed", "Cancelled",
];
export const JOB_STATES = ["Pending", "Queued", "Running", "Completed", "Failed", "Stopped"];
export const TERMINAL_JOB_STATES = new Set(["Completed", "Failed", "Stopped"]);

export function badge(state) {
  return h("span", { class: `badge s-${String(state).toLowerCase()}` }, state);
}

/** A status line for the page (role=status is announced by screen readers). */
export function notice(text, kind = "info") {
  return h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}

/** Runs `fn` every `ms` until the page changes (the router aborts `signal`). */
export function every(signal, ms, fn) {
  const id = setInterval(() => {
    if (!signal.aborted) fn();
  }, ms);
  signal.addEventListener("abort", () => clearInterval(id), { once: true });
}

/** Triggers a browser download of a blob. */
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
