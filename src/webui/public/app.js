// The dashboard's shell: hash routes to lazily loaded pages, sign-in when the API answers 401,
// and read-only mode when a write is refused (403) or /api/v1/auth says the caller cannot write.
import { authInfo, credentials, isReadOnly, setCredentials } from "./api.js";
import { fill, notice } from "./dom.js";

const ROUTES = [
  [/^\/$/, "overview", "Overview"],
  [/^\/jobs$/, "jobs", "Jobs"],
  [/^\/jobs\/([^/]+)$/, "job", "Job"],
  [/^\/submit$/, "submit", "Submit a job"],
  [/^\/ipfs$/, "ipfs", "IPFS"],
];

const main = document.getElementById("main");
let current = new AbortController();

function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, query = ""] = raw.split("?");
  return { path, params: new URLSearchParams(query) };
}

async function route() {
  current.abort();
  current = new AbortController();
  const signal = current.signal;
  const { path, params } = parseHash();
  const match = ROUTES.map(([re, page, title]) => [re.exec(path), page, title]).find(([m]) => m);
  for (const a of document.querySelectorAll("nav a")) {
    const target = a.getAttribute("href").slice(1);
    const here = target === "/" ? path === "/" : path.startsWith(target);
    if (here) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  if (!match) {
    document.title = "Not found · Bacalhau";
    fill(main, notice(`No page at ${path}.`, "error"));
    return;
  }
  const [m, page, title] = match;
  document.title = `${title} · Bacalhau`;
  try {
    const mod = await import(`./pages/${page}.js`);
    if (signal.aborted) return;
    await mod.render(main, { id: m[1] ? decodeURIComponent(m[1]) : undefined, params }, signal);
  } catch (err) {
    if (signal.aborted) return;
    fill(main, notice(`${err.message}${err.hint ? ` (${err.hint})` : ""}`, "error"));
  }
}

/** Moves focus to the page's heading after navigation, so keyboard and screen reader users land there. */
function focusMain() {
  const heading = main.querySelector("h1");
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
}

function showIdentity() {
  const c = credentials();
  document.getElementById("who").textContent = c
    ? `${c.kind === "bearer" ? "API key" : c.user}${isReadOnly() ? " · read-only" : ""}`
    : isReadOnly() ? "read-only" : "";
  document.getElementById("signout").hidden = !c;
}

// Sign-in dialog: opened whenever a request answered 401.
const dialog = document.getElementById("signin");
const form = document.getElementById("signin-form");
const showKind = () => {
  const kind = form.elements.kind.value;
  for (const el of form.querySelectorAll("[data-kind]")) el.hidden = el.dataset.kind !== kind;
};
form.addEventListener("change", showKind);
form.addEventListener("submit", () => {
  const f = form.elements;
  setCredentials(f.kind.value === "bearer"
    ? { kind: "bearer", token: f.token.value.trim() }
    : { kind: "basic", user: f.user.value, password: f.password.value });
  form.reset();
  showKind();
  showIdentity();
  void refreshRights();
  void route();
});
addEventListener("bacalhau:signin", (e) => {
  if (dialog.open) return;
  document.getElementById("signin-why").textContent = credentials()
    ? `Those credentials were refused: ${e.detail.message}`
    : "This node needs you to sign in.";
  dialog.showModal();
});
addEventListener("bacalhau:readonly", showIdentity);
document.getElementById("signout").addEventListener("click", () => {
  setCredentials(null);
  showIdentity();
  void route();
});

async function refreshRights() {
  try {
    await authInfo();
  } catch {
    // A node without the auth endpoint, or one that wants a sign-in first: the dialog handles 401.
  }
}

document.body.classList.toggle("read-only", isReadOnly());
showIdentity();
addEventListener("hashchange", () => void route().then(focusMain));
void refreshRights();
void route();
