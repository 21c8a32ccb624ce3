// The node's Engines.Types.Docker keys reach the containers of a real node's docker jobs.
import assert from "node:assert/strict";
import { test } from "node:test";
import { executionsOf, IMAGE, requireDocker } from "../helpers/docker.ts";
import { submit, waitTerminal } from "../helpers/jobs.ts";
import { startTestNode } from "../helpers/node.ts";

test("a node's docker pids limit, user and read-only root apply to its jobs", async (t) => {
  await requireDocker();
  const node = await startTestNode(t, (cfg) => {
    cfg.Engines.Types.Docker = { ImagePullPolicy: "never", PidsLimit: 48, User: "65534:65534", ReadOnlyRootfs: true };
  });
  const script = [
    "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max",
    "id -u",
    "(echo x > /rootfile) 2>/dev/null && echo root-writable || echo root-read-only",
    "echo r > /outputs/r && echo outputs-writable",
  ].join("; ");
  const { JobID } = await submit(node.apiURL, {
    Type: "batch",
    Count: 1,
    Tasks: [{
      Name: "main",
      Engine: { Type: "docker", Params: { Image: IMAGE, Parameters: ["sh", "-c", script] } },
      ResultPaths: [{ Name: "outputs", Path: "/outputs" }],
    }],
  });
  const job = await waitTerminal(node.apiURL, JobID);
  const [exec] = await executionsOf(node.apiURL, JobID);
  assert.equal(job.State.StateType, "Completed", JSON.stringify(exec?.ComputeState));
  assert.equal(exec?.RunOutput?.Stdout, "48\n65534\nroot-read-only\noutputs-writable\n", exec?.RunOutput?.stderr);
});

test("a bad Engines.Types.Docker value stops the node from starting, naming the key", async (t) => {
  for (const [edit, why] of [
    [{ ImagePullPolicy: "sometimes" }, /config Engines\.Types\.Docker: unknown docker image pull policy "sometimes": use never, missing, always/],
    [{ PidsLimit: -1 }, /config Engines\.Types\.Docker: docker pids limit must be a whole number of at least 1/],
  ] as const) {
    await assert.rejects(
      startTestNode(t, (cfg) => Object.assign(cfg.Engines.Types.Docker, edit)),
      why,
    );
  }
});
