// A docker job asking for more than Bacalhau's five engine params is a 400 naming the param, on a real node.
import assert from "node:assert/strict";
import { test } from "node:test";
import { normalizeJob } from "../../src/models/normalize.ts";
import { validateJob } from "../../src/models/validate.ts";
import { startTestNode } from "../helpers/node.ts";

const dockerJob = (params: Record<string, unknown>) => ({
  Type: "batch",
  Count: 1,
  Tasks: [{ Name: "main", Engine: { Type: "docker", Params: { Image: "busybox", Parameters: ["true"], ...params } } }],
});

test("docker engine params beyond Bacalhau's are refused at submission with a 400 naming them", async (t) => {
  const node = await startTestNode(t);
  for (const key of ["Privileged", "Devices", "HostConfig", "Mounts", "SecurityOpt", "NetworkMode", "PidMode", "CapAdd"]) {
    const res = await fetch(`${node.apiURL}/api/v1/orchestrator/jobs`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ Job: dockerJob({ [key]: key === "Privileged" ? true : ["x"] }) }),
    });
    const body = await res.json() as Record<string, unknown>;
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.deepEqual(body.Details, { field: `Tasks[0].Engine.Params.${key}` });
    assert.match(String(body.Message), new RegExp(`docker engine param ${key} is not allowed`));
    assert.match(String(body.Hint), /accepts Image, Entrypoint, Parameters, EnvironmentVariables, WorkingDirectory/);
  }
  // Bacalhau's own params, in any spelling the normaliser accepts, still pass.
  validateJob(normalizeJob(dockerJob({
    entrypoint: ["/bin/sh"], EnvironmentVariables: ["A=1"], workingdirectory: "/tmp",
  })));
});
