// The v0.3 job translation and the other pieces of reading a POST /api/v1/run request.
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_RUN_TIMEOUT_MS, MAX_RUN_TIMEOUT_MS, parseRunTimeout, runRequestFromBody } from "../../src/api/run-request.ts";
import { BacalhauError } from "../../src/models/errors.ts";
import { isLegacySpec, legacySpecToJob } from "../../src/models/legacy-spec.ts";
import { normalizeJob } from "../../src/models/normalize.ts";
import { validateJob } from "../../src/models/validate.ts";

const CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
const WASM_URL = "data:application/wasm;base64,AGFzbQEAAAA=";

const legacyWasm = (spec: Record<string, unknown> = {}) => ({
  APIVersion: "V1beta1",
  Spec: {
    Engine: "Wasm",
    Verifier: "Noop",
    Publisher: "IPFS",
    Wasm: {
      EntryModule: { StorageSource: "Inline", URL: WASM_URL },
      EntryPoint: "main",
      Parameters: ["/inputs/a.txt"],
      EnvironmentVariables: { A: "1" },
    },
    Resources: { CPU: "500m", Memory: "64Mb" },
    inputs: [{ StorageSource: "IPFS", Name: "data", CID, path: "/inputs" }],
    outputs: [{ StorageSource: "IPFS", Name: "results", path: "/results" }],
    Deal: { Concurrency: 2 },
    Timeout: 1.5,
    ...spec,
  },
});

/** Asserts `fn` throws a 400 naming `field`. */
function assertField(fn: () => unknown, field: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof BacalhauError, String(err));
    assert.equal(err.status, 400);
    assert.equal(err.details?.field, field, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

test("a v0.3 wasm job becomes a valid v1 batch job", () => {
  const job = normalizeJob(legacySpecToJob(legacyWasm()));
  validateJob(job);
  assert.equal(job.Type, "batch");
  assert.equal(job.Count, 2);
  const task = job.Tasks[0]!;
  assert.deepEqual(task.Engine, {
    Type: "wasm",
    Params: { EntryModule: "/wasm/entry.wasm", Entrypoint: "main", Parameters: ["/inputs/a.txt"], ImportModules: [] },
  });
  assert.deepEqual(task.InputSources, [
    { Alias: "data", Target: "/inputs", Source: { Type: "ipfs", Params: { CID } } },
    { Target: "/wasm/entry.wasm", Source: { Type: "inline", Params: { URL: WASM_URL } } },
  ]);
  assert.deepEqual(task.ResultPaths, [{ Name: "results", Path: "/results" }]);
  assert.deepEqual(task.Publisher, { Type: "ipfs", Params: {} });
  assert.deepEqual(task.Resources, { CPU: "500m", Memory: "64Mb" });
  assert.equal(task.Network?.Type, "None");
  assert.equal(task.Timeouts?.ExecutionTimeout, 2, "float seconds round up");
  assert.deepEqual(task.Env, { A: "1" }, "the wasm environment moves to the task");
});

test("defaults: /outputs, _start, one execution, no publisher", () => {
  const job = normalizeJob(legacySpecToJob({
    spec: { engine: "wasm", wasm: { entrymodule: { storagesource: "ipfs", cid: CID } } },
  }));
  validateJob(job);
  const task = job.Tasks[0]!;
  assert.equal(job.Count, 1);
  assert.equal(task.Engine.Params?.Entrypoint, "_start");
  assert.deepEqual(task.ResultPaths, [{ Name: "outputs", Path: "/outputs" }]);
  assert.equal(task.Publisher, undefined);
  assert.deepEqual(task.InputSources, [{ Target: "/wasm/entry.wasm", Source: { Type: "ipfs", Params: { CID } } }]);
});

test("the signed submit envelope's payload and docker jobs translate too", () => {
  const body = {
    payload: {
      ClientID: "c",
      APIVersion: "V1beta1",
      Spec: {
        Engine: "Docker",
        Publisher: "Noop",
        Docker: { Image: "local/busybox:1", Entrypoint: ["echo", "hi"], EnvironmentVariables: ["A=1"] },
        inputs: [{ StorageSource: "URLDownload", URL: "https://example.org/a.csv", path: "/data" }],
        Network: { Type: "HTTP", Domains: ["example.org"] },
        NodeSelectors: [{ Key: "os_arch", Operator: "=", Values: ["amd64"] }],
      },
    },
    signature: "x",
    client_public_key: "y",
  };
  assert.equal(isLegacySpec(body), true);
  const job = normalizeJob(legacySpecToJob(body));
  validateJob(job);
  const task = job.Tasks[0]!;
  assert.equal(task.Engine.Type, "docker");
  assert.deepEqual(task.Engine.Params?.Entrypoint, ["echo", "hi"]);
  assert.deepEqual(task.Publisher, { Type: "noop", Params: {} });
  assert.deepEqual(task.InputSources, [{ Target: "/data", Source: { Type: "urlDownload", Params: { URL: "https://example.org/a.csv" } } }]);
  assert.deepEqual(task.Network, { Type: "HTTP", Domains: ["example.org"] });
  assert.deepEqual(job.Constraints, [{ Key: "os_arch", Operator: "=", Values: ["amd64"] }]);
});

test("what cannot be translated is a 400 naming the field", () => {
  assertField(() => legacySpecToJob(legacyWasm({ Engine: "Language" })), "Spec.Engine", /unsupported legacy engine 'Language'/);
  assertField(() => legacySpecToJob(legacyWasm({ Publisher: "Estuary" })), "Spec.Publisher", /Estuary/);
  assertField(() => legacySpecToJob(legacyWasm({ inputs: [{ StorageSource: "Filecoin", CID }] })),
    "Spec.inputs[0].StorageSource", /Filecoin/);
  assertField(() => legacySpecToJob(legacyWasm({ Wasm: { EntryPoint: "_start" } })), "Spec.Wasm.EntryModule");
  assertField(() => legacySpecToJob(legacyWasm({ Timeout: "10s" })), "Spec.Timeout");
  assertField(() => legacySpecToJob({ APIVersion: "V2", Spec: {} }), "APIVersion");
});

test("v1 jobs are not legacy", () => {
  assert.equal(isLegacySpec({ Type: "batch", Tasks: [] }), false);
  assert.equal(isLegacySpec({ Job: { Type: "batch" } }), false);
  assert.equal(isLegacySpec(legacyWasm()), true);
});

test("run request bodies: wrapped, bare, legacy or nothing", () => {
  const bare = { Type: "batch", Tasks: [{ Name: "main", Engine: { Type: "noop" } }] };
  const wrapped = runRequestFromBody({ Job: { ...bare, State: { StateType: "Running" } }, Force: true });
  assert.equal(wrapped.force, true);
  assert.deepEqual(wrapped.warnings, ["job state is ignored when submitting a job"]);
  assert.equal(runRequestFromBody(bare).job.Tasks[0]!.Engine.Type, "noop");
  assert.equal(runRequestFromBody(legacyWasm()).job.Tasks[0]!.Engine.Type, "wasm");
  assertField(() => runRequestFromBody({}), "Job");
  assertField(() => runRequestFromBody({ Job: { ...bare, Type: "nightly" } }), "Type");
});

test("?timeout= reads Go durations and plain seconds, and is capped", () => {
  assert.equal(parseRunTimeout(undefined), DEFAULT_RUN_TIMEOUT_MS);
  assert.equal(parseRunTimeout("90s"), 90_000);
  assert.equal(parseRunTimeout("1m30s"), 90_000);
  assert.equal(parseRunTimeout("1.5m"), 90_000);
  assert.equal(parseRunTimeout("250ms"), 250);
  assert.equal(parseRunTimeout("2"), 2000);
  assert.equal(parseRunTimeout("0"), 0);
  assert.equal(parseRunTimeout("2h"), MAX_RUN_TIMEOUT_MS);
  assertField(() => parseRunTimeout("soon"), "timeout");
  assertField(() => parseRunTimeout("-5s"), "timeout");
});
