/** `bacalhau job run FILE|-`: submits a job written as YAML or JSON. */
import { parse } from "yaml";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { JobSpec } from "../../client/api-types.ts";
import { BacalhauError } from "../../models/errors.ts";
import type { Command } from "../command.ts";
import { RUNTIME_FLAGS } from "../jobspec/job-flags.ts";
import { submitAndReport } from "../submit.ts";

export const jobRunCommand: Command = {
  name: "run",
  usage: "job run FILE [flags]   (or - to read the job from stdin)",
  summary: "Run a job using a json or yaml file.",
  description: [
    "Submits a job spec written in YAML or JSON, read from FILE or from stdin when FILE is -.",
    "--dry-run asks the server how the job differs from the stored job of the same name.",
    "",
    "Unlike Bacalhau, a job that ends Failed makes this command exit with status 1.",
  ].join("\n"),
  flags: [
    ...RUNTIME_FLAGS,
    { name: "force", type: "bool", help: "Submit the job even if it has not changed since the last version" },
    { name: "hide-warnings", type: "bool", help: "Hide warnings returned by the server" },
    { name: "no-template", type: "bool", help: "Accepted for compatibility; templates are not expanded" },
  ],
  async run(ctx) {
    const file = ctx.flags.positionals[0];
    if (!file) throw BacalhauError.badRequest("job run needs a job file (or - for stdin)", { component: "CLI" });
    const text = file === "-" ? await ctx.io.readStdin() : await readJobFile(resolve(ctx.io.cwd, file));
    const job = parseJobText(text, file);
    if (ctx.flags.bool("dry-run")) {
      const res = await ctx.client().diffJob(job);
      if (!ctx.flags.bool("hide-warnings")) for (const w of res.Warnings ?? []) ctx.io.err(`Warning: ${w}\n`);
      ctx.io.out(res.Diff ? `${res.Diff.replace(/\n?$/, "\n")}` : "No diff detected.\n");
      return 0;
    }
    return submitAndReport(ctx, job, { force: ctx.flags.bool("force"), hideWarnings: ctx.flags.bool("hide-warnings") });
  },
};

async function readJobFile(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    throw BacalhauError.badRequest(`cannot read job file ${path}: ${(err as Error).message}`, { component: "CLI", cause: err });
  }
}

/** YAML is a superset of JSON, so one parser reads both. */
export function parseJobText(text: string, source: string): JobSpec {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw BacalhauError.badRequest(`${source} is not valid YAML or JSON: ${(err as Error).message}`, { component: "CLI", cause: err });
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) {
    throw BacalhauError.badRequest(`${source} does not hold a job object`, { component: "CLI", hint: "see `bacalhau job run --help`" });
  }
  const obj = doc as Record<string, unknown>;
  // A file may hold the bare job or a whole PutJobRequest body.
  const inner = obj.Job ?? obj.job;
  return ((inner && typeof inner === "object" ? inner : obj) as unknown) as JobSpec;
}
