// The node's API as the dashboard uses it: credentials from sessionStorage on every request,
// Bacalhau's error JSON turned into an Error that keeps its status, hint and field.

const AUTH_KEY = "bacalhau.auth";
const READONLY_KEY = "bacalhau.readonly";

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.Message ?? body?.message ?? body?.Error ?? `HTTP ${status}`);
    this.status = status;
    this.hint = body?.Hint ?? "";
    this.field = body?.Details?.field ?? "";
  }
}

/** { kind: "bearer", token } or { kind: "basic", user, password }, or null for anonymous. */
export function credentials() {
  try {
    return JSON.parse(sessionStorage.getItem(AUTH_KEY) ?? "null");
  } catch {
    return null;
  }
}

export function setCredentials(c) {
  if (c) sessionStorage.setItem(AUTH_KEY, JSON.stringify(c));
  else sessionStorage.removeItem(AUTH_KEY);
  // New credentials may carry other rights: find out again.
  setReadOnly(false);
}

/** The Authorization header value for the stored credentials. */
export function authorization() {
  const c = credentials();
  if (!c) return "";
  if (c.kind === "bearer") return `Bearer ${c.token}`;
  const bin = Array.from(new TextEncoder().encode(`${c.user}:${c.password}`), (b) => String.fromCharCode(b)).join("");
  return `Basic ${btoa(bin)}`;
}

export const isReadOnly = () => sessionStorage.getItem(READONLY_KEY) === "1";

export function setReadOnly(on) {
  if (on === isReadOnly()) return;
  if (on) sessionStorage.setItem(READONLY_KEY, "1");
  else sessionStorage.removeItem(READONLY_KEY);
  document.body?.classList.toggle("read-only", on);
  dispatchEvent(new CustomEvent("bacalhau:readonly", { detail: on }));
}

/** fetch with credentials; a 401 asks the app to sign in, a 403 on a write makes it read-only. */
export async function request(path, init = {}) {
  const headers = new Headers(init.headers);
  const auth = authorization();
  if (auth) headers.set("Authorization", auth);
  if (init.json !== undefined) {
    headers.set("Content-Type", "application/json");
    init = { ...init, body: JSON.stringify(init.json) };
  }
  const res = await fetch(path, { ...init, headers });
  if (res.ok) return res;
  let body = null;
  try {
    body = await res.json();
  } catch {
    // not JSON: the status says enough
  }
  const err = new ApiError(res.status, body);
  const method = (init.method ?? "GET").toUpperCase();
  if (res.status === 401) dispatchEvent(new CustomEvent("bacalhau:signin", { detail: err }));
  if (res.status === 403 && method !== "GET") setReadOnly(true);
  throw err;
}

export const getJSON = (path) => request(path).then((r) => r.json());
export const sendJSON = (method, path, json) => request(path, { method, json }).then((r) => r.json());

/**
 * The job's log stream. Browsers cannot set headers on a WebSocket, so the credentials travel as
 * the `authorization` query parameter (the same value as the header).
 */
export function logSocket(jobID, params = {}) {
  const url = new URL(`/api/v1/orchestrator/jobs/${encodeURIComponent(jobID)}/logs`, location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") url.searchParams.set(k, String(v));
  const auth = authorization();
  if (auth) url.searchParams.set("authorization", auth);
  return new WebSocket(url);
}

/**
 * What GET /api/v1/auth says about the caller: the sign-in methods, and read-only when it lists
 * the caller's capabilities without write:job.
 */
export async function authInfo() {
  const body = await getJSON("/api/v1/auth");
  const caps = body.Capabilities ?? body.Permissions;
  if (Array.isArray(caps)) setReadOnly(!caps.includes("write:job"));
  return body;
}
