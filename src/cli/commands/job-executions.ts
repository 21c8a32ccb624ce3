/** `bacalhau job executions <id>`: the job's executions as a table. */
import type { Command } from "../command.ts";
import { EXECUTION_COLUMNS } from "../output/columns.ts";
import { LIST_OUTPUT_FLAGS, printList } from "../output/format.ts";
import { ALL_VERSIONS_FLAG, LIST_FLAGS, NAMESPACE_FLAG, namespaceOf, requireArg, VERSION_FLAG } from "./common.ts";

export const jobExecutionsCommand: Command = {
  name: "executions",
  usage: "job executions [id] [flags]",
  summary: "List executions for a job by id.",
  flags: [VERSION_FLAG, ALL_VERSIONS_FLAG, NAMESPACE_FLAG, ...LIST_FLAGS, ...LIST_OUTPUT_FLAGS],
  async run(ctx) {
    const id = requireArg(ctx, "job ID");
    const f = ctx.flags;
    const page = await ctx.client().jobExecutions(id, {
      namespace: namespaceOf(ctx),
      limit: f.int("limit") || undefined,
      orderBy: f.string("order-by") || undefined,
      reverse: f.has("order-reversed") ? f.bool("order-reversed") : undefined,
      jobVersion: f.int("version") || undefined,
      allJobVersions: f.bool("all-versions") || undefined,
    });
    printList(ctx.io, f, EXECUTION_COLUMNS, page.Items ?? []);
    return 0;
  },
};
