import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseFlags } from "../../src/cli/flags.ts";
import { parseInputSpec } from "../../src/cli/jobspec/input-spec.ts";
import { buildJob, JOB_FLAGS, parsePublisher, RUNTIME_FLAGS, TASK_FLAGS } from "../../src/cli/jobspec/job-flags.ts";
import { parseSelector } from "../../src/cli/jobspec/selectors.ts";
import { resolveModule } from "../../src/cli/jobspec/wasm-module.ts";
import { BacalhauError } from "../../src/models/errors.ts";

test("-i: URI, URI:dst and the key-value form", () => {
  assert.deepEqual(parseInputSpec("ipfs://QmCID"), {
    Source: { Type: "ipfs", Params: { CID: "QmCID" } },
    Alias: "ipfs://QmCID",
    Target: "/inputs",
  });
  assert.deepEqual(parseInputSpec("https://example.org:8080/data.csv:/data"), {
    Source: { Type: "urlDownload", Params: { URL: "https://example.org:8080/data.csv" } },
    Alias: "https://example.org:8080/data.csv",
    Target: "/data",
  });
  assert.equal(parseInputSpec("http://h:8080/x.csv").Target, "/inputs");
  assert.deepEqual(parseInputSpec("src=file:///srv/data,dst=/mnt,opt=rw=true").Source, {
    Type: "local",
    Params: { SourcePath: "/srv/data", ReadWrite: true },
  });
  assert.deepEqual(parseInputSpec("file:///srv/data:/in").Source.Params, { SourcePath: "/srv/data", ReadWrite: false });
  assert.deepEqual(parseInputSpec("s3://bucket/key/*,opt=region=eu-west-1,opt=endpoint=http://minio:9000").Source, {
    Type: "s3",
    Params: { Bucket: "bucket", Key: "key/*", Region: "eu-west-1", Endpoint: "http://minio:9000" },
  });
  assert.throws(() => parseInputSpec("gopher://x"), BacalhauError);
  assert.throws(() => parseInputSpec("dst=/x"), /no source URI/);
});

test("constraints: k8s selector syntax becomes Bacalhau constraints", () => {
  assert.deepEqual(parseSelector("region=us-east-1, os_arch != arm64, zone in (a, b),tier notin (x), gpu, !spot, mem>4, cpu<8, a==b"), [
    { Key: "region", Operator: "=", Values: ["us-east-1"] },
    { Key: "os_arch", Operator: "!=", Values: ["arm64"] },
    { Key: "zone", Operator: "in", Values: ["a", "b"] },
    { Key: "tier", Operator: "notin", Values: ["x"] },
    { Key: "gpu", Operator: "exists" },
    { Key: "spot", Operator: "!" },
    { Key: "mem", Operator: "gt", Values: ["4"] },
    { Key: "cpu", Operator: "lt", Values: ["8"] },
    { Key: "a", Operator: "==", Values: ["b"] },
  ]);
  assert.deepEqual(parseSelector(""), []);
  assert.throws(() => parseSelector("a in b"), BacalhauError);
});

const runFlags = (args: string[]) => parseFlags(args, [...JOB_FLAGS, ...TASK_FLAGS, ...RUNTIME_FLAGS]);

test("job flags: resources, labels, env, network, timeouts and target build the job JSON", () => {
  const job = buildJob(
    runFlags([
      "--cpu", "500m", "--memory", "1Gb", "--disk", "2Gb", "--gpu", "1",
      "-l", "project=demo,canary", "-e", "A=1", "-e", "B=x=y",
      "--network", "http", "--domain", "example.org", "--timeout", "600", "--queue-timeout", "60",
      "--target", "all", "--count", "2", "--priority", "5", "--name", "n", "--namespace", "ns",
      "--constraints", "os=linux", "-o", "outputs:/outputs", "-p", "local", "--task-name", "t",
    ]),
    { Type: "wasm", Params: { EntryModule: "main.wasm" } },
  );
  assert.deepEqual(job, {
    Name: "n",
    Namespace: "ns",
    Type: "ops",
    Priority: 5,
    Count: 2,
    Constraints: [{ Key: "os", Operator: "=", Values: ["linux"] }],
    Labels: { project: "demo", canary: "" },
    Tasks: [
      {
        Name: "t",
        Engine: { Type: "wasm", Params: { EntryModule: "main.wasm" } },
        Publisher: { Type: "local", Params: {} },
        Env: { A: "1", B: "x=y" },
        ResultPaths: [{ Name: "outputs", Path: "/outputs" }],
        Resources: { CPU: "500m", Memory: "1Gb", Disk: "2Gb", GPU: "1" },
        Network: { Type: "HTTP", Domains: ["example.org"] },
        Timeouts: { TotalTimeout: 600, QueueTimeout: 60 },
      },
    ],
  });
});

test("job flags: defaults give a minimal batch job; bad values are refused", () => {
  const job = buildJob(runFlags([]), { Type: "noop" });
  assert.deepEqual(job, {
    Namespace: "default",
    Type: "batch",
    Priority: 0,
    Count: 1,
    Constraints: [],
    Labels: {},
    Tasks: [{ Name: "main", Engine: { Type: "noop" } }],
  });
  assert.throws(() => buildJob(runFlags(["--target", "some"]), { Type: "noop" }), /invalid --target/);
  assert.throws(() => buildJob(runFlags(["--network", "wifi"]), { Type: "noop" }), BacalhauError);
  assert.throws(() => buildJob(runFlags(["-e", "NOVALUE"]), { Type: "noop" }), /key=value/);
  assert.throws(() => buildJob(runFlags(["-o", "outputs"]), { Type: "noop" }), /invalid output volume/);
  assert.throws(() => buildJob(runFlags(["--timeout", "-1"]), { Type: "noop" }), /must not be negative/);
});

test("publisher flag: plain types and s3 URIs with options", () => {
  assert.deepEqual(parsePublisher("ipfs"), { Type: "ipfs", Params: {} });
  assert.deepEqual(parsePublisher("s3://bkt/out/{jobID},opt=region=us-east-1"), {
    Type: "s3",
    Params: { Bucket: "bkt", Key: "out/{jobID}", Region: "us-east-1" },
  });
});

test("wasm entry module: URIs, small and large local files, and in-job paths", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "cli-jobspec-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, "small.wasm"), new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
  await writeFile(join(dir, "big.wasm"), new Uint8Array(2048));

  const uri = await resolveModule("https://example.org/m.wasm:/app", dir, "main.wasm");
  assert.equal(uri.path, "/app");
  assert.deepEqual(uri.input?.Source, { Type: "urlDownload", Params: { URL: "https://example.org/m.wasm" } });

  const small = await resolveModule("small.wasm", dir, "main.wasm");
  assert.equal(small.path, "main.wasm");
  assert.deepEqual(small.input, {
    Source: { Type: "inline", Params: { URL: "data:application/octet-stream;base64,AGFzbQEAAAA=" } },
    Target: "main.wasm",
  });

  const big = await resolveModule("big.wasm:/mod", dir, "main.wasm");
  assert.equal(big.path, "/mod");
  assert.match(String(big.input?.Source.Params?.URL), /^data:application\/gzip;base64,H4sI/);

  assert.deepEqual(await resolveModule("/inputs/prog.wasm", dir, "main.wasm"), { path: "/inputs/prog.wasm" });
});
