/** `bacalhau docker run IMAGE [COMMAND] [ARG...]`: builds a docker job from flags and submits it. */
import { BacalhauError } from "../../models/errors.ts";
import type { Command } from "../command.ts";
import { buildJob, JOB_FLAGS, RUNTIME_FLAGS, TASK_FLAGS } from "../jobspec/job-flags.ts";
import { printDryRun, submitAndReport } from "../submit.ts";

export const dockerRunCommand: Command = {
  name: "run",
  usage: "docker run [flags] IMAGE[:TAG|@DIGEST] [COMMAND] [ARG...]",
  summary: "Run a docker job on the network",
  description: [
    "Runs a job in a docker container on a node whose docker engine is enabled.",
    "Flags go before the image: everything after it is the container's command and its arguments.",
    "",
    "Unlike Bacalhau, a job that ends Failed makes this command exit with status 1.",
  ].join("\n"),
  flags: [
    { name: "workdir", short: "w", type: "string", help: "Working directory inside the container (an absolute path)" },
    { name: "entrypoint", type: "strings", help: "Override the default ENTRYPOINT of the image" },
    ...JOB_FLAGS,
    ...TASK_FLAGS,
    ...RUNTIME_FLAGS,
  ],
  // As in Bacalhau: everything after the image belongs to the container's command.
  interspersed: false,
  async run(ctx) {
    const [image, ...params] = ctx.flags.positionals;
    if (!image) {
      throw BacalhauError.badRequest("docker run needs an image", { component: "CLI", hint: `e.g. ${ctx.argv0} docker run ubuntu echo hello` });
    }
    const workdir = ctx.flags.string("workdir");
    if (workdir && !workdir.startsWith("/")) {
      throw BacalhauError.badRequest(`--workdir must be an absolute path, got '${workdir}'`, { component: "CLI" });
    }
    const entrypoint = ctx.flags.list("entrypoint");
    const params_: Record<string, unknown> = { Image: image, Parameters: params };
    if (entrypoint.length) params_.Entrypoint = entrypoint;
    if (workdir) params_.WorkingDirectory = workdir;
    const job = buildJob(ctx.flags, { Type: "docker", Params: params_ });
    if (ctx.flags.bool("dry-run")) return printDryRun(ctx, job);
    return submitAndReport(ctx, job);
  },
};
