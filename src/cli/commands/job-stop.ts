/** `bacalhau job stop <id>`: refuses terminal jobs, then asks the orchestrator to stop the job. */
import { BacalhauError } from "../../models/errors.ts";
import { TERMINAL_JOB_STATES } from "../../models/types.ts";
import type { Command } from "../command.ts";
import { NAMESPACE_FLAG, namespaceOf, requireArg } from "./common.ts";

export const jobStopCommand: Command = {
  name: "stop",
  usage: "job stop [id] [flags]",
  summary: "Stop a previously submitted job",
  flags: [{ name: "quiet", short: "q", type: "bool", help: "Do not print anything to stdout or stderr" }, NAMESPACE_FLAG],
  async run(ctx) {
    const id = requireArg(ctx, "job ID");
    const quiet = ctx.flags.bool("quiet");
    const say = (s: string): void => {
      if (!quiet) ctx.io.out(s);
    };
    const client = ctx.client();
    const namespace = namespaceOf(ctx);
    say("Checking job status\n\n");
    say("\tConnecting to network  ... done ✅\n");
    const { Job: job } = await client.getJob(id, { namespace });
    if (TERMINAL_JOB_STATES.has(job.State.StateType)) {
      throw BacalhauError.badRequest(`Job is already in a terminal state. The current state is: ${job.State.StateType}`, {
        component: "CLI",
      });
    }
    say("\t  Verifying job state  ... done ✅\n");
    const res = await client.stopJob(job.ID, "Stopped at user request", { namespace });
    say("\t         Stopping job  ... done ✅\n\n");
    say(`Job stop successfully submitted with evaluation ID: ${res.EvaluationID}\n`);
    return 0;
  },
};
