// One job: its spec as YAML, executions, history, live logs over the WebSocket stream, result
// downloads (through this API for `local`, from IPFS by CID), stop and rerun.
import { getJSON, logSocket, request, sendJSON } from "../api.js";
import { badge, EXEC_STATES, fill, h, labelCells, notice, saveBlob, shortID, TERMINAL_JOB_STATES, time } from "../dom.js";
import { toYAML } from "../yaml.js";

const POLL_MS = 1500;

/** Downloads through fetch (not a plain link) so the request carries the signed-in credentials. */
async function download(url, name, status) {
  try {
    fill(status, notice(`Downloading ${name}…`));
    const res = await request(url);
    saveBlob(await res.blob(), name);
    fill(status, notice(`Downloaded ${name}.`, "ok"));
  } catch (err) {
    fill(status, notice(`Download failed: ${err.message}`, "error"));
  }
}

function resultLinks(results, jobID, status) {
  if (!results.length) return h("p", { class: "hint" }, "No published results yet.");
  return h("ul", {}, results.map((r, i) => {
    const p = r.Params ?? {};
    if (r.Type === "ipfs" && p.CID) {
      return h("li", {}, "IPFS ", h("a", { href: `#/ipfs?cid=${encodeURIComponent(p.CID)}`, class: "mono" }, p.CID), " ",
        h("button", { type: "button", class: "secondary", onclick: () => download(`/api/v1/ipfs/get/${encodeURIComponent(p.CID)}`, `${p.CID}.tar.gz`, status) }, "Download"));
    }
    const url = p.URL ?? "";
    if (url) {
      const name = decodeURIComponent(new URL(url, location.href).pathname.split("/").pop() || `${jobID}-${i}.tar.gz`);
      return h("li", {}, h("button", { type: "button", class: "secondary", dataset: { result: name }, onclick: () => download(url, name, status) }, `Download ${name}`));
    }
    return h("li", {}, `${r.Type}: `, h("code", {}, JSON.stringify(p)));
  }));
}

function executionsTable(items) {
  if (!items.length) return h("p", { class: "hint" }, "No executions yet.");
  const table = h("table", { id: "executions" },
    h("thead", {}, h("tr", {}, ["Execution", "Node", "State", "Exit", "Updated"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, items.map((e) => h("tr", {},
      h("th", { scope: "row", class: "mono", title: e.ID }, shortID(e.ID)),
      h("td", { class: "mono", title: e.NodeID }, shortID(e.NodeID)),
      h("td", {}, badge(EXEC_STATES[e.ComputeState.StateType] ?? e.ComputeState.StateType),
        e.ComputeState.Message ? h("div", { class: "hint" }, e.ComputeState.Message) : ""),
      h("td", {}, e.RunOutput ? String(e.RunOutput.ExitCode ?? e.RunOutput.exitCode ?? "") : ""),
      h("td", {}, time(e.ModifyTime))))));
  labelCells(table);
  return h("div", { class: "table-wrap" }, table);
}

function historyList(items) {
  if (!items.length) return h("p", { class: "hint" }, "No events yet.");
  return h("ol", { class: "timeline", id: "history" }, items.map((ev) => {
    const change = ev.JobState
      ? `job ${ev.JobState.Previous} → ${ev.JobState.New}`
      : ev.ExecutionState
        ? `execution ${shortID(ev.ExecutionID)} ${EXEC_STATES[ev.ExecutionState.Previous]} → ${EXEC_STATES[ev.ExecutionState.New]}`
        : `${ev.ExecutionID ? `execution ${shortID(ev.ExecutionID)}: ` : ""}${ev.Event?.Topic || ev.Type}`;
    return h("li", {}, time(ev.Time), " · ", change, ev.Event?.Message ? h("div", { class: "hint" }, ev.Event.Message) : "");
  }));
}

const RECONNECT_MS = 1000;

/**
 * Follows the job's logs; returns a function that stops. A stream opened before the job ended can
 * end early (no execution yet, or the run had not started its log), so while the job was still
 * going when the stream opened, it is opened again once closed: each stream replays the log from
 * its start, and its first line replaces what the previous one showed.
 */
function followLogs(jobID, out, state, isTerminal) {
  let stopped = false;
  let ws;
  let timer;
  const connect = () => {
    const finalAttempt = isTerminal();
    let fresh = true;
    ws = logSocket(jobID, { follow: true });
    if (!out.textContent) state.textContent = "connecting…";
    ws.onopen = () => (state.textContent = "live");
    ws.onmessage = (m) => {
      const frame = JSON.parse(m.data);
      if (frame.error) {
        const why = frame.error.Cause ?? frame.error.Message ?? JSON.stringify(frame.error);
        if (finalAttempt) out.append(h("span", { class: "stderr" }, `error: ${why}\n`));
        else state.textContent = `waiting: ${why}`;
        return;
      }
      if (fresh) {
        out.textContent = "";
        fresh = false;
      }
      const line = frame.value?.Line ?? "";
      // Type 2 is stderr in Bacalhau's log frames.
      out.append(frame.value?.Type === 2 ? h("span", { class: "stderr" }, line) : document.createTextNode(line));
      out.scrollTop = out.scrollHeight;
    };
    ws.onclose = () => {
      if (stopped) return;
      if (finalAttempt) state.textContent = "ended";
      else timer = setTimeout(connect, RECONNECT_MS);
    };
  };
  connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    ws.close();
  };
}

export async function render(main, { id }, signal) {
  let job = (await getJSON(`/api/v1/orchestrator/jobs/${encodeURIComponent(id)}`)).Job;
  if (signal.aborted) return;
  const status = h("div", { "aria-live": "polite", id: "job-status" });
  const stateEl = h("span", { id: "job-state" });
  const execs = h("div");
  const history = h("div");
  const results = h("div", { id: "results" });
  const spec = h("pre", { id: "spec", tabindex: 0, "aria-label": "Job spec in YAML" });
  const logs = h("pre", { id: "logs", tabindex: 0, "aria-label": "Logs", "aria-live": "off" });
  const logState = h("span", { class: "hint", id: "log-state" });
  const stopBtn = h("button", { type: "button", class: "danger", "data-write": true }, "Stop");
  const rerunBtn = h("button", { type: "button", class: "secondary", "data-write": true }, "Rerun");

  stopBtn.addEventListener("click", async () => {
    if (!confirm(`Stop job ${job.Name || job.ID}?`)) return;
    try {
      await sendJSON("DELETE", `/api/v1/orchestrator/jobs/${encodeURIComponent(job.ID)}`, { Reason: "stopped from the dashboard" });
      fill(status, notice("Stop requested.", "ok"));
      await refresh();
    } catch (err) {
      fill(status, notice(`Could not stop: ${err.message}`, "error"));
    }
  });
  rerunBtn.addEventListener("click", async () => {
    try {
      const r = await sendJSON("PUT", `/api/v1/orchestrator/jobs/${encodeURIComponent(job.ID)}/rerun`, { Reason: "rerun from the dashboard" });
      fill(status, notice(`Rerun as version ${r.JobVersion ?? "?"}.`, "ok"));
      await refresh();
      restartLogs();
    } catch (err) {
      fill(status, notice(`Could not rerun: ${err.message}`, "error"));
    }
  });

  fill(main,
    h("h1", {}, "Job ", h("span", { class: "mono" }, job.Name || shortID(job.ID))),
    h("section", { "aria-labelledby": "summary-title" },
      h("h2", { id: "summary-title" }, "Summary"),
      h("dl", { class: "kv" },
        h("dt", {}, "ID"), h("dd", { class: "mono" }, job.ID),
        h("dt", {}, "State"), h("dd", {}, stateEl),
        h("dt", {}, "Type"), h("dd", {}, job.Type),
        h("dt", {}, "Version"), h("dd", { id: "job-version" }, String(job.Version)),
        h("dt", {}, "Created"), h("dd", {}, time(job.CreateTime))),
      h("div", { class: "actions" }, stopBtn, rerunBtn),
      status),
    h("section", { "aria-labelledby": "logs-title" },
      h("h2", { id: "logs-title" }, "Logs ", logState), logs),
    h("section", { "aria-labelledby": "results-title" }, h("h2", { id: "results-title" }, "Results"), results),
    h("div", { class: "grid" },
      h("section", { "aria-labelledby": "exec-title" }, h("h2", { id: "exec-title" }, "Executions"), execs),
      h("section", { "aria-labelledby": "history-title" }, h("h2", { id: "history-title" }, "History"), history)),
    h("section", { "aria-labelledby": "spec-title" }, h("h2", { id: "spec-title" }, "Spec"), spec));

  let resultsFor = "";
  const resultStatus = h("div", { "aria-live": "polite" });
  async function refresh() {
    const [j, ex, hist] = await Promise.all([
      getJSON(`/api/v1/orchestrator/jobs/${encodeURIComponent(id)}`),
      getJSON(`/api/v1/orchestrator/jobs/${encodeURIComponent(id)}/executions`),
      getJSON(`/api/v1/orchestrator/jobs/${encodeURIComponent(id)}/history?limit=200`),
    ]);
    if (signal.aborted) return;
    job = j.Job;
    const terminal = TERMINAL_JOB_STATES.has(job.State.StateType);
    document.getElementById("job-version").textContent = String(job.Version);
    fill(stateEl, badge(job.State.StateType), job.State.Message ? h("span", { class: "hint" }, ` ${job.State.Message}`) : "");
    stopBtn.disabled = terminal;
    fill(execs, executionsTable(ex.Items));
    fill(history, historyList(hist.Items));
    const yaml = toYAML(job);
    if (spec.textContent !== yaml) spec.textContent = yaml;
    // Results change only when an execution completes: ask again only then.
    const key = `${job.Version}:${ex.Items.map((e) => `${e.ID}${e.ComputeState.StateType}`).join()}`;
    if (key !== resultsFor && (job.Type === "batch" || job.Type === "ops")) {
      resultsFor = key;
      const r = await getJSON(`/api/v1/orchestrator/jobs/${encodeURIComponent(id)}/results`);
      if (!signal.aborted) fill(results, resultLinks(r.Items, job.ID, resultStatus), resultStatus);
    } else if (job.Type !== "batch" && job.Type !== "ops") {
      fill(results, h("p", { class: "hint" }, `${job.Type} jobs publish no results; read their logs.`));
    }
  }

  let closeLogs = () => {};
  const restartLogs = () => {
    closeLogs();
    logs.textContent = "";
    closeLogs = followLogs(job.ID, logs, logState, () => TERMINAL_JOB_STATES.has(job.State.StateType));
  };
  restartLogs();
  signal.addEventListener("abort", () => closeLogs(), { once: true });

  await refresh();
  const tick = async () => {
    if (signal.aborted) return;
    try {
      await refresh();
    } catch (err) {
      fill(status, notice(err.message, "error"));
    }
    setTimeout(tick, POLL_MS);
  };
  setTimeout(tick, POLL_MS);
}
