// The wasm `http_request` host function against the node that runs it: a job allowed `127.0.0.1`
// (or with Full network, `localhost`) cannot submit a job to the node's API, nor reach loopback by a redirect, an odd
// spelling or a DNS answer; an address the operator allows stays reachable.
import assert from "node:assert/strict";
import { test } from "node:test";
import { WasmExecutor } from "../../src/executor/wasm/executor.ts";
import type { Execution, NetworkConfig } from "../../src/models/types.ts";
import { getJSON, submit, waitTerminal, wasmJob } from "../helpers/jobs.ts";
import { startTestNode } from "../helpers/node.ts";
import { loopbackServer, startOrigin, UPSTREAM_HOST } from "../netpolicy/helpers.ts";
import { type Cleanup, moduleFile, wasmRequest } from "./helpers.ts";

const REFUSED = /\nError making request: host not allowed\n$/;

test("a wasm job allowed 127.0.0.1, or with Full network, cannot submit a job to its node", async (t) => {
  // Even an operator who opens all of loopback does not open the node's own ports.
  const node = await startTestNode(t, (cfg) => {
    cfg.JobAdmissionControl.RejectNetworkedJobs = false;
    cfg.JobNetworking.AllowedCIDRs = ["127.0.0.0/8"];
  });
  const origin = await startOrigin(t);
  // A job's domain list cannot name `localhost` (not a valid domain), but a Full network reaches any host.
  const allowing: NetworkConfig = { Type: "HTTP", Domains: ["127.0.0.1", UPSTREAM_HOST] };
  const full: NetworkConfig = { Type: "Full" };
  const inner = JSON.stringify({ Job: wasmJob("hello", { name: "from-inside" }) });
  const run = async (url: string, network: NetworkConfig, extra: Record<string, string> = {}) => {
    const env = { HTTP_URL: url, ...extra };
    const { JobID } = await submit(node.apiURL, wasmJob("http_get", { env, task: { Network: network } }));
    await waitTerminal(node.apiURL, JobID);
    const { Items } = await getJSON<{ Items: Execution[] }>(`${node.apiURL}/api/v1/orchestrator/jobs/${JobID}/executions`);
    return Items[0].RunOutput;
  };
  const submitting = { HTTP_METHOD: "PUT", HTTP_BODY: inner, HTTP_HEADERS: "Content-Type: application/json" };
  const attempts: Array<[string, NetworkConfig]> = [
    ["127.0.0.1", allowing], [UPSTREAM_HOST, allowing], ["localhost", full], ["127.0.0.1", full], ["[::ffff:127.0.0.1]", full],
  ];
  for (const [host, network] of attempts) {
    const out = await run(`http://${host}:${node.apiPort}/api/v1/orchestrator/jobs`, network, submitting);
    assert.match(out?.Stdout ?? "", REFUSED, `${host} (${network.Type})`);
    assert.equal(out?.ExitCode, 1);
  }
  const names = (await getJSON<{ Items: Array<{ Name: string }> }>(`${node.apiURL}/api/v1/orchestrator/jobs?limit=100`))
    .Items.map((j) => j.Name);
  assert.equal(names.length, attempts.length, names.join(","));
  assert.ok(!names.includes("from-inside"), "no job was submitted from inside");

  // The same job reaches an allowed loopback address that is not the node's.
  const control = await run(`http://${UPSTREAM_HOST}:${origin.port}/headers`, allowing);
  assert.match(control?.Stdout ?? "", /Status Code: 200\n/);
  assert.equal(origin.seen.length, 1);
});

test("wasm http_request: loopback by redirect, spelling or DNS answer is refused", async (t) => {
  const target = await loopbackServer(t);
  const origin = await startOrigin(t);
  const p = target.port;
  const executor = new WasmExecutor({
    maxRunners: 1, rejectNetworkedJobs: false, allowedCIDRs: [`${UPSTREAM_HOST}/32`],
    hosts: { "origin.test": [UPSTREAM_HOST], "sneaky.test": ["::ffff:127.0.0.1"], "meta.test": ["169.254.169.254"] },
  });
  t.after(() => executor.close());
  const job = async (url: string, network: NetworkConfig) => {
    const r = wasmRequest(t, { module: moduleFile("http_get"), env: { HTTP_URL: url }, network });
    const result = await executor.run(r.req);
    return { result, stdout: r.stdout() };
  };
  const domains = ["origin.test", "sneaky.test", "meta.test", "localhost", "127.0.0.1", "::1", "::ffff:127.0.0.1",
    "0.0.0.0", "169.254.169.254"];
  const to = encodeURIComponent(`http://127.0.0.1:${p}/`);
  const urls = [
    `http://origin.test:${origin.port}/redirect?to=${to}`,
    `http://localhost:${p}/`, `http://localhost.:${p}/`, `http://sneaky.test:${p}/`, "http://meta.test/",
    `http://0x7f.1:${p}/`, `http://2130706433:${p}/`, `http://127.1:${p}/`, `http://[::ffff:127.0.0.1]:${p}/`,
    `http://[::1]:${p}/`, `http://0.0.0.0:${p}/`, `http://0:${p}/`, "http://169.254.169.254/",
  ];
  for (const url of urls) {
    for (const network of [{ Type: "HTTP", Domains: domains }, { Type: "Full" }] as NetworkConfig[]) {
      const { result, stdout } = await job(url, network);
      assert.deepEqual(result, { exitCode: 1 }, `${url} (${network.Type})`);
      assert.match(stdout, REFUSED, `${url} (${network.Type})`);
    }
  }
  assert.deepEqual(target.hits, [], "nothing reached the server on 127.0.0.1");
  assert.equal(origin.seen.length, 2, "only the redirecting requests reached the origin");
  // The allowed address works under either network type.
  for (const network of [{ Type: "HTTP", Domains: domains }, { Type: "Full" }] as NetworkConfig[]) {
    const { result, stdout } = await job(`http://origin.test:${origin.port}/headers`, network);
    assert.deepEqual(result, { exitCode: 0 }, stdout);
  }
});
