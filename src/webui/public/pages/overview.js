// Overview: the network's nodes (with approval under manual approval), jobs by state, and a live
// timeline of the last minutes derived from the job list (no metrics endpoint needed).
import { getJSON, sendJSON } from "../api.js";
import { lineChart } from "../chart.js";
import { badge, bytes, every, fill, h, JOB_STATES, labelCells, notice, shortID, time, toDate } from "../dom.js";

const POLL_MS = 2000;
const BUCKET_S = 5;
const SPAN_S = 300;
const BUCKETS = SPAN_S / BUCKET_S;

function resources(info) {
  const c = info.ComputeNodeInfo;
  if (!c) return "–";
  const max = c.MaxCapacity, free = c.AvailableCapacity;
  const used = (k) => Math.max(0, (max[k] ?? 0) - (free[k] ?? 0));
  const meter = (label, u, m, fmt) =>
    h("div", {}, `${label}: ${fmt(u)} used, ${fmt(Math.max(0, m - u))} free`,
      h("div", { class: "meter", role: "meter", "aria-label": `${label} used`, "aria-valuemin": 0, "aria-valuemax": m, "aria-valuenow": u },
        h("span", { style: `width:${m ? Math.min(100, (100 * u) / m) : 0}%` })));
  return [
    meter("CPU", used("CPU"), max.CPU ?? 0, (v) => `${+v.toFixed(2)}`),
    meter("Memory", used("Memory"), max.Memory ?? 0, bytes),
    h("small", { class: "hint" }, `${c.RunningExecutions ?? 0} running, ${c.EnqueuedExecutions ?? 0} queued`),
  ];
}

function nodeRow(n, onAction) {
  const info = n.Info;
  const labels = Object.entries(info.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(", ");
  const conn = n.ConnectionState?.Status ?? n.Connection;
  const since = n.ConnectionState?.LastHeartbeat;
  const pending = n.Membership === "PENDING";
  const act = (action, label, cls) =>
    h("button", { type: "button", class: cls, "data-write": true, "aria-label": `${label} node ${info.NodeID}`, onclick: () => onAction(info.NodeID, action) }, label);
  return h("tr", { dataset: { node: info.NodeID } },
    h("th", { scope: "row", class: "mono" }, h("span", { title: info.NodeID }, shortID(info.NodeID))),
    h("td", {}, info.NodeType),
    h("td", { class: "optional" }, (info.ComputeNodeInfo?.ExecutionEngines ?? []).join(", ") || "–"),
    h("td", { class: "optional" }, labels || "–"),
    h("td", { class: "optional" }, h("div", { class: "resources" }, resources(info))),
    h("td", {}, badge(conn), since && !since.startsWith("0001") ? h("div", { class: "hint" }, "seen ", time(since)) : ""),
    h("td", {}, badge(n.Membership), pending ? h("div", { class: "actions" }, act("approve", "Approve"), act("reject", "Reject", "danger")) : ""),
  );
}

export async function render(main, _route, signal) {
  const nodesBody = h("tbody", { id: "nodes" });
  const nodesStatus = h("div", { "aria-live": "polite" });
  const counts = h("ul", { class: "counts", id: "job-counts" });
  const chart = h("div", { id: "timeline" });
  fill(main,
    h("h1", {}, "Overview"),
    h("section", { "aria-labelledby": "nodes-title" },
      h("h2", { id: "nodes-title" }, "Nodes"),
      nodesStatus,
      h("div", { class: "table-wrap" },
        h("table", {},
          h("thead", {}, h("tr", {}, ["Node", "Type", "Engines", "Labels", "Resources", "Connection", "Approval"]
            .map((t, i) => h("th", { scope: "col", class: i >= 2 && i <= 4 ? "optional" : undefined }, t)))),
          nodesBody))),
    h("div", { class: "grid" },
      h("section", { "aria-labelledby": "jobs-title" }, h("h2", { id: "jobs-title" }, "Jobs by state"), counts),
      h("section", { "aria-labelledby": "tl-title" }, h("h2", { id: "tl-title" }, "Last 5 minutes"), chart)));

  const onAction = async (id, action) => {
    try {
      await sendJSON("PUT", `/api/v1/orchestrator/nodes/${encodeURIComponent(id)}`, { Action: action, Message: `${action} from the dashboard` });
      fill(nodesStatus, notice(`Node ${shortID(id)}: ${action === "approve" ? "approved" : "rejected"}.`, "ok"));
      await refreshNodes();
    } catch (err) {
      fill(nodesStatus, notice(`Could not ${action} ${shortID(id)}: ${err.message}`, "error"));
    }
  };
  const refreshNodes = async () => {
    const { Nodes } = await getJSON("/api/v1/orchestrator/nodes");
    if (signal.aborted) return;
    // Keep keyboard focus on a row's button across refreshes.
    const focused = document.activeElement?.getAttribute("aria-label");
    fill(nodesBody, Nodes.length ? Nodes.map((n) => nodeRow(n, onAction)) : h("tr", {}, h("td", { colspan: 7 }, "No nodes yet.")));
    labelCells(nodesBody.parentElement);
    if (focused) nodesBody.querySelector(`[aria-label="${CSS.escape(focused)}"]`)?.focus();
  };

  // Queue length is only known from the moment the page is open; rates are rebuilt from the list.
  const queue = new Array(BUCKETS).fill(null);
  let lastBucket = Math.floor(Date.now() / 1000 / BUCKET_S);
  const refreshJobs = async () => {
    const { Items } = await getJSON("/api/v1/orchestrator/jobs?order_by=modified_at&reverse=true");
    if (signal.aborted) return;
    const by = Object.fromEntries(JOB_STATES.map((s) => [s, 0]));
    for (const j of Items) by[j.State.StateType] = (by[j.State.StateType] ?? 0) + 1;
    fill(counts, Object.entries(by).map(([s, n]) =>
      h("li", {}, h("a", { href: `#/jobs?state=${s}`, dataset: { state: s } }, h("strong", {}, n), s))));

    const nowBucket = Math.floor(Date.now() / 1000 / BUCKET_S);
    for (; lastBucket < nowBucket; lastBucket++) queue.push(queue.at(-1) ?? null), queue.shift();
    queue[BUCKETS - 1] = by.Pending + by.Queued;
    const created = new Array(BUCKETS).fill(0);
    const failed = new Array(BUCKETS).fill(0);
    const slot = (t) => BUCKETS - 1 - (nowBucket - Math.floor(toDate(t).getTime() / 1000 / BUCKET_S));
    for (const j of Items) {
      const c = slot(j.CreateTime);
      if (c >= 0 && c < BUCKETS) created[c] += 1 / BUCKET_S;
      const f = slot(j.ModifyTime);
      if (j.State.StateType === "Failed" && f >= 0 && f < BUCKETS) failed[f]++;
    }
    fill(chart, lineChart("Job timeline", [
      { name: "jobs/s", color: "#0b6bcb", values: created, format: (v) => v.toFixed(1) },
      { name: "queue", color: "#b7791f", values: queue, format: (v) => String(v) },
      { name: "failures", color: "#b42318", values: failed, format: (v) => String(v) },
    ], `${BUCKET_S}-second steps over the last ${SPAN_S / 60} minutes`));
  };

  await Promise.all([refreshNodes(), refreshJobs()]);
  every(signal, POLL_MS, () => void refreshNodes().catch(() => {}));
  every(signal, POLL_MS, () => void refreshJobs().catch(() => {}));
}
