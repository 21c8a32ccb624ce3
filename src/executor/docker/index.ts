/**
 * The docker executor and its parts. `createDockerExecutor(options)` is what a compute node
 * registers under the engine type "docker", after `isInstalled()` says an engine answers.
 *
 * @example
 * ```ts
 * const docker = createDockerExecutor({ pullImages: false });
 * if (await docker.isInstalled()) executors.set("docker", docker);
 * ```
 */
export { createDockerExecutor, DockerExecutor, type DockerExecutorOptions } from "./executor.ts";
export { parseDockerParams, type DockerParams } from "./params.ts";
export { LABEL_EXECUTION_ID, LABEL_EXECUTOR, LABEL_JOB_ID } from "./labels.ts";
