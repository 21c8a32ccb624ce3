/** `bacalhau job rerun <id>`: runs a version of the job again. */
import type { Command } from "../command.ts";
import { NAMESPACE_FLAG, namespaceOf, requireArg, VERSION_FLAG } from "./common.ts";

export const jobRerunCommand: Command = {
  name: "rerun",
  usage: "job rerun [id] [flags]",
  summary: "Rerun a job using the same job spec",
  flags: [VERSION_FLAG, NAMESPACE_FLAG, { name: "reason", type: "string", default: "", help: "Why the job is rerun" }],
  async run(ctx) {
    const id = requireArg(ctx, "job ID");
    const res = await ctx.client().rerunJob(id, ctx.flags.int("version"), ctx.flags.string("reason"), { namespace: namespaceOf(ctx) });
    for (const w of res.Warnings ?? []) ctx.io.err(`Warning: ${w}\n`);
    ctx.io.out(`Job successfully rerun. Job ID: ${res.JobID}, Job Version: ${res.JobVersion}, Evaluation ID: ${res.EvaluationID}\n`);
    return 0;
  },
};
