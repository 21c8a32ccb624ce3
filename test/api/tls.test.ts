// The API over TLS: a self-signed certificate made with openssl in the data dir, and the client and
// CLI speaking https to it (trusting it with --cacert, or skipping checks with --insecure).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { configFromServeFlags, connectInstructions } from "../../src/cli/serve.ts";
import { BacalhauClient } from "../../src/client/client.ts";
import { wasmJob } from "../helpers/jobs.ts";
import { startTestNode, tempDir } from "../helpers/node.ts";
import { runCli } from "../helpers/spawn.ts";

test("a self-signed TLS node: the client trusts it with its certificate (REST and the log socket) or --insecure; not otherwise", async (t) => {
  const dir = tempDir(t);
  const node = await startTestNode(t, (c) => {
    c.API.TLS.SelfSigned = true;
  }, dir);
  assert.match(node.apiURL, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(node.apiCertFile);
  assert.match(connectInstructions(node), /export BACALHAU_API_TLS_USETLS=true/);
  const subject = execFileSync("openssl", ["x509", "-in", node.apiCertFile!, "-noout", "-ext", "subjectAltName"], { encoding: "utf8" });
  assert.match(subject, /127\.0\.0\.1/);
  const ca = readFileSync(node.apiCertFile!, "utf8");

  const plain = new BacalhauClient({ baseUrl: node.apiURL });
  await assert.rejects(plain.alive(), /unreachable/);
  const insecure = new BacalhauClient({ baseUrl: node.apiURL, insecure: true });
  assert.deepEqual(await insecure.alive(), { Status: "OK" });

  const client = new BacalhauClient({ baseUrl: node.apiURL, caCert: ca });
  const { JobID } = await client.putJob(wasmJob("hello", { args: ["tls"] }) as never);
  await node.orchestrator!.waitForJob(JobID, ["Completed", "Failed"]);
  assert.equal((await client.getJob(JobID)).Job.State.StateType, "Completed");
  let out = "";
  for await (const log of client.logs(JobID)) out += log.Line;
  assert.match(out, /Hello, tls!/);

  // A plain-HTTP request to the TLS port gets no API answer.
  await assert.rejects(fetch(node.apiURL.replace("https:", "http:") + "/api/v1/agent/alive").then((r) => r.json()));

  const port = new URL(node.apiURL).port;
  const env = { BACALHAU_API_HOST: "127.0.0.1", BACALHAU_API_PORT: port };
  const viaCa = await runCli(["job", "list", "--cacert", node.apiCertFile!], env);
  assert.equal(viaCa.code, 0, viaCa.stderr);
  const viaInsecure = await runCli(["agent", "alive"], { ...env, BACALHAU_API_TLS_USETLS: "true", BACALHAU_API_INSECURE: "true" });
  assert.equal(viaInsecure.code, 0, viaInsecure.stderr);
  const untrusted = await runCli(["agent", "alive", "--tls"], env);
  assert.equal(untrusted.code, 1);
  assert.match(untrusted.stderr, /Error: /);
});

test("a node given its own certificate files serves them; a missing key file is a clear error", async (t) => {
  const dir = tempDir(t);
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", `${dir}/k.pem`, "-out", `${dir}/c.pem`,
  ], { stdio: "ignore" });
  const node = await startTestNode(t, (c) => {
    c.API.TLS.CertFile = `${dir}/c.pem`;
    c.API.TLS.KeyFile = `${dir}/k.pem`;
  });
  const client = new BacalhauClient({ baseUrl: node.apiURL, caCert: readFileSync(`${dir}/c.pem`, "utf8") });
  assert.deepEqual(await client.alive(), { Status: "OK" });
  await assert.rejects(
    startTestNode(t, (c) => {
      c.API.TLS.CertFile = `${dir}/c.pem`;
    }),
    /API.TLS.KeyFile/,
  );
});

test("serve's --tlscert, --tlskey and --self-signed set API.TLS", () => {
  const cfg = configFromServeFlags(["--orchestrator", "--tlscert", "/c.pem", "--tlskey", "/k.pem", "--self-signed"], { BACALHAU_DIR: "/nonexistent-dir" });
  assert.notEqual(cfg, "help");
  const tls = (cfg as Exclude<typeof cfg, "help">).API.TLS;
  assert.deepEqual(tls, { CertFile: "/c.pem", KeyFile: "/k.pem", SelfSigned: true });
});
