/**
 * Job networking through real `bacalhau serve` nodes and the CLI: a node that refuses networked
 * jobs (the default) says why in the job's history and the CLI's output; a node started with
 * --job-selection-accept-networked runs them, and its HTTP allow-list holds for docker jobs (the
 * egress proxy) and wasm jobs (the host function). Everything listens on 127.0.0.1, so the
 * allow-lists name that address (§7 allows IP entries) and the accepting node's operator allows it
 * (JobNetworking.AllowedCIDRs); its own ports stay out of reach. Named entries are in networking-names.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { cliAt, executionsOf, getJob, IMAGE, jobContainers, jobIDOf, jobNetworks, requireDocker, startOrigin } from "../helpers/docker.ts";
import { getJSON } from "../helpers/jobs.ts";
import { kill } from "../helpers/network.ts";
import { tempDir } from "../helpers/node.ts";
import { startServe } from "../helpers/spawn.ts";

const HTTP_GET = "wasm/http_get.wasm";
const REFUSAL = /this node does not accept networked jobs \(network type HTTP\); its operator can allow them with --job-selection-accept-networked/;

async function serve(t: { after(fn: () => unknown): void }, extra: string[] = []) {
  const node = await startServe([
    "--node-type", "requester,compute", "--host", "127.0.0.1", "--api-port", "0", "--no-p2p",
    "--local-publisher-port", "0", "--data-dir", tempDir(t, "bacalhau-net-"), ...extra,
  ], { SKIP_IMAGE_PULL: "1" });
  t.after(() => kill(node, "SIGTERM"));
  return { api: `http://127.0.0.1:${node.port}`, port: node.port, cli: cliAt(node.port) };
}

/** A job that submits a job: the body is valid, so only the header can refuse it. */
const innerJob = (name: string) => JSON.stringify({
  Job: { Name: name, Type: "batch", Count: 1, Tasks: [{ Name: "main", Engine: { Type: "docker", Params: { Image: IMAGE, Parameters: ["true"] } } }] },
});

test("networking admission and allow-lists through serve nodes", async (suite) => {
  const docker = await requireDocker();
  const origin = await startOrigin(suite);
  const hello = `http://127.0.0.1:${origin.port}/hello`;
  const refusing = await serve(suite);
  const accepting = await serve(suite, ["--job-selection-accept-networked", "-c", "JobNetworking.AllowedCIDRs=127.0.0.1/32"]);

  await suite.test("a node without --job-selection-accept-networked refuses, and says why", async () => {
    for (const args of [
      ["docker", "run", "--network", "http", "--domain", "127.0.0.1", IMAGE, "echo", "hi"],
      ["wasm", "run", "--network", "http", "--domain", "127.0.0.1", "-e", `HTTP_URL=${hello}`, HTTP_GET],
    ]) {
      const run = await refusing.cli(...args);
      assert.equal(run.code, 1, run.stdout);
      assert.match(run.stdout, new RegExp(`Node rejected the job: ${REFUSAL.source}`));
      assert.match(run.stderr, new RegExp(`Error: job failed: [\\s\\S]*${REFUSAL.source}`), "the refusal reaches the final error");
      const id = jobIDOf(run);
      assert.equal((await getJob(refusing.api, id)).State.StateType, "Failed");
      const history = await refusing.cli("job", "history", id, "--output", "json");
      assert.equal(history.code, 0, history.stderr);
      const events = (JSON.parse(history.stdout) as Array<{ Event: { Message: string } }>).map((h) => h.Event.Message);
      assert.ok(events.some((m) => REFUSAL.test(m)), events.join("\n"));
    }
    assert.equal(origin.seen.length, 0);
  });

  await suite.test("docker --network http reaches an allowed host with the job ID header, not another", async () => {
    const script = [
      `wget -q -O- ${hello}; echo "allowed=$?"`,
      `wget -q -O- http://localhost:${origin.port}/hello 2>&1; echo "refused=$?"`,
    ].join("; ");
    const run = await accepting.cli("docker", "run", "--network", "http", "--domain", "127.0.0.1", IMAGE, "--", "sh", "-c", script);
    assert.equal(run.code, 0, run.stderr);
    const id = jobIDOf(run);
    const [exec] = await executionsOf(accepting.api, id);
    const out = exec.RunOutput?.Stdout ?? "";
    assert.match(out, /^hello from origin\nallowed=0\n/);
    assert.match(out, /403 Forbidden/);
    assert.match(out, /refused=1\n$/);
    assert.equal(origin.seen.length, 1, "the refused request never reached the origin");
    assert.equal(origin.seen[0].headers["x-bacalhau-job-id"], id);
    assert.deepEqual(await jobContainers(docker, id), []);
    assert.deepEqual(await jobNetworks(docker, id), [], "the job's network was removed");
    origin.seen.length = 0;
  });

  await suite.test("docker --network none cannot reach the host", async () => {
    const run = await accepting.cli("docker", "run", "--network", "none", IMAGE, "--",
      "sh", "-c", `wget -q -O- ${hello} 2>&1; echo "none=$?"`);
    assert.equal(run.code, 0, run.stderr);
    const [exec] = await executionsOf(accepting.api, jobIDOf(run));
    // Inside the container 127.0.0.1 is the container's own loopback: nothing listens there.
    assert.equal(exec.RunOutput?.Stdout, "wget: can't connect to remote host (127.0.0.1): Connection refused\nnone=1\n");
    assert.equal(origin.seen.length, 0);
  });

  await suite.test("a job cannot submit a job: the proxy refuses the node's own API port", async () => {
    const api = `http://127.0.0.1:${accepting.port}/api/v1`;
    // busybox 1.35 wget sends GET for --post-data when it goes through a proxy, so the submission
    // is written by hand to the proxy (the same plain-HTTP path wget takes) with nc.
    const script = [
      `wget -q -O- ${api}/agent/alive; echo; echo "alive=$?"`,
      `body='${innerJob("from-inside")}'`,
      "p=${http_proxy#http://}",
      `printf 'PUT ${api}/orchestrator/jobs HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Type: application/json\\r\\n` +
        `Content-Length: %d\\r\\nConnection: close\\r\\n\\r\\n%s' "\${#body}" "$body" | nc \${p%:*} \${p##*:}`,
    ].join("; ");
    const run = await accepting.cli("docker", "run", "--network", "http", "--domain", "127.0.0.1", IMAGE, "--", "sh", "-c", script);
    assert.equal(run.code, 0, run.stderr);
    const [exec] = await executionsOf(accepting.api, jobIDOf(run));
    const out = exec.RunOutput?.Stdout ?? "";
    assert.doesNotMatch(out, /"Status":\s*"OK"/, "the API is out of reach through the proxy");
    assert.match(out, /^HTTP\/1\.1 403 Forbidden\r$/m, `${out}\n${exec.RunOutput?.stderr}`);
    assert.match(out, new RegExp(`port ${accepting.port} is this host, on a port the node itself listens on`));
    const names = (await getJSON<{ Items: Array<{ Name: string }> }>(`${api}/orchestrator/jobs?limit=100`)).Items.map((j) => j.Name);
    assert.ok(!names.includes("from-inside"), names.join(","));

    // The same body without the header is a valid submission.
    const control = await fetch(`${api}/orchestrator/jobs`, { method: "PUT", headers: { "content-type": "application/json" }, body: innerJob("control") });
    assert.equal(control.status, 200, await control.text());
  });

  await suite.test("wasm http_get: allowed, refused, and without network a link error", async () => {
    const wasm = (network: string[], url: string) =>
      accepting.cli("wasm", "run", ...network, "-e", `HTTP_URL=${url}`, HTTP_GET);
    const allowed = await wasm(["--network", "http", "--domain", "127.0.0.1"], hello);
    assert.equal(allowed.code, 0, allowed.stderr);
    const [ok] = await executionsOf(accepting.api, jobIDOf(allowed));
    assert.match(ok.RunOutput?.Stdout ?? "", /Status Code: 200\n[\s\S]*Body:\nhello from origin\n/);
    assert.equal(origin.seen.length, 1);
    assert.equal(origin.seen[0].headers["x-bacalhau-job-id"], undefined, "the wasm host function adds no header");

    const refused = await wasm(["--network", "http", "--domain", "127.0.0.1"], `http://localhost:${origin.port}/hello`);
    assert.equal(refused.code, 0, refused.stderr);
    const [no] = await executionsOf(accepting.api, jobIDOf(refused));
    assert.match(no.RunOutput?.Stdout ?? "", /Error making request: host not allowed\n$/);
    assert.equal(no.RunOutput?.ExitCode, 1);

    const none = await wasm(["--network", "none"], hello);
    assert.equal(none.code, 1, none.stdout);
    assert.match(none.stderr, /Error: job failed: .*wasi:http\/requests/);
    assert.match(none.stderr, /network is None/);
    assert.equal(origin.seen.length, 1, "only the allowed request arrived");
  });
});
