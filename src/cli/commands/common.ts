/** Small pieces several commands share: the namespace flag and argument checks. */
import { BacalhauError } from "../../models/errors.ts";
import type { CommandContext } from "../command.ts";
import type { FlagSpec } from "../flags.ts";

export const NAMESPACE_FLAG: FlagSpec = { name: "namespace", type: "string", help: "Job Namespace. If not provided, the default namespace is used" };
export const VERSION_FLAG: FlagSpec = { name: "version", short: "v", type: "int", default: 0, help: "The job version (0 means the latest)" };
export const ALL_VERSIONS_FLAG: FlagSpec = { name: "all-versions", type: "bool", help: "Include all job versions" };

export const LIST_FLAGS: FlagSpec[] = [
  { name: "limit", type: "int", default: 0, help: "Limit the number of results returned" },
  { name: "next-token", type: "string", help: "Next token for pagination" },
  { name: "order-by", type: "string", help: "Order results by a field" },
  { name: "order-reversed", type: "bool", help: "Reverse the order of the results" },
];

/** The one positional argument a command needs (a job or node ID), or a usage error. */
export function requireArg(ctx: CommandContext, what: string): string {
  const v = ctx.flags.positionals[0];
  if (!v) {
    throw BacalhauError.badRequest(`missing ${what}`, { component: "CLI", hint: "run the command with --help to see its usage" });
  }
  return v;
}

export const namespaceOf = (ctx: CommandContext): string | undefined => ctx.flags.string("namespace") || undefined;
