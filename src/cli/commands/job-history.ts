/** `bacalhau job history <id>`: the job's events as a table. */
import { BacalhauError } from "../../models/errors.ts";
import type { Command } from "../command.ts";
import { HISTORY_COLUMNS } from "../output/columns.ts";
import { LIST_OUTPUT_FLAGS, printList } from "../output/format.ts";
import { ALL_VERSIONS_FLAG, LIST_FLAGS, NAMESPACE_FLAG, namespaceOf, requireArg, VERSION_FLAG } from "./common.ts";

const EVENT_TYPES = ["all", "job", "execution"] as const;

export const jobHistoryCommand: Command = {
  name: "history",
  usage: "job history [id] [flags]",
  summary: "List history events for a job by id.",
  flags: [
    { name: "event-type", type: "string", default: "all", help: "The type of history events to return (all, job, execution)" },
    { name: "execution-id", type: "string", help: "Filter by execution ID" },
    VERSION_FLAG,
    ALL_VERSIONS_FLAG,
    NAMESPACE_FLAG,
    ...LIST_FLAGS,
    ...LIST_OUTPUT_FLAGS,
  ],
  async run(ctx) {
    const id = requireArg(ctx, "job ID");
    const f = ctx.flags;
    const eventType = f.string("event-type").toLowerCase();
    if (!(EVENT_TYPES as readonly string[]).includes(eventType)) {
      throw BacalhauError.badRequest(`invalid --event-type '${eventType}'`, { component: "CLI", hint: "use all, job or execution" });
    }
    const page = await ctx.client().jobHistory(id, {
      namespace: namespaceOf(ctx),
      eventType: eventType as (typeof EVENT_TYPES)[number],
      executionID: f.string("execution-id") || undefined,
      limit: f.int("limit") || undefined,
      nextToken: f.string("next-token") || undefined,
      jobVersion: f.int("version") || undefined,
      allJobVersions: f.bool("all-versions") || undefined,
    });
    printList(ctx.io, f, HISTORY_COLUMNS, page.Items ?? []);
    const format = f.string("output").toLowerCase();
    if (page.NextToken && (format === "table" || format === "csv") && f.int("limit") > 0) {
      ctx.io.out(`\nTo fetch more records use:\n\t${ctx.argv0} job history ${id} --limit ${f.int("limit")} --next-token ${page.NextToken}\n`);
    }
    return 0;
  },
};
