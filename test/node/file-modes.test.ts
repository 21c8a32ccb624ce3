// What a node keeps on disk is its owner's only: the data dir and its folders 0700, the store,
// logs and results 0600, whatever the umask; looser data dirs are tightened on start; loose key
// files are refused as ssh refuses them. Mode bits are checked (the suite may run as root).
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "node:test";
import type { NodeConfig } from "../../src/config/config.ts";
import { startNode, type RunningNode } from "../../src/node/node.ts";
import { BacalhauError } from "../../src/models/errors.ts";
import { createSwarmKey, loadOrCreatePeerKey } from "../../src/p2p/index.ts";
import { submit, waitTerminal, wasmJob } from "../helpers/jobs.ts";
import { startTestNode, tempDir, testConfig } from "../helpers/node.ts";

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8).padStart(4, "0");

/** Runs `fn` with a umask that would leave everything world-readable and writable. */
async function withUmask<T>(umask: number, fn: () => Promise<T>): Promise<T> {
  const old = process.umask(umask);
  try {
    return await fn();
  } finally {
    process.umask(old);
  }
}

test("a new node's data dir, store, logs and results are owner-only, even under umask 000", async (t) => {
  const dataDir = join(tempDir(t), "nested", "data");
  const node = await withUmask(0, async () => {
    const n = await startTestNode(t, undefined, dataDir);
    const { JobID } = await submit(n.apiURL, wasmJob("outputs", { task: { ResultPaths: [{ Name: "outputs", Path: "/outputs" }] } }));
    assert.equal((await waitTerminal(n.apiURL, JobID)).State.StateType, "Completed");
    return n;
  });
  const executions = join(dataDir, "compute", "executions");
  const [execID] = readdirSync(executions);
  const exec = join(executions, execID!);
  const expected: Record<string, string> = {
    [dataDir]: "0700",
    [join(dataDir, "orchestrator")]: "0700",
    [join(dataDir, "orchestrator", "jobs.db")]: "0600",
    [join(dataDir, "orchestrator", "jobs.db-wal")]: "0600",
    [join(dataDir, "orchestrator", "jobs.db-shm")]: "0600",
    [join(dataDir, "system_metadata.yaml")]: "0600",
    [join(dataDir, "bacalhau.run")]: "0600",
    [join(dataDir, "compute")]: "0700",
    [executions]: "0700",
    [join(exec, "logs.jsonl")]: "0600",
    [join(exec, "results")]: "0700",
    [join(exec, "results", "outputs")]: "0700",
    [join(exec, "results", "stdout")]: "0600",
    [join(exec, "results", "stderr")]: "0600",
    [join(exec, "results", "exitCode")]: "0600",
    [join(dataDir, "tmp")]: "0700",
  };
  const got = Object.fromEntries(Object.keys(expected).map((p) => [p, existsSync(p) ? mode(p) : "missing"]));
  assert.deepEqual(got, expected);
  // The parents made on the way to the data dir are owner-only too.
  assert.equal(mode(join(dataDir, "..")), "0700");
  assert.ok(node.compute);
});

test("an existing data dir others can reach is tightened on start, with what it holds, and the log says so", async (t) => {
  const dataDir = join(tempDir(t), "old");
  mkdirSync(join(dataDir, "orchestrator"), { recursive: true });
  mkdirSync(join(dataDir, "compute", "executions", "e-old", "results"), { recursive: true });
  const files = [
    join(dataDir, "config.yaml"),
    join(dataDir, "compute", "executions", "e-old", "logs.jsonl"),
    join(dataDir, "compute", "executions", "e-old", "results", "stdout"),
  ];
  for (const f of files) writeFileSync(f, "old\n");
  for (const d of [dataDir, join(dataDir, "orchestrator"), join(dataDir, "compute", "executions", "e-old", "results")]) chmodSync(d, 0o755);
  for (const f of files) chmodSync(f, 0o644);
  chmodSync(files[0]!, 0o640);
  const logs: string[] = [];
  const node = await startNode(testConfig(dataDir), { log: (m) => logs.push(m) });
  t.after(() => node.stop());
  assert.equal(mode(dataDir), "0700");
  assert.equal(mode(join(dataDir, "orchestrator")), "0700");
  assert.equal(mode(join(dataDir, "compute", "executions", "e-old", "results")), "0700");
  for (const f of files) assert.equal(mode(f), "0600", f);
  const said = logs.find((m) => m.includes(dataDir));
  assert.match(said ?? "", /^data dir \S+ was 0755: tightened it to 0700 and \d+ files and folders in it to owner-only$/);

  // A second start finds nothing to tighten and says nothing.
  await node.stop();
  const again: string[] = [];
  const next = await startNode(testConfig(dataDir), { log: (m) => again.push(m) });
  t.after(() => next.stop());
  assert.equal(again.some((m) => m.includes("tightened")), false);
});

test("a shared folder like /tmp is refused as a data dir instead of closed", async (t) => {
  const shared = tempDir(t);
  chmodSync(shared, 0o1777);
  const err = await startRefused(testConfig(shared));
  assert.match(err.message, new RegExp(`data dir ${shared} is a shared folder \\(mode 1777\\)`));
  assert.equal(statSync(shared).mode & 0o7777, 0o1777, "the shared folder was changed");
});

function p2pConfig(dataDir: string, swarmKeyFile: string) {
  return testConfig(dataDir, (cfg) => {
    cfg.P2P.Enabled = true;
    cfg.P2P.ListenHost = "127.0.0.1";
    cfg.P2P.SwarmPort = 0;
    cfg.P2P.SwarmKeyFile = swarmKeyFile;
  });
}

/** The error a start that must fail fails with; a node that started anyway is stopped first. */
async function startRefused(cfg: NodeConfig): Promise<BacalhauError> {
  let node: RunningNode;
  try {
    node = await startNode(cfg);
  } catch (err) {
    assert.ok(err instanceof BacalhauError, String(err));
    return err;
  }
  await node.stop();
  assert.fail("the node started");
}

/** Asserts the start is refused naming the key file and the command that fixes it. */
async function assertKeyRefused(cfg: NodeConfig, what: string, path: string, fileMode: string): Promise<void> {
  const err = await startRefused(cfg);
  assert.equal(err.message, `${what} ${path} is accessible by group or others (mode ${fileMode}); it must be readable by its owner only`);
  assert.equal(err.hint, `run: chmod 600 ${path}`);
}

test("a swarm key or identity key that group or others can read is refused at start; chmod 600 fixes it", async (t) => {
  const dir = tempDir(t);
  const swarmKey = join(dir, "swarm.key");
  writeFileSync(swarmKey, createSwarmKey(), { mode: 0o600 });
  chmodSync(swarmKey, 0o644);
  const dataDir = join(dir, "data");
  await assertKeyRefused(p2pConfig(dataDir, swarmKey), "swarm key", swarmKey, "0644");

  chmodSync(swarmKey, 0o600);
  const keyFile = join(dataDir, "private_key.0");
  await loadOrCreatePeerKey(dataDir, 0);
  assert.equal(mode(keyFile), "0600");
  chmodSync(keyFile, 0o640);
  await assertKeyRefused(p2pConfig(dataDir, swarmKey), "libp2p private key", keyFile, "0640");
  // Start-up tightening of the data dir never touches a key: the operator is told instead.
  chmodSync(dataDir, 0o755);
  await assertKeyRefused(p2pConfig(dataDir, swarmKey), "libp2p private key", keyFile, "0640");

  chmodSync(keyFile, 0o600);
  const node = await startNode(p2pConfig(dataDir, swarmKey));
  t.after(() => node.stop());
  assert.ok(node.p2p);
});
