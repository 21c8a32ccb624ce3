// A real node's default access rules: with no users configured it makes an API key (0600, kept across
// restarts) that callers off loopback must send; the key printed on start works for the typed client,
// its log WebSocket, the real CLI and a Python stdlib script doing what Bacalhau's SDK does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { connectInstructions } from "../../src/cli/serve.ts";
import { BacalhauClient } from "../../src/client/client.ts";
import type { NodeConfig } from "../../src/config/config.ts";
import { startNode, type RunningNode } from "../../src/node/node.ts";
import { wasmJob } from "../helpers/jobs.ts";
import { testConfig } from "../helpers/node.ts";
import { runCli } from "../helpers/spawn.ts";

/** The first non-internal IPv4 of this machine; without one, loopback with loopback anonymity off. */
function reachableHost(): { host: string; viaLoopback: boolean } {
  const ip = Object.values(networkInterfaces()).flat().find((a) => a && a.family === "IPv4" && !a.internal);
  return ip ? { host: ip.address, viaLoopback: false } : { host: "127.0.0.1", viaLoopback: true };
}

async function offLoopbackNode(t: { after(fn: () => unknown): void }, dir: string, edit?: (c: NodeConfig) => void): Promise<RunningNode> {
  const { host, viaLoopback } = reachableHost();
  const node = await startNode(testConfig(dir, (c) => {
    c.API.Host = host;
    if (viaLoopback) c.API.Auth.AnonymousLoopback = false;
    edit?.(c);
  }));
  t.after(() => node.stop());
  return node;
}

function tempDir(t: { after(fn: () => unknown): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "bacalhau-auth-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const printedKey = (node: RunningNode) => /export BACALHAU_API_KEY=(\S+)/.exec(connectInstructions(node))?.[1];

test("off loopback: an anonymous PUT gets 401, the printed key works (client, log socket), and it survives a restart", async (t) => {
  const dir = tempDir(t);
  const node = await offLoopbackNode(t, dir);
  const key = printedKey(node);
  assert.ok(key && key.length >= 32, connectInstructions(node));
  assert.equal(statSync(join(dir, "api.key")).mode & 0o777, 0o600);

  const anon = await fetch(`${node.apiURL}/api/v1/orchestrator/jobs`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ Job: wasmJob("hello") }),
  });
  const body = await anon.json() as Record<string, unknown>;
  assert.equal(anon.status, 401);
  assert.equal(body.Code, "Unauthorized");
  const anonClient = new BacalhauClient({ baseUrl: node.apiURL });
  await assert.rejects(anonClient.listJobs(), (e: Error & { hint?: string }) => /unauthorized/.test(e.message) && /BACALHAU_API_KEY/.test(e.hint ?? ""));

  const client = new BacalhauClient({ baseUrl: node.apiURL, env: { BACALHAU_API_KEY: key } });
  const { JobID } = await client.putJob(wasmJob("hello", { args: ["auth"] }) as never);
  const done = await node.orchestrator!.waitForJob(JobID, ["Completed", "Failed"]);
  assert.equal(done.State.StateType, "Completed");
  let out = "";
  for await (const log of client.logs(JobID)) out += log.Line;
  assert.match(out, /Hello, auth!/);
  // Without the key the log socket is refused too.
  await assert.rejects(async () => {
    for await (const _ of anonClient.logs(JobID)) { /* nothing should arrive */ }
  }, /unauthorized/);

  await node.stop();
  const again = await offLoopbackNode(t, dir);
  assert.equal(printedKey(again), key, "the key is kept across restarts");
});

test("the real CLI with BACALHAU_API_KEY works off loopback; without it: Error naming the variable, exit 1", async (t) => {
  const node = await offLoopbackNode(t, tempDir(t));
  const key = printedKey(node)!;
  const url = new URL(node.apiURL);
  const env = { BACALHAU_API_HOST: url.hostname, BACALHAU_API_PORT: url.port };
  const ok = await runCli(["job", "list", "--output", "json"], { ...env, BACALHAU_API_KEY: key });
  assert.equal(ok.code, 0, ok.stderr);
  const denied = await runCli(["job", "list"], { ...env, BACALHAU_API_KEY: "" });
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /Error: unauthorized/);
  assert.match(denied.stderr, /BACALHAU_API_KEY/);
});

const PYTHON_SDK_LIKE = `
import json, os, sys, urllib.request, urllib.error
base = "http://%s:%s" % (os.environ["BACALHAU_API_HOST"], os.environ["BACALHAU_API_PORT"])
headers = {"Content-Type": "application/json", "Accept": "application/json"}
if os.environ.get("BACALHAU_API_KEY"):
    headers["Authorization"] = "Bearer " + os.environ["BACALHAU_API_KEY"]
def call(method, path, body=None, h=headers):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())
job = json.loads(sys.argv[1])
status, put = call("PUT", "/api/v1/orchestrator/jobs", {"Job": job})
got = call("GET", "/api/v1/orchestrator/jobs/" + put.get("JobID", "x")) if status == 200 else (0, {})
anon = call("GET", "/api/v1/orchestrator/jobs", h={"Accept": "application/json"})
print(json.dumps({"put": status, "job": put.get("JobID"), "get": got[0], "name": got[1].get("Job", {}).get("Name"), "anon": anon[0], "anonCode": anon[1].get("Code")}))
`;

test("a Python stdlib client doing what the SDK does with BACALHAU_API_KEY works", async (t) => {
  const dir = tempDir(t);
  const node = await offLoopbackNode(t, dir);
  const script = join(dir, "sdk_like.py");
  writeFileSync(script, PYTHON_SDK_LIKE);
  const url = new URL(node.apiURL);
  const out = await new Promise<string>((resolve, reject) => {
    execFile("python3", [script, JSON.stringify(wasmJob("hello", { name: "from-python" }))], {
      env: { ...process.env, BACALHAU_API_HOST: url.hostname, BACALHAU_API_PORT: url.port, BACALHAU_API_KEY: printedKey(node)! },
    }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
  });
  const r = JSON.parse(out) as Record<string, unknown>;
  assert.equal(r.put, 200);
  assert.match(String(r.job), /^j-/);
  assert.equal(r.get, 200);
  assert.equal(r.name, "from-python");
  assert.equal(r.anon, 401);
  assert.equal(r.anonCode, "Unauthorized");
});

test("users from config.yaml: the CLI's basic auth works, secrets are redacted from agent/config; AllowAnonymous opens the node", async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, "config.yaml"), [
    "API:",
    "  Auth:",
    "    Users:",
    "      - Alias: Job Manager",
    "        Username: jobmanager",
    "        Password: jobmanager-secret",
    "        Capabilities:",
    "          - Actions: [\"read:job\", \"write:job\", \"read:agent\"]",
    "      - Alias: Monitor",
    "        APIKey: monitor-key-0123456789abcdef",
    "        Capabilities:",
    "          - Actions: [\"read:*\"]",
    "",
  ].join("\n"));
  const { loadConfig } = await import("../../src/config/config.ts");
  const fromFile = loadConfig({ env: { BACALHAU_DIR: dir } });
  const node = await offLoopbackNode(t, dir, (c) => {
    c.API.Auth.Users = fromFile.API.Auth.Users;
  });
  assert.equal(node.apiKey, undefined, "no key is made when users are configured");
  assert.doesNotMatch(connectInstructions(node), /BACALHAU_API_KEY/);
  const url = new URL(node.apiURL);
  const env = { BACALHAU_API_HOST: url.hostname, BACALHAU_API_PORT: url.port, BACALHAU_API_KEY: "" };
  const ok = await runCli(["job", "list"], { ...env, BACALHAU_API_USERNAME: "jobmanager", BACALHAU_API_PASSWORD: "jobmanager-secret" });
  assert.equal(ok.code, 0, ok.stderr);
  const wrong = await runCli(["job", "list"], { ...env, BACALHAU_API_USERNAME: "jobmanager", BACALHAU_API_PASSWORD: "not-the-password" });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /Error: unauthorized/);
  const nodes = await runCli(["node", "list"], { ...env, BACALHAU_API_USERNAME: "jobmanager", BACALHAU_API_PASSWORD: "jobmanager-secret" });
  assert.equal(nodes.code, 1);
  assert.match(nodes.stderr, /read:node/);

  const monitor = new BacalhauClient({ baseUrl: node.apiURL, apiKey: "monitor-key-0123456789abcdef" });
  const shown = JSON.stringify(await monitor.agentConfig());
  assert.doesNotMatch(shown, /jobmanager-secret|monitor-key-0123456789abcdef/);
  assert.match(shown, /\*\*\*\*\*\*\*\*/);

  const openDir = tempDir(t);
  const open = await offLoopbackNode(t, openDir, (c) => {
    c.API.Auth.AllowAnonymous = true;
  });
  assert.equal(open.apiKey, undefined);
  assert.equal((await new BacalhauClient({ baseUrl: open.apiURL }).listJobs()).Items.length, 0);
});
