/**
 * A docker job's HTTP allow-list by host name, through a node: the node's docker executor is given
 * a resolver that maps test names to the origin on 127.0.0.1 and the operator's allowance for that
 * address (the differences from a node built by `serve`, which resolves with the system resolver),
 * and the job is submitted with the CLI.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createDockerExecutor } from "../../src/executor/docker/index.ts";
import { startNode } from "../../src/node/node.ts";
import { cliAt, executionsOf, IMAGE, jobIDOf, requireDocker, startOrigin } from "../helpers/docker.ts";
import { tempDir, testConfig } from "../helpers/node.ts";

test("docker --network http --domain <name> through a node", async (t) => {
  await requireDocker();
  const origin = await startOrigin(t);
  const names = new Map([["allowed.test", "127.0.0.1"], ["refused.test", "127.0.0.1"]]);
  const docker = createDockerExecutor({
    pullImages: false,
    proxy: {
      resolve: (host) => names.has(host) ? Promise.resolve([names.get(host)!]) : Promise.reject(new Error(`unknown host ${host}`)),
      // The origin is on loopback, which jobs reach only where the operator allows it.
      allowedCIDRs: ["127.0.0.1/32"],
    },
  });
  const node = await startNode(testConfig(tempDir(t, "bacalhau-names-"), (cfg) => {
    cfg.Engines.Disabled = ["docker"]; // this test's executor takes its place
    cfg.JobAdmissionControl.RejectNetworkedJobs = false;
  }), { executors: [docker] });
  t.after(() => node.stop());
  const cli = cliAt(node.apiPort);

  const script = [
    `wget -q -O- http://allowed.test:${origin.port}/hello; echo "allowed=$?"`,
    `wget -q -O- http://refused.test:${origin.port}/hello 2>&1; echo "refused=$?"`,
  ].join("; ");
  const run = await cli("docker", "run", "--network", "http", "--domain", "allowed.test", IMAGE, "--", "sh", "-c", script);
  assert.equal(run.code, 0, run.stderr);
  const id = jobIDOf(run);
  const [exec] = await executionsOf(node.apiURL, id);
  const out = exec.RunOutput?.Stdout ?? "";
  assert.match(out, /^hello from origin\nallowed=0\n/);
  assert.match(out, /403 Forbidden\nrefused=1\n$/);
  assert.equal(origin.seen.length, 1);
  assert.equal(origin.seen[0].headers.host, `allowed.test:${origin.port}`);
  assert.equal(origin.seen[0].headers["x-bacalhau-job-id"], id);

  // A leading-dot entry covers the domain and its subdomains (squid's dstdomain rule).
  names.set("api.allowed.test", "127.0.0.1");
  const dot = await cli("docker", "run", "--network", "http", "--domain", ".allowed.test", IMAGE, "--",
    "sh", "-c", `wget -q -O- http://api.allowed.test:${origin.port}/hello`);
  assert.equal(dot.code, 0, dot.stderr);
  const [dotExec] = await executionsOf(node.apiURL, jobIDOf(dot));
  assert.equal(dotExec.RunOutput?.Stdout, "hello from origin\n");
});
