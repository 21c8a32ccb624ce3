// Job networking for Docker jobs against a real dockerd. All traffic stays on 127.0.0.1 and on a
// bridge network this test creates: an origin HTTP server on the host bound to that network's
// gateway address, and a busybox httpd container on it. Names are resolved by a test resolver.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { test } from "node:test";
import { createDockerExecutor } from "../../src/executor/docker/index.ts";
import type { DockerApi, DockerContainer } from "../../src/executor/docker/engine.ts";
import { startOrigin } from "../netpolicy/helpers.ts";
import { assertNothingLeft, dockerRequest, IMAGE, requireDocker, tempDir } from "./docker-fixtures.ts";
import type { Cleanup } from "./helpers.ts";

interface World {
  docker: DockerApi;
  /** Gateway address of the test network (a host address), where the origin listens. */
  gateway: string;
  originPort: number;
  seen: Array<Record<string, string | string[] | undefined>>;
  /** Address of the httpd container (port 8080). */
  httpd: string;
}

async function world(t: Cleanup): Promise<World> {
  const docker = await requireDocker();
  const tag = randomBytes(4).toString("hex");
  const labels = { "bacalhau-test": tag };
  const network = await docker.createNetwork({ Name: `bacalhau-test-${tag}`, Driver: "bridge", Labels: labels });
  let httpd: DockerContainer | undefined;
  // One hook, in order: a network cannot go while a container is still attached to it.
  t.after(async () => {
    await httpd?.remove({ force: true }).catch(() => {});
    await network.remove();
  });
  const www = tempDir(t, "docker-www-");
  writeFileSync(`${www}/index.html`, "from httpd\n");
  httpd = await docker.createContainer({
    Image: IMAGE,
    Cmd: ["httpd", "-f", "-p", "8080", "-h", "/www"],
    Labels: labels,
    HostConfig: { NetworkMode: network.id, Mounts: [{ Type: "bind", Source: www, Target: "/www", ReadOnly: true }] },
  });
  await httpd.start();
  const info = await network.inspect();
  const gateway = info.IPAM?.Config?.[0]?.Gateway ?? "";
  const inspect = await (httpd.inspect() as Promise<unknown>) as { NetworkSettings: { Networks: Record<string, { IPAddress: string }> } };
  const httpdIP = Object.values(inspect.NetworkSettings.Networks)[0].IPAddress;
  assert.ok(gateway && httpdIP, "the test network has a gateway and the httpd an address");
  const origin = await startOrigin(t, gateway);
  return { docker, gateway, originPort: origin.port, seen: origin.seen, httpd: httpdIP };
}

/** Runs `script` as a job and returns its stdout lines as `key=value` pairs. */
async function probe(t: Cleanup, w: World, network: Parameters<typeof dockerRequest>[1]["network"], script: string) {
  const names = new Map([["allowed.test", w.gateway], ["refused.test", w.gateway], ["httpd.test", w.httpd]]);
  const executor = createDockerExecutor({
    pullImages: false,
    proxy: {
      resolve: (h) => (names.has(h) ? Promise.resolve([names.get(h)!]) : Promise.reject(new Error(`unknown ${h}`))),
      // The origin is on this host's own gateway address and the httpd on a private one: jobs reach
      // them only because the operator allows them, and CONNECT only on the ports it lists.
      allowedCIDRs: [`${w.gateway}/32`, `${w.httpd}/32`],
      connectPorts: [w.originPort],
    },
  });
  t.after(() => executor.close());
  const run = dockerRequest(t, { network, script });
  const result = await executor.run(run.req);
  assert.equal(result.errorMsg ?? "", "", run.stderr());
  await assertNothingLeft(w.docker, run.req.executionID);
  const rules = execFileSync("iptables", ["-S", "INPUT"], { encoding: "utf8" });
  assert.doesNotMatch(rules, new RegExp(run.req.executionID), "firewall rules left behind");
  const out = new Map<string, string>();
  for (const line of run.stdout().split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return { out, stdout: run.stdout(), jobID: run.req.jobID };
}

// busybox wget: -q quiet, -O- body to stdout, -Y off ignores http_proxy (a direct attempt).
const fetch = (key: string, url: string, flags = "") =>
  `s=$(date +%s); body=$(timeout 10 wget -q ${flags} -O- '${url}' 2>/dev/null); echo "${key}=$?"; echo "${key}_body=$(echo $body | tr -d '\\n')"; echo "${key}_secs=$(( $(date +%s) - s ))"`;

test("None blocks all egress: loopback only", async (t) => {
  const w = await world(t);
  const { out } = await probe(t, w, { Type: "None" }, [
    "echo ifaces=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\\n' ,)",
    fetch("httpd", `http://${w.httpd}:8080/`),
    fetch("origin", `http://${w.gateway}:${w.originPort}/headers`),
  ].join("; "));
  assert.equal(out.get("ifaces"), "lo,");
  assert.notEqual(out.get("httpd"), "0");
  assert.notEqual(out.get("origin"), "0");
});

test("Full reaches the host's networks unfiltered", async (t) => {
  const w = await world(t);
  const { out } = await probe(t, w, { Type: "Full" }, fetch("httpd", `http://${w.httpd}:8080/`));
  assert.equal(out.get("httpd"), "0");
  assert.equal(out.get("httpd_body"), "from httpd");
});

test("HTTP reaches listed domains through the proxy, with the job ID header, and nothing else", async (t) => {
  const w = await world(t);
  const o = `${w.originPort}`;
  const redirectTo = encodeURIComponent(`http://refused.test:${o}/headers`);
  const { out, jobID } = await probe(t, w, { Type: "HTTP", Domains: ["allowed.test", ".httpd.test"] }, [
    'echo proxy_set=$([ -n "$http_proxy" ] && [ "$http_proxy" = "$HTTPS_PROXY" ] && echo yes)',
    fetch("allowed", `http://allowed.test:${o}/headers`, "--header 'X-Bacalhau-Job-ID: forged'"),
    fetch("httpd", "http://httpd.test:8080/"),
    fetch("refused", `http://refused.test:${o}/headers`),
    fetch("redirect", `http://allowed.test:${o}/redirect?to=${redirectTo}`),
    // Direct attempts: the host's gateway address on the test network, the httpd container, and
    // the job network's own gateway on a port that is not the proxy's.
    fetch("direct_host", `http://${w.gateway}:${o}/headers`, "-Y off"),
    fetch("direct_httpd", `http://${w.httpd}:8080/`, "-Y off"),
    'gw=${http_proxy#http://}; gw=${gw%:*}',
    fetch("direct_gateway", `http://$gw:${o}/headers`, "-Y off"),
    // CONNECT through the proxy: allowed and refused.
    'p=${http_proxy#http://}',
    `printf 'CONNECT allowed.test:${o} HTTP/1.1\\r\\n\\r\\nGET /tunnelled HTTP/1.1\\r\\nHost: allowed.test\\r\\nConnection: close\\r\\n\\r\\n' | timeout 10 nc \${p%:*} \${p##*:} > /tmp/tunnel`,
    "echo connect_ok=$(head -n1 /tmp/tunnel | cut -d' ' -f2)",
    "echo tunnelled=$(grep -c '^HTTP/1.1 200' /tmp/tunnel)",
    `echo connect_refused=$(printf 'CONNECT refused.test:${o} HTTP/1.1\\r\\n\\r\\n' | timeout 10 nc \${p%:*} \${p##*:} | head -n1 | cut -d' ' -f2)`,
  ].join("; "));
  assert.equal(out.get("proxy_set"), "yes");
  assert.equal(out.get("allowed"), "0");
  const headers = JSON.parse(out.get("allowed_body") ?? "{}") as Record<string, string>;
  assert.equal(headers["x-bacalhau-job-id"], jobID, "the proxy replaced the job's own header");
  assert.equal(out.get("httpd"), "0", "a leading-dot entry covers the domain itself");
  assert.equal(out.get("httpd_body"), "from httpd");
  assert.notEqual(out.get("refused"), "0");
  assert.notEqual(out.get("redirect"), "0", "the redirect target was refused");
  assert.notEqual(out.get("direct_host"), "0");
  assert.notEqual(out.get("direct_httpd"), "0");
  assert.notEqual(out.get("direct_gateway"), "0");
  assert.equal(out.get("connect_ok"), "200");
  assert.equal(out.get("tunnelled"), "2", "the tunnel carried the job's own request and its answer");
  assert.equal(out.get("connect_refused"), "403");
  // The origin saw the allowed request, the redirecting one and the tunnelled one; no direct
  // attempt arrived. Plain requests carry the job ID; tunnelled bytes are left alone.
  assert.equal(w.seen.length, 3);
  assert.deepEqual(w.seen.map((h) => h["x-bacalhau-job-id"]), [jobID, jobID, undefined]);
});

test("HTTP without any domain fails the execution with a message", async (t) => {
  const docker = await requireDocker();
  const executor = createDockerExecutor({ pullImages: false });
  t.after(() => executor.close());
  const run = dockerRequest(t, { network: { Type: "HTTP", Domains: [] }, cmd: ["true"] });
  const result = await executor.run(run.req);
  assert.match(result.errorMsg ?? "", /at least one allowed domain/);
  await assertNothingLeft(docker, run.req.executionID);
});
