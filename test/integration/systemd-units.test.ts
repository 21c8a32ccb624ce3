/**
 * The shipped systemd units, run as systemd would run them: the ExecStart line of each unit with its
 * variables taken from the example environment file (data dir, ports and key path moved into a temp
 * dir, the install prefix replaced by this checkout). A requester unit starts, creates its swarm key,
 * a compute unit joins it by API address, and both stop cleanly on the unit's KillSignal.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { connected, freePort, nodes, until } from "../helpers/network.ts";
import { tempDir } from "../helpers/node.ts";
import { ROOT, stopGracefully, whenServing, type ServeProcess } from "../helpers/spawn.ts";

const INSTALL_PREFIX = "/opt/bacalhau-edge";

interface Unit {
  execStart: string;
  environmentFile: string;
  killSignal: string;
  restart: string;
}

/** The [Service] keys the test relies on; continuation lines are joined as systemd does. */
function readUnit(name: string): Unit {
  const text = readFileSync(join(ROOT, "scripts/systemd", name), "utf8").replace(/\\\n/g, " ");
  const key = (k: string) => {
    const m = new RegExp(`^${k}=(.*)$`, "m").exec(text);
    assert.ok(m, `${name} has no ${k}=`);
    return m[1].trim();
  };
  return { execStart: key("ExecStart"), environmentFile: key("EnvironmentFile"), killSignal: key("KillSignal"), restart: key("Restart") };
}

function readEnvFile(name: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(join(ROOT, "scripts/systemd", name), "utf8").split("\n")) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  return env;
}

/** ExecStart as argv: `${VAR}` from the environment, the install prefix pointing at this checkout. */
function argv(unit: Unit, env: Record<string, string>): string[] {
  return unit.execStart
    .split(/\s+/)
    .filter((a) => a !== "")
    .map((a) => a.replace(/\$\{([A-Z_]+)\}/g, (_, v: string) => {
      assert.ok(v in env, `ExecStart uses \${${v}}, which the example environment file does not set`);
      return env[v];
    }))
    .map((a) => a.replaceAll(INSTALL_PREFIX, ROOT.replace(/\/$/, "")));
}

function startUnit(t: { after(fn: () => unknown): void }, unit: Unit, env: Record<string, string>): Promise<ServeProcess> {
  const [cmd, ...args] = argv(unit, env);
  // Only the unit's environment file, as under systemd (plus PATH for the runner's /bin/sh guard).
  const child = spawn(cmd, args, { cwd: "/", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const serving = whenServing(child, `${cmd} ${args.join(" ")}`);
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await serving.then((s) => s.exited, () => undefined);
  });
  return serving;
}

test("systemd units: a requester and a compute node started by their ExecStart lines", async (t) => {
  const requesterUnit = readUnit("bacalhau-requester.service");
  const computeUnit = readUnit("bacalhau-compute.service");
  for (const unit of [requesterUnit, computeUnit]) {
    assert.equal(unit.restart, "on-failure");
    assert.equal(unit.killSignal, "SIGTERM");
  }
  assert.equal(requesterUnit.environmentFile, "/etc/bacalhau/requester.env");
  assert.equal(computeUnit.environmentFile, "/etc/bacalhau/compute.env");

  const reqDir = tempDir(t, "bacalhau-unit-req-");
  const reqEnv = readEnvFile("requester.env.example");
  Object.assign(reqEnv, {
    BACALHAU_DIR: reqDir,
    BACALHAU_API_PORT: String(await freePort()),
    SWARM_PORT: String(await freePort()),
    SWARM_KEY_FILE: join(reqDir, "swarm.key"),
  });
  const requester = await startUnit(t, requesterUnit, reqEnv);
  assert.equal(requester.port, Number(reqEnv.BACALHAU_API_PORT));
  // The example says the first start creates the key when it is missing: the compute unit needs it.
  assert.equal(statSync(reqEnv.SWARM_KEY_FILE).mode & 0o777, 0o600);

  const computeDir = tempDir(t, "bacalhau-unit-compute-");
  const computeEnv = readEnvFile("compute.env.example");
  Object.assign(computeEnv, {
    BACALHAU_DIR: computeDir,
    BACALHAU_API_PORT: String(await freePort()),
    SWARM_PORT: String(await freePort()),
    SWARM_KEY_FILE: reqEnv.SWARM_KEY_FILE,
    // The example's other accepted form: the requester known only by its API address.
    PEER: `http://127.0.0.1:${requester.port}`,
  });
  const compute = await startUnit(t, computeUnit, computeEnv);

  const api = `http://127.0.0.1:${requester.port}`;
  const joined = await until("the compute unit to join", () => nodes(api), (list) => connected(list).some((n) => n.Info.NodeType === "Compute"));
  assert.equal(connected(joined).filter((n) => n.Info.NodeType === "Compute").length, 1);

  // systemd stops a unit with KillSignal and waits TimeoutStopSec: both must stop on their own.
  await stopGracefully(compute);
  await stopGracefully(requester);
});
