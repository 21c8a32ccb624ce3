/**
 * The docker executor: runs a job's container through the Docker engine (dockerode) with
 * Bacalhau's semantics — image, entrypoint, parameters, env and working directory from the engine
 * Params; inputs and ResultPaths bind-mounted (each mount checked to stay inside the execution's
 * folder or the local allow-list); least privilege (no capabilities, no-new-privileges, a pids
 * limit, optionally a non-root user and read-only root); memory and CPU limits; stdout/stderr streamed to
 * the job's logs as they come; the container's exit code as the result; OOM kills, missing images
 * and start failures as errors; job networking None/Host/Full/Bridge/HTTP (the last through a
 * per-job egress proxy). Every container is labelled with its execution and removed afterwards.
 *
 * @example
 * ```ts
 * const executor = createDockerExecutor({ pullPolicy: "never", pidsLimit: 256 });
 * if (await executor.isInstalled()) console.log(await executor.run(request)); // { exitCode, errorMsg? }
 * await executor.close();
 * ```
 */
import { chown } from "node:fs/promises";
import type { SpecConfig } from "../../models/types.ts";
import type { ExecutionRequest, Executor, ExecutorResult } from "../executor.ts";
import { abortMessage } from "../wasm/executor.ts";
import { dockerClient, engineReachable } from "./client.ts";
import { containerSpec } from "./container-spec.ts";
import type { ContainerSpec, DockerApi, DockerContainer, MountSpec } from "./engine.ts";
import { DockerStreamDemuxer } from "./demux.ts";
import { engineMessage } from "./errors.ts";
import type { ProxySettings } from "./http-network.ts";
import { hardening, numericOwner, type ContainerHardening } from "./hardening.ts";
import { ensureImage, imagePresent, notFoundMessage, pullPolicy, type PullPolicy } from "./image.ts";
import { mountGuard } from "./mount-guard.ts";
import { jobNetwork, type JobNetwork } from "./network.ts";
import { parseDockerParams } from "./params.ts";

export interface DockerExecutorOptions {
  /** Engine address; default DOCKER_HOST, then /var/run/docker.sock. */
  dockerHost?: string;
  /** Pull images that are not present. Default: true unless SKIP_IMAGE_PULL is set. */
  pullImages?: boolean;
  /** `never`, `missing` or `always`; wins over `pullImages`. */
  pullPolicy?: PullPolicy;
  /** Most processes a job container may hold (default 1024). */
  pidsLimit?: number;
  /** `uid[:gid]` jobs run as (default: the image's user). */
  user?: string;
  /** Read-only root file system with a writable tmpfs at /tmp. */
  readOnlyRootfs?: boolean;
  /** `Compute.AllowListedLocalPaths`: the host paths, besides the execution's folder, a mount may come from. */
  allowListedLocalPaths?: string[];
  /** Tuning for the egress proxy of HTTP-networked jobs (rate, name resolution, address guard). */
  proxy?: ProxySettings;
  /** Firewall HTTP-networked jobs off the host's other ports (iptables; needs root). Default true. */
  guardHost?: boolean;
}

export function createDockerExecutor(opts: DockerExecutorOptions = {}): DockerExecutor {
  return new DockerExecutor(opts);
}

/** How long a SIGKILLed, memory-limited container's exit waits for a late "oom" event. */
const OOM_EVENT_GRACE_MS = 2000;

interface OomWatch {
  /** Whether an "oom" event came, waiting at most `graceMs` for one still on its way. */
  seen(graceMs: number): Promise<boolean>;
  stop(): void;
}

/** Subscribes to the container's "oom" events before it starts, so none is missed. */
async function watchOom(docker: DockerApi, id: string): Promise<OomWatch> {
  const { promise: oomed, resolve } = Promise.withResolvers<boolean>();
  let events: Awaited<ReturnType<DockerApi["getEvents"]>> | undefined;
  try {
    events = await docker.getEvents({ filters: JSON.stringify({ container: [id], event: ["oom"] }) });
    events.on("data", () => resolve(true));
    events.on("error", () => {});
  } catch {
    // Without events, inspect's OOMKilled is all there is.
  }
  return {
    async seen(graceMs) {
      if (!events) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs)));
      try {
        return await Promise.race([oomed, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    stop: () => events?.destroy(),
  };
}

type Outcome = { kind: "exited"; code: number } | { kind: "aborted" };

export class DockerExecutor implements Executor {
  readonly type = "docker";
  #api: DockerApi | undefined;
  readonly #opts: DockerExecutorOptions;
  readonly #pull: PullPolicy;
  readonly #harden: ContainerHardening;
  readonly #mounts: (req: ExecutionRequest) => Promise<MountSpec[]>;

  /** Throws on a bad option (an unknown pull policy, a pids limit below 1, a malformed user). */
  constructor(opts: DockerExecutorOptions = {}) {
    this.#opts = opts;
    const skip = opts.pullImages === undefined ? !!process.env["SKIP_IMAGE_PULL"] : !opts.pullImages;
    this.#pull = pullPolicy(opts.pullPolicy, skip);
    this.#harden = hardening({ pidsLimit: opts.pidsLimit, user: opts.user, readOnlyRootfs: opts.readOnlyRootfs });
    this.#mounts = mountGuard({ allowListedLocalPaths: opts.allowListedLocalPaths ?? [] });
  }

  /** Made on first use: a node that only probes for an engine never loads dockerode. */
  get #docker(): DockerApi {
    this.#api ??= dockerClient({ dockerHost: this.#opts.dockerHost });
    return this.#api;
  }

  isInstalled(): Promise<boolean> {
    return engineReachable({ dockerHost: this.#opts.dockerHost });
  }

  async checkBid(engine: SpecConfig): Promise<string | undefined> {
    try {
      const params = parseDockerParams(engine.Params);
      if (this.#pull === "never" && !(await imagePresent(this.#docker, params.image))) {
        return `${notFoundMessage(params.image)} and this node does not pull images`;
      }
      return undefined;
    } catch (err) {
      return engineMessage(err);
    }
  }

  async run(req: ExecutionRequest): Promise<ExecutorResult> {
    const fail = (errorMsg: string): ExecutorResult => ({ exitCode: -1, errorMsg });
    let spec: ContainerSpec;
    let net: JobNetwork;
    try {
      const params = parseDockerParams(req.engine.Params);
      const mounts = await this.#mounts(req);
      // The guard returns the inputs' mounts first, then one per ResultPath.
      await this.#handOutputs(mounts.slice(req.inputs.length));
      if (req.signal.aborted) return fail(abortMessage(req.signal));
      await ensureImage(this.#docker, params.image, this.#pull);
      if (req.signal.aborted) return fail(abortMessage(req.signal));
      net = await jobNetwork(this.#docker, req, this.#opts);
      spec = containerSpec(params, req, net, mounts, this.#harden);
    } catch (err) {
      return fail(engineMessage(err));
    }
    try {
      if (req.signal.aborted) return fail(abortMessage(req.signal));
      let container: DockerContainer;
      try {
        container = await this.#docker.createContainer(spec);
      } catch (err) {
        return fail(`failed to create container: ${engineMessage(err)}`);
      }
      try {
        return await this.#runContainer(container, req);
      } finally {
        await container.remove({ force: true, v: true }).catch(() => {});
      }
    } finally {
      await net.release();
    }
  }

  /**
   * A job running as a configured numeric user must be able to write its outputs, which the node
   * made owner-only: it becomes their owner (only the folders made for this execution).
   */
  async #handOutputs(outputs: MountSpec[]): Promise<void> {
    const owner = numericOwner(this.#harden.user);
    if (!owner || process.getuid?.() !== 0) return;
    for (const m of outputs) await chown(m.Source, owner.uid, owner.gid);
  }

  async #runContainer(container: DockerContainer, req: ExecutionRequest): Promise<ExecutorResult> {
    const fail = (errorMsg: string): ExecutorResult => ({ exitCode: -1, errorMsg });
    const stream = await container.attach({ stream: true, stdout: true, stderr: true, hijack: true });
    const oom = await watchOom(this.#docker, container.id);
    try {
      const demux = new DockerStreamDemuxer(req.logs);
      const { promise: drained, resolve: onDrained } = Promise.withResolvers<void>();
      stream.on("data", (chunk: Uint8Array) => demux.push(chunk));
      stream.once("end", () => onDrained());
      stream.once("close", () => onDrained());
      stream.once("error", () => onDrained());

      const { promise: aborted, resolve: onAbort } = Promise.withResolvers<Outcome>();
      const abort = () => onAbort({ kind: "aborted" });
      if (req.signal.aborted) return fail(abortMessage(req.signal));
      req.signal.addEventListener("abort", abort, { once: true });
      try {
        // Ask for the exit before starting, so even a container that ends at once is seen ending.
        const exited = container.wait({ condition: "next-exit" }).then(
          (r): Outcome => ({ kind: "exited", code: r.StatusCode }),
        );
        exited.catch(() => {});
        try {
          await container.start();
        } catch (err) {
          return fail(`failed to start container: ${engineMessage(err)}`);
        }
        const outcome = await Promise.race([exited, aborted]);
        if (outcome.kind === "aborted") {
          await container.kill().catch(() => {});
          return fail(abortMessage(req.signal));
        }
        await drained; // the attach stream ends once the container's output is all delivered
        const info = await container.inspect();
        // dockerd may record the exit before the OOM kill that caused it: a SIGKILL exit of a
        // memory-limited container waits (briefly) for the engine's "oom" event too.
        const killed = outcome.code === 137 && req.resources.Memory > 0;
        if (info.State.OOMKilled || (killed && (await oom.seen(OOM_EVENT_GRACE_MS)))) {
          return {
            exitCode: outcome.code,
            errorMsg: `out of memory: memory limit exceeded, the container was killed at its limit of ${req.resources.Memory} bytes`,
          };
        }
        return { exitCode: outcome.code };
      } catch (err) {
        return fail(`docker: ${engineMessage(err)}`);
      } finally {
        req.signal.removeEventListener("abort", abort);
      }
    } finally {
      stream.destroy();
      oom.stop();
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
