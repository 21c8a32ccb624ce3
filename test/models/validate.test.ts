import { test } from "node:test";
import assert from "node:assert/strict";
import { normalizeJob } from "../../src/models/normalize.ts";
import { validateJob } from "../../src/models/validate.ts";
import { throwsField } from "./helpers.ts";

const base = () => ({
  Type: "batch",
  Tasks: [{ Name: "main", Engine: { Type: "wasm", Params: { EntryModule: "/app", Entrypoint: "_start" } } }],
});
/** Builds a job with `patch` applied to the task (or job when onJob). */
function job(taskPatch: Record<string, unknown> = {}, jobPatch: Record<string, unknown> = {}) {
  const b = base();
  return normalizeJob({ ...b, ...jobPatch, Tasks: [{ ...b.Tasks[0], ...taskPatch }] });
}
const check = (taskPatch: Record<string, unknown>, field: string, msg?: RegExp, jobPatch: Record<string, unknown> = {}) =>
  throwsField(() => validateJob(job(taskPatch, jobPatch)), field, msg);

test("a good job passes", () => {
  validateJob(job({
    InputSources: [{ Target: "/app", Alias: "a", Source: { Type: "urlDownload", Params: { URL: "http://x/m.wasm" } } }],
    ResultPaths: [{ Name: "outputs", Path: "/outputs" }],
    Env: { LOG_LEVEL: "info" },
    Resources: { CPU: "500m", Memory: "256Mb" },
    Network: { Type: "HTTP", Domains: ["example.org", ".foo.com", "10.0.0.1"] },
    Timeouts: { ExecutionTimeout: 300, QueueTimeout: 60, TotalTimeout: 600 },
  }, { Constraints: [{ Key: "os_arch", Operator: "=", Values: ["amd64"] }], Labels: { project: "demo" } }));
  validateJob(job({ Engine: { Type: "docker", Params: { Image: "ubuntu" } } }));
  validateJob(job({ Engine: { Type: "custom" } }));
});

test("job-level rules", () => {
  check({}, "Type", /required/, { Type: "" });
  check({}, "Type", /invalid job type/, { Type: "cron" });
  check({}, "Count", />= 0/, { Count: -1 });
  check({}, "Count", /0 or 1/, { Type: "ops", Count: 2 });
  check({}, "Constraints[0]", /needs exactly one value/, { Constraints: [{ Key: "a", Operator: "=", Values: [] }] });
  check({}, "Constraints[0]", /at least one value/, { Constraints: [{ Key: "a", Operator: "in" }] });
  check({}, "Constraints[0]", /takes no values/, { Constraints: [{ Key: "a", Operator: "exists", Values: ["x"] }] });
  check({}, "Constraints[0]", /unknown operator/, { Constraints: [{ Key: "a", Operator: "~" }] });
  check({}, "Labels.bad key", /label key/, { Labels: { "bad key": "v" } });
  throwsField(() => validateJob({ ...job(), Tasks: [] }), "Tasks", /at least one task/);
});

test("task rules name their field", () => {
  throwsField(() => validateJob({ ...job(), Tasks: [{ ...job().Tasks[0]!, Name: "" }] }), "Tasks[0].Name");
  check({ Engine: {} }, "Tasks[0].Engine.Type", /required/);
  check({ Engine: { Type: "wasm", Params: {} } }, "Tasks[0].Engine.Params.EntryModule", /target path cannot be empty/);
  check({ Engine: { Type: "docker", Params: {} } }, "Tasks[0].Engine.Params.Image");
  check({ InputSources: [{ Target: "/x", Source: {} }] }, "Tasks[0].InputSources[0].Source.Type");
  check({ InputSources: [{ Source: { Type: "ipfs" } }] }, "Tasks[0].InputSources[0].Target");
  check({ InputSources: [{ Target: "/inputs", Source: { Type: "ipfs" } }, { Target: "/inputs", Source: { Type: "ipfs" } }] },
    "Tasks[0].InputSources[1].Target", /input source with target '\/inputs' already exists/);
  check({ InputSources: [{ Target: "/a", Alias: "x", Source: { Type: "ipfs" } }, { Target: "/b", Alias: "x", Source: { Type: "ipfs" } }] },
    "Tasks[0].InputSources[1].Alias", /alias 'x'/);
  check({ ResultPaths: [{ Path: "/o" }] }, "Tasks[0].ResultPaths[0].Name");
  check({ ResultPaths: [{ Name: "o" }] }, "Tasks[0].ResultPaths[0].Path");
  check({ ResultPaths: [{ Name: "o", Path: "out" }] }, "Tasks[0].ResultPaths[0].Path", /absolute/);
  check({ ResultPaths: [{ Name: "o", Path: "/o" }, { Name: "p", Path: "/o" }] }, "Tasks[0].ResultPaths[1].Path");
  check({ Env: { lower: "x" } }, "Tasks[0].Env.lower");
  check({ Env: { BACALHAU_X: "x" } }, "Tasks[0].Env.BACALHAU_X", /reserved/);
  check({ Env: { EMPTY: "" } }, "Tasks[0].Env.EMPTY", /empty/);
  check({ Resources: { Memory: "lots" } }, "Tasks[0].Resources.Memory");
  check({ Resources: { CPU: "-1" } }, "Tasks[0].Resources.CPU");
  check({ Timeouts: { QueueTimeout: -1 } }, "Tasks[0].Timeouts.QueueTimeout");
  check({ Timeouts: { ExecutionTimeout: 60, QueueTimeout: 60, TotalTimeout: 100 } }, "Tasks[0].Timeouts.TotalTimeout", /exceeds/);
  check({ Network: { Type: "None", Domains: ["example.org"] } }, "Tasks[0].Network.Domains", /only be set with network type HTTP/);
  check({ Network: { Type: "HTTP", Domains: ["localhost"] } }, "Tasks[0].Network.Domains[0]", /invalid domain/);
  check({ Network: { Type: "HTTP", Ports: [{ Name: "p" }] } }, "Tasks[0].Network.Ports");
});

test("several problems are reported together, the first one in details.field", () => {
  const e = check({ Engine: { Type: "wasm", Params: {} }, Env: { lower: "x" } }, "Tasks[0].Engine.Params.EntryModule");
  assert.match(e.message, /EntryModule.*; .*lower/);
  assert.equal(e.details?.fields, "Tasks[0].Engine.Params.EntryModule,Tasks[0].Env.lower");
  assert.equal(e.component, "JobValidator");
  assert.ok(e.hint);
});
