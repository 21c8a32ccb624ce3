/** `bacalhau job logs <id>`: the execution's output, streamed over the WebSocket. */
import type { Command } from "../command.ts";
import { NAMESPACE_FLAG, namespaceOf, requireArg, VERSION_FLAG } from "./common.ts";

export const jobLogsCommand: Command = {
  name: "logs",
  usage: "job logs [id] [flags]",
  summary: "Follow logs from a currently executing job",
  flags: [
    { name: "execution-id", short: "e", type: "string", help: "Retrieve logs from a specific execution" },
    { name: "follow", short: "f", type: "bool", help: "Follow the logs in real-time after retrieving the current logs" },
    { name: "tail", short: "t", type: "int", default: 0, help: "Number of lines of recent logs to show (0 means all)" },
    VERSION_FLAG,
    NAMESPACE_FLAG,
  ],
  async run(ctx) {
    const id = requireArg(ctx, "job ID");
    const stream = ctx.client().logs(id, {
      executionID: ctx.flags.string("execution-id") || undefined,
      follow: ctx.flags.bool("follow"),
      tail: ctx.flags.int("tail") || undefined,
      jobVersion: ctx.flags.int("version") || undefined,
      namespace: namespaceOf(ctx),
    });
    for await (const log of stream) ctx.io.out(log.Line);
    return 0;
  },
};
