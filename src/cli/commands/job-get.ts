/**
 * `bacalhau job get <id>`: downloads the job's published results into a folder: `local` results
 * through the requester, `ipfs` results through the requester's API or, with swarm addresses,
 * straight from the private swarm.
 */
import { resolve } from "node:path";
import { shortID } from "../../models/ids.ts";
import type { Command } from "../command.ts";
import { IPFS_SWARM_FLAGS } from "../ipfs-swarm/options.ts";
import { downloadResults } from "../results/download.ts";
import { NAMESPACE_FLAG, namespaceOf, requireArg } from "./common.ts";
import { ipfsFetcherFor } from "./ipfs-common.ts";

export const jobGetCommand: Command = {
  name: "get",
  usage: "job get [id] [flags]",
  summary: "Get the results of a job",
  description:
    "Downloads the results a job published and, unless --raw is given, extracts and merges them\n" +
    "(stdout and stderr appended, output folders copied) into the output directory. With --raw, each\n" +
    "result is kept apart: a downloaded archive as is, an IPFS result as a folder named after its CID.\n" +
    "IPFS results come through the requester's API (it must run --private-internal-ipfs), or straight\n" +
    "from the swarm when --ipfs-swarm-addrs (or BACALHAU_IPFS_SWARM_ADDRESSES) is given.",
  flags: [
    { name: "output-dir", type: "string", help: "Directory to write the output to (default ./job-<short id>)" },
    { name: "raw", type: "bool", help: "Keep each result apart (archives as downloaded, IPFS results in <CID> folders) instead of merging them" },
    { name: "download-timeout-secs", type: "int", default: 300, help: "Timeout duration for downloading each result" },
    ...IPFS_SWARM_FLAGS,
    NAMESPACE_FLAG,
  ],
  async run(ctx) {
    const id = requireArg(ctx, "job ID");
    const namespace = namespaceOf(ctx);
    const client = ctx.client();
    const { Job: job } = await client.getJob(id, { namespace });
    const results = (await client.jobResults(job.ID, { namespace })).Items ?? [];
    if (results.length === 0) {
      ctx.io.out(`No results found\nYou can check the logs of the job using:\n\t${ctx.argv0} job logs ${job.ID}\n`);
      return 0;
    }
    const ns = job.Namespace && job.Namespace !== "default" ? `${job.Namespace}-` : "";
    const dir = resolve(ctx.io.cwd, ctx.flags.string("output-dir") || `job-${ns}${shortID(job.ID)}`);
    const written = await downloadResults(results, {
      outputDir: dir,
      raw: ctx.flags.bool("raw"),
      timeoutSecs: ctx.flags.int("download-timeout-secs") || 300,
      warn: (m) => ctx.io.err(`Warning: ${m}\n`),
      ipfs: () => ipfsFetcherFor(ctx),
    });
    if (written === 0) {
      ctx.io.out("No results found\n");
      return 0;
    }
    ctx.io.out(`Results for job '${job.ID}' have been written to...\n${dir}\n`);
    return 0;
  },
};
