/** `bacalhau agent alive|version|node|config`: what the node behind the API says about itself. */
import type { Command } from "../command.ts";
import { objectOutputFlags, outputFormat, renderObject } from "../output/format.ts";

export const agentAliveCommand: Command = {
  name: "alive",
  usage: "agent alive [flags]",
  summary: "Get the agent's liveness and health info.",
  flags: objectOutputFlags("yaml"),
  async run(ctx) {
    const res = await ctx.client().alive();
    ctx.io.out(renderObject(res, outputFormat(ctx.flags, ["json", "yaml"]), ctx.flags.bool("pretty")));
    return 0;
  },
};

export const agentVersionCommand: Command = {
  name: "version",
  usage: "agent version [flags]",
  summary: "Get the agent version.",
  flags: objectOutputFlags(""),
  async run(ctx) {
    const v = await ctx.client().version();
    if (ctx.flags.string("output")) {
      ctx.io.out(renderObject(v, outputFormat(ctx.flags, ["json", "yaml"]), ctx.flags.bool("pretty")));
    } else ctx.io.out(`Bacalhau ${v.GitVersion}\nBuildDate ${v.BuildDate}\nGitCommit ${v.GitCommit}\n`);
    return 0;
  },
};

export const agentNodeCommand: Command = {
  name: "node",
  usage: "agent node [flags]",
  summary: "Get the agent's node info.",
  flags: objectOutputFlags("yaml"),
  async run(ctx) {
    const res = await ctx.client().agentNode();
    ctx.io.out(renderObject(res, outputFormat(ctx.flags, ["json", "yaml"]), ctx.flags.bool("pretty")));
    return 0;
  },
};

export const agentConfigCommand: Command = {
  name: "config",
  usage: "agent config [flags]",
  summary: "Get the agent's configuration.",
  flags: objectOutputFlags("yaml"),
  async run(ctx) {
    const res = await ctx.client().agentConfig();
    ctx.io.out(renderObject(res.config ?? res, outputFormat(ctx.flags, ["json", "yaml"]), ctx.flags.bool("pretty")));
    return 0;
  },
};
