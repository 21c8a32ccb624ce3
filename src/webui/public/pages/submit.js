// Submit: a WASM job built from a form (module uploaded or by CID/URL, arguments, env, inputs,
// publisher, network), or a pasted YAML/JSON job spec. Both PUT /api/v1/orchestrator/jobs.
import { sendJSON } from "../api.js";
import { fill, field, h, notice } from "../dom.js";
import { parseSpec } from "../yaml.js";

const ENTRY_TARGET = "main.wasm";

function toBase64(buf) {
  const bytes = new Uint8Array(buf);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

async function fileDataURL(file, type = "application/octet-stream") {
  return `data:${type};base64,${toBase64(await file.arrayBuffer())}`;
}

/** One source from a kind (ipfs, url, inline) and a value (CID, URL or a File). */
async function source(kind, value) {
  if (kind === "ipfs") return { Type: "ipfs", Params: { CID: value.trim() } };
  if (kind === "url") return { Type: "urlDownload", Params: { URL: value.trim() } };
  return { Type: "inline", Params: { URL: await fileDataURL(value) } };
}

const lines = (text) => text.split("\n").map((l) => l.replace(/\r$/, "")).filter((l) => l.trim() !== "");

function envMap(text) {
  const env = {};
  for (const l of lines(text)) {
    const i = l.indexOf("=");
    if (i <= 0) throw new Error(`environment line "${l}" needs the form KEY=value`);
    env[l.slice(0, i).trim()] = l.slice(i + 1);
  }
  return env;
}

function resultPaths(text) {
  return text.split(",").map((s) => s.trim()).filter(Boolean).map((s) => {
    const i = s.indexOf(":");
    if (i <= 0) throw new Error(`result path "${s}" needs the form name:/path`);
    return { Name: s.slice(0, i), Path: s.slice(i + 1) };
  });
}

/** A row of the inputs list: kind, value (text or file) and where it appears in the job. */
function inputRow(n, onRemove) {
  const kind = h("select", { name: `input-kind-${n}` },
    h("option", { value: "ipfs" }, "IPFS CID"), h("option", { value: "url" }, "URL"), h("option", { value: "inline" }, "Inline file"));
  const text = h("input", { name: `input-value-${n}`, placeholder: "bafy… or https://…" });
  const file = h("input", { name: `input-file-${n}`, type: "file" });
  const target = h("input", { name: `input-target-${n}`, value: "/inputs", required: true });
  const valueText = field("CID or URL", text);
  const valueFile = field("File", file);
  valueFile.hidden = true;
  kind.addEventListener("change", () => {
    valueText.hidden = kind.value === "inline";
    valueFile.hidden = kind.value !== "inline";
  });
  const row = h("fieldset", { class: "row input-row" }, h("legend", {}, `Input ${n}`),
    field("Kind", kind), valueText, valueFile, field("Mounted at", target),
    h("div", { class: "field" }, h("button", { type: "button", class: "secondary", onclick: () => onRemove(row) }, `Remove input ${n}`)));
  row.read = async () => {
    const value = kind.value === "inline" ? file.files[0] : text.value;
    if (!value) throw new Error(`input ${n} needs ${kind.value === "inline" ? "a file" : "a CID or URL"}`);
    return { Source: await source(kind.value, value), Target: target.value.trim() };
  };
  return row;
}

function describeError(err) {
  return `${err.message}${err.field ? ` (field ${err.field})` : ""}${err.hint ? `: ${err.hint}` : ""}`;
}

export async function render(main) {
  const status = h("div", { "aria-live": "polite", id: "submit-status" });
  const submitted = async (job) => {
    fill(status, notice("Submitting…"));
    const r = await sendJSON("PUT", "/api/v1/orchestrator/jobs", { Job: job });
    location.hash = `#/jobs/${encodeURIComponent(r.JobID)}`;
  };

  // The form.
  const name = h("input", { name: "name", placeholder: "optional" });
  const type = h("select", { name: "type" }, ["batch", "ops", "daemon", "service"].map((t) => h("option", { value: t }, t)));
  const count = h("input", { name: "count", type: "number", min: 0, value: 1 });
  const moduleKind = h("select", { name: "module-kind" },
    h("option", { value: "inline" }, "Upload a module"), h("option", { value: "ipfs" }, "IPFS CID"), h("option", { value: "url" }, "URL"));
  const moduleFile = h("input", { name: "module-file", type: "file", accept: ".wasm,application/wasm" });
  const moduleRef = h("input", { name: "module-ref", placeholder: "bafy… or https://…/module.wasm" });
  const moduleFileField = field("Module file", moduleFile);
  const moduleRefField = field("Module CID or URL", moduleRef);
  moduleRefField.hidden = true;
  moduleKind.addEventListener("change", () => {
    moduleFileField.hidden = moduleKind.value !== "inline";
    moduleRefField.hidden = moduleKind.value === "inline";
  });
  const entrypoint = h("input", { name: "entrypoint", value: "_start" });
  const args = h("textarea", { name: "args", rows: 3 });
  const env = h("textarea", { name: "env", rows: 3, placeholder: "KEY=value" });
  const publisher = h("select", { name: "publisher" },
    h("option", { value: "" }, "None"), h("option", { value: "local" }, "Local (through this node)"), h("option", { value: "ipfs" }, "IPFS"));
  const results = h("input", { name: "results", value: "outputs:/outputs" });
  const network = h("select", { name: "network" }, ["None", "HTTP", "Full"].map((t) => h("option", { value: t }, t)));
  const domains = h("input", { name: "domains", placeholder: "api.example.org, .example.com" });
  const domainsField = field("Allowed domains", domains, "HTTP network only: comma-separated");
  domainsField.hidden = true;
  network.addEventListener("change", () => (domainsField.hidden = network.value !== "HTTP"));

  const inputs = h("div", { id: "inputs" });
  let inputSeq = 0;
  const addInput = () => {
    const row = inputRow(++inputSeq, (r) => r.remove());
    inputs.append(row);
    row.querySelector("select").focus();
  };

  const form = h("form", { id: "job-form", "aria-labelledby": "form-title" },
    h("h2", { id: "form-title" }, "Run a WASM module"),
    h("div", { class: "row" }, field("Name", name), field("Type", type), field("Count", count)),
    h("fieldset", {}, h("legend", {}, "Module"),
      h("div", { class: "row" }, field("Module from", moduleKind), moduleFileField, moduleRefField, field("Entrypoint", entrypoint))),
    field("Arguments", args, "one per line"),
    field("Environment", env, "one KEY=value per line"),
    h("fieldset", {}, h("legend", {}, "Inputs"), inputs,
      h("button", { type: "button", class: "secondary", onclick: addInput }, "Add input")),
    h("div", { class: "row" }, field("Publisher", publisher), field("Result paths", results, "name:/path, comma-separated")),
    h("div", { class: "row" }, field("Network", network), domainsField),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Submit job")));

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      let entry;
      if (moduleKind.value === "inline") {
        const f = moduleFile.files[0];
        if (!f) throw new Error("choose a .wasm module to upload");
        entry = { Alias: f.name, Target: ENTRY_TARGET, Source: await source("inline", f) };
      } else {
        if (!moduleRef.value.trim()) throw new Error("give the module's CID or URL");
        entry = { Alias: moduleRef.value.trim(), Target: ENTRY_TARGET, Source: await source(moduleKind.value, moduleRef.value) };
      }
      const extra = await Promise.all([...inputs.children].map((row) => row.read()));
      const task = {
        Name: "main",
        Engine: { Type: "wasm", Params: { EntryModule: ENTRY_TARGET, Entrypoint: entrypoint.value.trim() || "_start", Parameters: lines(args.value) } },
        InputSources: [entry, ...extra],
        Network: network.value === "HTTP"
          ? { Type: "HTTP", Domains: domains.value.split(",").map((d) => d.trim()).filter(Boolean) }
          : { Type: network.value },
      };
      const envVars = envMap(env.value);
      if (Object.keys(envVars).length) task.Env = envVars;
      if (publisher.value) {
        task.Publisher = { Type: publisher.value };
        task.ResultPaths = resultPaths(results.value);
      }
      const job = { Type: type.value, Count: Number(count.value), Tasks: [task] };
      if (name.value.trim()) job.Name = name.value.trim();
      await submitted(job);
    } catch (err) {
      fill(status, notice(`Not submitted: ${describeError(err)}`, "error"));
    }
  });

  // The paste box.
  const specText = h("textarea", { name: "spec", rows: 12, spellcheck: false, placeholder: "Type: batch\nCount: 1\nTasks:\n  - Name: main\n    Engine:\n      Type: wasm\n      …" });
  const paste = h("form", { id: "spec-form", "aria-labelledby": "paste-title" },
    h("h2", { id: "paste-title" }, "Or paste a job spec"),
    field("Job spec (YAML or JSON)", specText, "a job as `bacalhau job run` takes it, or a request body with a Job"),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Submit spec")));
  paste.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const parsed = await parseSpec(specText.value);
      if (!parsed || typeof parsed !== "object") throw new Error("the spec must be a YAML or JSON object");
      await submitted(parsed.Job ?? parsed);
    } catch (err) {
      fill(status, notice(`Not submitted: ${describeError(err)}`, "error"));
    }
  });

  fill(main, h("h1", {}, "Submit a job"), status, h("section", {}, form), h("section", {}, paste));
}
