import { test } from "node:test";
import assert from "node:assert/strict";
import { normalizeJob } from "../../src/models/normalize.ts";
import { throwsField } from "./helpers.ts";

test("defaults are filled", () => {
  const job = normalizeJob({ Type: "batch", Tasks: [{ Engine: { Type: "wasm", Params: { EntryModule: "/m" } } }] });
  assert.equal(job.Namespace, "default");
  assert.equal(job.Count, 1);
  assert.equal(job.Priority, 0);
  assert.deepEqual(job.Constraints, []);
  assert.deepEqual(job.Meta, {});
  assert.deepEqual(job.Labels, {});
  assert.equal(job.State.StateType, "Undefined");
  const task = job.Tasks[0];
  assert.equal(task?.Name, "main");
  assert.deepEqual(task?.Env, {});
  assert.deepEqual(task?.InputSources, []);
  assert.deepEqual(task?.ResultPaths, []);
  assert.deepEqual(task?.Network, { Type: "Default" });
  assert.equal(task?.Publisher, undefined);
  assert.equal(normalizeJob({ Type: "ops", Tasks: [] }).Count, 0);
  assert.equal(normalizeJob({ Type: "daemon", Tasks: [] }).Count, 0);
  assert.equal(normalizeJob({ Type: "service", Tasks: [] }).Count, 1);
  assert.equal(normalizeJob({ Type: "batch", Count: 0, Tasks: [] }).Count, 0);
});

test("keys match case-insensitively and types are canonicalised", () => {
  const job = normalizeJob({
    type: "BATCH", namespace: "ns", LABELS: { a: "b" },
    tasks: [{
      name: "t",
      engine: { type: "WASM", params: { entrymodule: "/m.wasm", EntryPoint: "_start", parameters: ["x"], custom: 1 } },
      publisher: { TYPE: "IPFS" },
      inputsources: [{ target: "/in", alias: "a", source: { type: "URLDOWNLOAD", params: { url: "http://x/y" } } },
        { Target: "/l", Source: { Type: "localDirectory", Params: { sourcepath: "/data", readwrite: true } } }],
      network: { type: "http", domains: ["example.org"] },
      resources: { cpu: "1", MEMORY: "1gb", gpu: 1 },
      timeouts: { executiontimeout: 10 },
    }],
  });
  assert.equal(job.Type, "batch");
  assert.equal(job.Namespace, "ns");
  assert.deepEqual(job.Labels, { a: "b" });
  const task = job.Tasks[0];
  assert.deepEqual(task?.Engine, { Type: "wasm", Params: { EntryModule: "/m.wasm", Entrypoint: "_start", Parameters: ["x"], custom: 1 } });
  assert.deepEqual(task?.Publisher, { Type: "ipfs", Params: {} });
  assert.deepEqual(task?.InputSources?.[0], { Target: "/in", Alias: "a", Source: { Type: "urlDownload", Params: { URL: "http://x/y" } } });
  assert.deepEqual(task?.InputSources?.[1]?.Source, { Type: "local", Params: { SourcePath: "/data", ReadWrite: true } });
  assert.deepEqual(task?.Network, { Type: "HTTP", Domains: ["example.org"] });
  assert.deepEqual(task?.Resources, { CPU: "1", Memory: "1gb", GPU: "1" });
  assert.deepEqual(task?.Timeouts, { ExecutionTimeout: 10, QueueTimeout: 0, TotalTimeout: 0 });
});

test("legacy wasm Params become input sources", () => {
  const job = normalizeJob({
    Type: "batch",
    Tasks: [{
      Name: "main",
      Engine: {
        Type: "wasm",
        Params: {
          EntryModule: { Source: { Type: "urlDownload", Params: { URL: "http://x/main.wasm" } } },
          EntryPoint: "_start",
          Parameters: ["a"],
          EnvironmentVariables: { A: "1" },
          ImportModules: [{ Source: { Type: "ipfs", Params: { CID: "bafy" } }, Target: "/lib.wasm" }, { Type: "inline", Params: { URL: "data:," } }],
        },
      },
      InputSources: [{ Target: "/inputs", Source: { Type: "ipfs", Params: { CID: "c" } } }],
    }],
  });
  const task = job.Tasks[0];
  assert.deepEqual(task?.Engine.Params, {
    EntryModule: "/wasm/entry.wasm", Entrypoint: "_start", Parameters: ["a"], ImportModules: ["/lib.wasm", "/wasm/imports/module_1.wasm"],
  });
  assert.deepEqual(task?.InputSources?.map((s) => s.Target), ["/inputs", "/wasm/entry.wasm", "/lib.wasm", "/wasm/imports/module_1.wasm"]);
  assert.equal(task?.InputSources?.[1]?.Source.Type, "urlDownload");
  assert.equal(task?.InputSources?.[3]?.Source.Type, "inline");
});

test("wrong types are 400s naming the field", () => {
  throwsField(() => normalizeJob({ Type: "batch", Count: "1" }), "Count");
  throwsField(() => normalizeJob({ Type: 3 }), "Type");
  throwsField(() => normalizeJob({ Tasks: {} }), "Tasks");
  throwsField(() => normalizeJob({ Tasks: [{ Engine: { Type: "wasm", Params: [] } }] }), "Tasks[0].Engine.Params");
  throwsField(() => normalizeJob({ Tasks: [{ Env: { A: 1 } }] }), "Tasks[0].Env.A");
  throwsField(() => normalizeJob({ Tasks: [{ Network: { Type: "wifi" } }] }), "Tasks[0].Network.Type");
  throwsField(() => normalizeJob({ Tasks: [{ InputSources: [{ Target: 5 }] }] }), "Tasks[0].InputSources[0].Target");
  throwsField(() => normalizeJob("job"), "Job");
});
