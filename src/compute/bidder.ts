/**
 * The bidder: decides whether this compute node takes a job. Semantic checks first (engine,
 * publisher and input types installed, networking allowed, stateless jobs, env resolution), then
 * resources (the job must fit the node's per-job limit). Returns the reason of the first refusal.
 */
import type { Executor } from "../executor/executor.ts";
import { NetworkType, type Job, type Resources } from "../models/types.ts";
import type { Publisher } from "../publisher/publisher.ts";
import type { StorageSource } from "../storage/source.ts";
import { shortfall } from "./capacity.ts";
import { resolveEnv } from "./env.ts";

export interface AdmissionPolicy {
  /** Refuse jobs whose network is anything but None/Default (Bacalhau's legacy default: refuse). */
  rejectNetworkedJobs: boolean;
  /** Refuse jobs without inputs. */
  rejectStatelessJobs: boolean;
  /** Regexes of host variables that `env:NAME` values may read. */
  envAllowList: string[];
  /** `local`: bid only when every input is already on this node (`--job-selection-data-locality`). */
  locality?: "anywhere" | "local";
}

export interface BidderDeps {
  executors: Map<string, Executor>;
  publishers: Map<string, Publisher>;
  storages: Map<string, StorageSource>;
  policy: AdmissionPolicy;
  maxJobRequirements: () => Resources;
}

export async function checkBid(deps: BidderDeps, job: Job, need: Resources): Promise<string | undefined> {
  const task = job.Tasks[0];
  if (!task) return "job has no task";
  const engineType = task.Engine.Type.toLowerCase();
  const executor = deps.executors.get(engineType);
  if (!executor) return `engine ${task.Engine.Type} is not supported by this node (it runs: ${[...deps.executors.keys()].join(", ")})`;
  const engineRefusal = await executor.checkBid?.(task.Engine);
  if (engineRefusal) return engineRefusal;

  const pubType = task.Publisher?.Type?.toLowerCase() ?? "";
  if (pubType) {
    const pub = deps.publishers.get(pubType);
    if (!pub) return `publisher ${task.Publisher?.Type} is not supported by this node (it has: ${[...deps.publishers.keys()].join(", ")})`;
    const why = pub.validate(task.Publisher!);
    if (why) return why;
  }

  const inputs = task.InputSources ?? [];
  if (deps.policy.rejectStatelessJobs && inputs.length === 0) return "this node does not accept jobs without inputs";
  for (const input of inputs) {
    const source = deps.storages.get(input.Source.Type.toLowerCase());
    if (!source) return `input type ${input.Source.Type} is not supported by this node (it has: ${[...deps.storages.keys()].join(", ")})`;
    const why = source.validate(input);
    if (why) return why;
  }

  if (deps.policy.locality === "local") {
    for (const input of inputs) {
      const source = deps.storages.get(input.Source.Type.toLowerCase())!;
      // Inline data travels in the spec; sources that cannot tell (URLs) are never local.
      const local = source.type === "inline" || ((await source.hasLocalCopy?.(input)) ?? false);
      if (!local) {
        return `input ${input.Target || input.Source.Type} is not on this node and it only takes jobs whose data is local ` +
          "(--job-selection-data-locality local)";
      }
    }
  }

  const net = task.Network?.Type ?? NetworkType.Default;
  if (net !== NetworkType.None && net !== NetworkType.Default && deps.policy.rejectNetworkedJobs) {
    return `this node does not accept networked jobs (network type ${net}); its operator can allow them with ` +
      "--job-selection-accept-networked or -c JobAdmissionControl.RejectNetworkedJobs=false";
  }

  try {
    resolveEnv(task.Env ?? {}, deps.policy.envAllowList);
  } catch (err) {
    return (err as Error).message;
  }

  const tooBig = shortfall(need, deps.maxJobRequirements(), "per-job limit");
  if (tooBig) return tooBig;
  return undefined;
}
