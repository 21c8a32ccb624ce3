// Jobs: the list, filtered by state, text (ID or name) and labels, twenty to a page.
import { getJSON } from "../api.js";
import { badge, every, fill, field, h, JOB_STATES, labelCells, notice, shortID, time } from "../dom.js";

const PAGE_SIZE = 20;

export async function render(main, { params }, signal) {
  const state = h("select", { name: "state" }, h("option", { value: "" }, "Any state"),
    JOB_STATES.map((s) => h("option", { value: s, selected: params.get("state") === s }, s)));
  const q = h("input", { name: "q", type: "search", value: params.get("q") ?? "" });
  const labels = h("input", { name: "labels", value: params.get("labels") ?? "", placeholder: "env=prod,tier!=gpu" });
  const page = Math.max(1, Number(params.get("page") ?? 1) || 1);
  const form = h("form", { class: "row", role: "search", "aria-label": "Filter jobs" },
    field("State", state), field("ID or name contains", q), field("Labels", labels, "a label selector"),
    h("div", { class: "field" }, h("button", { type: "submit" }, "Filter")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    for (const [k, el] of [["state", state], ["q", q], ["labels", labels]]) if (el.value.trim()) p.set(k, el.value.trim());
    location.hash = `#/jobs${p.size ? `?${p}` : ""}`;
  });
  const body = h("tbody", { id: "jobs" });
  const pager = h("nav", { class: "pager", "aria-label": "Pages" });
  const status = h("p", { class: "hint", role: "status", id: "jobs-status" });
  fill(main, h("h1", {}, "Jobs"), h("section", {}, form),
    h("section", { "aria-labelledby": "jobs-list-title" },
      h("h2", { id: "jobs-list-title" }, "Jobs"), status,
      h("div", { class: "table-wrap" }, h("table", {},
        h("thead", {}, h("tr", {}, ["Job", "Name", "Type", "State", "Created"]
          .map((t, i) => h("th", { scope: "col", class: i === 2 || i === 4 ? "optional" : undefined }, t)))),
        body)),
      pager));

  const load = async () => {
    const sel = params.get("labels");
    const { Items } = await getJSON(`/api/v1/orchestrator/jobs?order_by=created_at&reverse=true${sel ? `&labels=${encodeURIComponent(sel)}` : ""}`);
    if (signal.aborted) return;
    const want = params.get("state");
    const text = (params.get("q") ?? "").toLowerCase();
    const jobs = Items.filter((j) => (!want || j.State.StateType === want) &&
      (!text || j.ID.toLowerCase().includes(text) || (j.Name ?? "").toLowerCase().includes(text)));
    const pages = Math.max(1, Math.ceil(jobs.length / PAGE_SIZE));
    const shown = jobs.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    status.textContent = `${jobs.length} job${jobs.length === 1 ? "" : "s"}${jobs.length ? `, page ${page} of ${pages}` : ""}`;
    fill(body, shown.length ? shown.map((j) => h("tr", { dataset: { job: j.ID } },
      h("th", { scope: "row", class: "mono" }, h("a", { href: `#/jobs/${encodeURIComponent(j.ID)}` }, shortID(j.ID))),
      h("td", {}, j.Name),
      h("td", { class: "optional" }, j.Type),
      h("td", {}, badge(j.State.StateType)),
      h("td", { class: "optional" }, time(j.CreateTime)))) : h("tr", {}, h("td", { colspan: 5 }, "No jobs match.")));
    labelCells(body.parentElement);
    const link = (n, label) => {
      const p = new URLSearchParams(params);
      p.set("page", String(n));
      return h("a", { class: "button secondary", href: `#/jobs?${p}`, rel: label === "Next" ? "next" : "prev" }, label);
    };
    fill(pager, page > 1 ? link(page - 1, "Previous") : "", page < pages ? link(page + 1, "Next") : "");
  };
  try {
    await load();
  } catch (err) {
    fill(status, notice(err.message, "error"));
  }
  every(signal, 3000, () => void load().catch(() => {}));
}
