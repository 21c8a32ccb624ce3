// The shared executor conformance suite, run for the docker engine against a real dockerd.
import { createDockerExecutor } from "../../src/executor/docker/index.ts";
import { runExecutorSuite } from "../conformance/executor.suite.ts";
import { IMAGE, requireDocker } from "./docker-fixtures.ts";

const docker = (Parameters: string[]) => ({ Type: "docker", Params: { Image: IMAGE, Parameters } });

runExecutorSuite("docker", async () => {
  await requireDocker();
  return createDockerExecutor({ pullImages: false });
}, {
  hello: { engine: docker(["echo", "hello suite"]), exitCode: 0, stdout: "hello suite\n" },
  exitCode: { engine: docker(["sh", "-c", "exit 5"]), exitCode: 5 },
  forever: { engine: docker(["sh", "-c", "echo started; while true; do sleep 1; done"]) },
});
