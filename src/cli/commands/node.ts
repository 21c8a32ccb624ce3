/** `bacalhau node list|describe|approve|reject|delete`. */
import { BacalhauError } from "../../models/errors.ts";
import type { Command } from "../command.ts";
import { NODE_COLUMNS } from "../output/columns.ts";
import { LIST_OUTPUT_FLAGS, objectOutputFlags, outputFormat, printList, renderObject } from "../output/format.ts";
import { requireArg } from "./common.ts";

export const nodeListCommand: Command = {
  name: "list",
  usage: "node list [flags]",
  summary: "List info of network nodes",
  flags: [
    { name: "labels", type: "string", help: "Filter nodes by labels (label selector)" },
    { name: "filter-approval", type: "string", help: "Filter nodes by approval: approved, pending or rejected" },
    { name: "filter-status", type: "string", help: "Filter nodes by status: connected or disconnected" },
    { name: "order-by", type: "string", help: "Order by id, type, available_cpu, available_memory, available_disk, available_gpu, approval or status" },
    { name: "order-reversed", type: "bool", help: "Reverse the order of the results" },
    { name: "limit", type: "int", default: 0, help: "Limit the number of results returned" },
    ...LIST_OUTPUT_FLAGS,
  ],
  async run(ctx) {
    const f = ctx.flags;
    const res = await ctx.client().listNodes({
      labels: f.string("labels") ? [f.string("labels")] : undefined,
      filterApproval: f.string("filter-approval") || undefined,
      filterStatus: f.string("filter-status") || undefined,
      orderBy: f.string("order-by") || undefined,
      reverse: f.has("order-reversed") ? f.bool("order-reversed") : undefined,
      limit: f.int("limit") || undefined,
    });
    printList(ctx.io, f, NODE_COLUMNS, res.Nodes ?? []);
    return 0;
  },
};

export const nodeDescribeCommand: Command = {
  name: "describe",
  usage: "node describe [id] [flags]",
  summary: "Get the info of a node by id.",
  flags: objectOutputFlags("yaml"),
  async run(ctx) {
    const id = requireArg(ctx, "node ID");
    const { Node } = await ctx.client().getNode(id);
    ctx.io.out(renderObject(Node, outputFormat(ctx.flags, ["json", "yaml"]), ctx.flags.bool("pretty")));
    return 0;
  },
};

function nodeAction(action: "approve" | "reject" | "delete", summary: string): Command {
  return {
    name: action,
    usage: `node ${action} [id] [flags]`,
    summary,
    flags: [{ name: "message", short: "m", type: "string", help: "A message to be attached to the action" }],
    async run(ctx) {
      const id = requireArg(ctx, "node ID");
      const res = await ctx.client().updateNode(id, action, ctx.flags.string("message"));
      if (res.Success === false) {
        throw new BacalhauError(`failed to ${action} node ${id}`, { component: "CLI" });
      }
      ctx.io.out("Ok\n");
      return 0;
    },
  };
}

export const nodeApproveCommand = nodeAction("approve", "Approve a single node's request to join the cluster");
export const nodeRejectCommand = nodeAction("reject", "Reject a single node's request to join the cluster");
export const nodeDeleteCommand = nodeAction("delete", "Delete a node from the cluster using its ID");
