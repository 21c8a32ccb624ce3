/** `bacalhau job versions <id>`: every stored version of a job. */
import type { Command } from "../command.ts";
import { VERSION_COLUMNS } from "../output/columns.ts";
import { LIST_OUTPUT_FLAGS, printList } from "../output/format.ts";
import { NAMESPACE_FLAG, namespaceOf, requireArg } from "./common.ts";

export const jobVersionsCommand: Command = {
  name: "versions",
  usage: "job versions [id] [flags]",
  summary: "List versions of a job by id.",
  flags: [NAMESPACE_FLAG, ...LIST_OUTPUT_FLAGS],
  async run(ctx) {
    const id = requireArg(ctx, "job ID");
    const page = await ctx.client().jobVersions(id, { namespace: namespaceOf(ctx) });
    printList(ctx.io, ctx.flags, VERSION_COLUMNS, page.Items ?? []);
    return 0;
  },
};
