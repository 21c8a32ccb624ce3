/** `bacalhau job list`: a page of jobs, with the command to fetch the next one. */
import type { Command } from "../command.ts";
import { JOB_COLUMNS } from "../output/columns.ts";
import { LIST_OUTPUT_FLAGS, printList } from "../output/format.ts";
import { NAMESPACE_FLAG } from "./common.ts";

export const DEFAULT_LIST_LABELS = "bacalhau_canary != true";

export const jobListCommand: Command = {
  name: "list",
  usage: "job list [flags]",
  summary: "List submitted jobs",
  flags: [
    { name: "limit", type: "int", default: 10, help: "Limit the number of results returned" },
    { name: "next-token", type: "string", help: "Next token for pagination" },
    { name: "order-by", type: "string", help: "Order results by a field (created_at, modified_at)" },
    { name: "order-reversed", type: "bool", help: "Reverse the order of the results" },
    { name: "labels", type: "string", default: DEFAULT_LIST_LABELS, help: "Filter jobs by labels (label selector)" },
    NAMESPACE_FLAG,
    ...LIST_OUTPUT_FLAGS,
  ],
  async run(ctx) {
    const { flags } = ctx;
    const labels = flags.string("labels");
    const limit = flags.int("limit");
    const page = await ctx.client().listJobs({
      namespace: flags.string("namespace") || undefined,
      limit,
      nextToken: flags.string("next-token") || undefined,
      orderBy: normalizeOrderBy(flags.string("order-by")),
      reverse: flags.has("order-reversed") ? flags.bool("order-reversed") : undefined,
      labels: labels ? [labels] : undefined,
    });
    printList(ctx.io, flags, JOB_COLUMNS, page.Items ?? []);
    const format = flags.string("output").toLowerCase();
    if (page.NextToken && (format === "table" || format === "csv")) {
      ctx.io.out(`\nTo fetch more records use:\n\t${ctx.argv0} job list --limit ${limit} --next-token ${page.NextToken}\n`);
    }
    return 0;
  },
};

/** The CLI accepts `created_at`, `created`, `id`… the API knows created_at and modified_at. */
function normalizeOrderBy(v: string): string | undefined {
  const s = v.trim().toLowerCase();
  if (!s) return undefined;
  if (s === "created" || s === "create_time") return "created_at";
  if (s === "modified" || s === "modify_time") return "modified_at";
  return s;
}
