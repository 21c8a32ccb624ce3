/** `bacalhau wasm run ENTRY-MODULE [wasm-args...]`: builds a wasm job from flags and submits it. */
import { BacalhauError } from "../../models/errors.ts";
import type { InputSource } from "../../models/types.ts";
import type { Command } from "../command.ts";
import { buildJob, JOB_FLAGS, RUNTIME_FLAGS, TASK_FLAGS } from "../jobspec/job-flags.ts";
import { DEFAULT_ENTRY_TARGET, importTarget, resolveModule } from "../jobspec/wasm-module.ts";
import { printDryRun, submitAndReport } from "../submit.ts";

export const wasmRunCommand: Command = {
  name: "run",
  usage: "wasm run {cid-of-wasm | <local.wasm> | <url>} [--entry-point <string>] [wasm-args ...] [flags]",
  summary: "Run a WASM job on the network",
  description: [
    "Runs a job that was compiled to WASM.",
    "",
    "ENTRY-MODULE is a storage URI (http(s)://, ipfs://, s3://, file://, optionally followed by :target),",
    "a local file or folder (sent inline with the job, mounted at main.wasm), or a path inside the job's",
    "filesystem. Arguments after the module are passed to it; put them after -- if they start with a dash.",
    "",
    "Unlike Bacalhau, a job that ends Failed makes this command exit with status 1.",
  ].join("\n"),
  flags: [
    { name: "entry-point", type: "string", default: "_start", help: "The name of the WASM function in the entry module to call" },
    { name: "import-modules", short: "I", type: "strings", help: "Modules to link first: job paths, localfile:target or storage URIs" },
    ...JOB_FLAGS,
    ...TASK_FLAGS,
    ...RUNTIME_FLAGS,
  ],
  async run(ctx) {
    const [moduleArg, ...params] = ctx.flags.positionals;
    if (!moduleArg) {
      throw BacalhauError.badRequest("wasm run needs an entry module", {
        component: "CLI",
        hint: `e.g. ${ctx.argv0} wasm run ./main.wasm arg1 arg2`,
      });
    }
    const inputs: InputSource[] = [];
    const entry = await resolveModule(moduleArg, ctx.io.cwd, DEFAULT_ENTRY_TARGET);
    if (entry.input) inputs.push(entry.input);
    const imports: string[] = [];
    for (const [i, arg] of ctx.flags.list("import-modules").entries()) {
      const mod = await resolveModule(arg, ctx.io.cwd, importTarget(arg, i));
      if (mod.input) inputs.push(mod.input);
      imports.push(mod.path);
    }
    const engine = {
      Type: "wasm",
      Params: {
        EntryModule: entry.path,
        Entrypoint: ctx.flags.string("entry-point"),
        Parameters: params,
        ImportModules: imports,
      },
    };
    const job = buildJob(ctx.flags, engine, inputs);
    if (ctx.flags.bool("dry-run")) return printDryRun(ctx, job);
    return submitAndReport(ctx, job);
  },
};
