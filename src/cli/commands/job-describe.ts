/** `bacalhau job describe <id>`: the job with its history, executions and output. */
import type { Command } from "../command.ts";
import { describeJobText } from "../output/describe-job.ts";
import { objectOutputFlags, outputFormat, renderObject } from "../output/format.ts";
import { NAMESPACE_FLAG, namespaceOf, requireArg, VERSION_FLAG } from "./common.ts";

export const jobDescribeCommand: Command = {
  name: "describe",
  usage: "job describe [id] [flags]",
  summary: "Get the info of a job by id.",
  description: "Shows a job's state, history, executions and output. The ID may be a short ID or the job's name.",
  flags: [VERSION_FLAG, NAMESPACE_FLAG, ...objectOutputFlags("")],
  async run(ctx) {
    const id = requireArg(ctx, "job ID");
    const res = await ctx.client().getJob(id, {
      include: ["executions", "history"],
      jobVersion: ctx.flags.int("version") || undefined,
      namespace: namespaceOf(ctx),
    });
    if (ctx.flags.string("output")) {
      ctx.io.out(renderObject(res, outputFormat(ctx.flags, ["json", "yaml"]), ctx.flags.bool("pretty")));
    } else ctx.io.out(describeJobText(res));
    return 0;
  },
};
