/**
 * The wasm executor: runs a job's WASI preview1 module with Bacalhau's semantics (job filesystem
 * at `/`, read-only inputs, outputs at `/<Name>`, argv `["", ...Parameters]`, env in sorted key
 * order, auto-linked imports, -1 for a plain return, memory page limit, output cap). Each job runs
 * in a separate warm runner process, so the node's event loop never blocks on wasm and a timeout
 * or cancel can kill a spinning module at once.
 *
 * @example
 * ```ts
 * const executor = new WasmExecutor({ maxOutputBytes: 64 << 20 });
 * const result = await executor.run(request); // { exitCode, errorMsg? }
 * await executor.close();
 * ```
 */
import type { SpecConfig } from "../../models/types.ts";
import { currentAddressPolicy, parseAllowedCIDRs } from "../../netpolicy/address-policy.ts";
import type { ExecutionRequest, Executor, ExecutorResult } from "../executor.ts";
import { containedPath } from "../../runtime/contain.ts";
import { heapMbFor, pageLimitFor, tableLimitFor } from "./memory-limit.ts";
import { parseWasmParams, type WasmParams } from "./params.ts";
import { RunnerPool } from "./runner/pool.ts";
import { RunnerProcess } from "./runner/process.ts";
import { grantMounts } from "./runner/grant.ts";
import type { RunnerJob, RunnerResult } from "./runner/protocol.ts";
import { defaultSandbox, type RunnerSandbox } from "./runner/sandbox.ts";

export const DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024 * 1024;
/** What a job may store in its outputs when its Disk resource says nothing. */
export const DEFAULT_MAX_RESULT_BYTES = 10 * 1024 ** 3;

export interface WasmExecutorOptions {
  /** stdout+stderr bytes a job may write before it is stopped. Default 256 MiB. */
  maxOutputBytes?: number;
  /** Idle runner processes kept warm. Default 1. */
  spareRunners?: number;
  /** Most runner processes alive at once. Default: available parallelism (the node's slots). */
  maxRunners?: number;
  /** Quiet time after which idle runners beyond `spareRunners` are stopped. Default 30 s; 0 never. */
  idleRunnerMs?: number;
  /**
   * The node's JobAdmissionControl.RejectNetworkedJobs. When set (the default, as in the config),
   * a job with the Default network gets no HTTP host function; otherwise Default means Host, as in
   * Bacalhau's wasm engine.
   */
  rejectNetworkedJobs?: boolean;
  /** Timeout of each HTTP host-function request. Default 30 s (tests use less). */
  httpTimeoutMs?: number;
  /**
   * The operator's JobNetworking.AllowedCIDRs: otherwise refused ranges (private, loopback, …)
   * that jobs' HTTP requests may reach. The node's own ports stay out of reach regardless.
   */
  allowedCIDRs?: readonly string[];
  /** Fixed answers for some host names, tried before DNS by the HTTP host function. */
  hosts?: Record<string, string[]>;
  /** Bytes of result files a job may store when its Disk resource is unset. Default 10 GiB; 0 = unbounded. */
  maxResultBytes?: number;
  /** What runner processes may touch and who they run as. Default: see defaultSandbox(). */
  sandbox?: RunnerSandbox;
}

/** The message a stopped job reports: the abort reason's own text, or "execution cancelled". */
export function abortMessage(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (typeof reason === "string" && reason !== "") return reason;
  if (reason instanceof Error && reason.name === "TimeoutError" && !/timed out/i.test(reason.message)) {
    return "Execution timed out";
  }
  if (reason instanceof Error && reason.name !== "AbortError" && reason.message !== "") return reason.message;
  return "execution cancelled";
}

/** A job's Disk resource bounds its outputs; without one the node's default does (0 = none). */
export function resultLimitFor(disk: number, nodeDefault: number): number | undefined {
  if (disk > 0) return disk;
  return nodeDefault > 0 ? nodeDefault : undefined;
}

export class WasmExecutor implements Executor {
  readonly type = "wasm";
  readonly #pool: RunnerPool;
  readonly #maxOutput: number;
  readonly #rejectNetworked: boolean;
  readonly #httpTimeoutMs: number | undefined;
  readonly #allowedCIDRs: readonly string[];
  readonly #hosts: Record<string, string[]> | undefined;
  readonly #sandbox: RunnerSandbox;
  readonly #maxResult: number;

  constructor(opts: WasmExecutorOptions = {}) {
    this.#allowedCIDRs = [...(opts.allowedCIDRs ?? [])];
    this.#hosts = opts.hosts;
    parseAllowedCIDRs(this.#allowedCIDRs); // a bad entry stops the node at start, naming it
    this.#maxResult = opts.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES;
    this.#sandbox = opts.sandbox ?? defaultSandbox();
    this.#maxOutput = opts.maxOutputBytes && opts.maxOutputBytes > 0 ? opts.maxOutputBytes : DEFAULT_MAX_OUTPUT_BYTES;
    this.#rejectNetworked = opts.rejectNetworkedJobs ?? true;
    this.#httpTimeoutMs = opts.httpTimeoutMs;
    this.#pool = new RunnerPool({ spare: opts.spareRunners, max: opts.maxRunners, idleTrimMs: opts.idleRunnerMs,
      sandbox: this.#sandbox });
  }

  isInstalled(): Promise<boolean> {
    return Promise.resolve(typeof WebAssembly === "object");
  }

  checkBid(engine: SpecConfig): Promise<string | undefined> {
    try {
      parseWasmParams(engine.Params);
      return Promise.resolve(undefined);
    } catch (err) {
      return Promise.resolve((err as Error).message);
    }
  }

  /** Starts the spare runners ahead of the first job. */
  warmUp(): Promise<void> {
    return this.#pool.warmUp();
  }

  async run(req: ExecutionRequest): Promise<ExecutorResult> {
    let params: WasmParams;
    let maxPages: number | undefined;
    let heapMb: number | undefined;
    let outputs: { target: string; hostPath: string; readOnly: boolean }[];
    try {
      params = parseWasmParams(req.engine.Params);
      maxPages = pageLimitFor(req.resources.Memory);
      heapMb = heapMbFor(req.resources.Memory);
      // A result name is a folder of the results dir and nothing else, whoever sent it.
      outputs = req.outputs.map((o) => ({ target: `/${o.Name}`, hostPath: containedPath(req.resultsDir, o.Name), readOnly: false }));
    } catch (err) {
      return { exitCode: -1, errorMsg: (err as Error).message };
    }
    if (req.signal.aborted) return { exitCode: -1, errorMsg: abortMessage(req.signal) };
    const job: RunnerJob = {
      mounts: [
        ...req.inputs.map((v) => ({ target: v.target, hostPath: v.hostPath, readOnly: v.readOnly })),
        ...outputs,
      ],
      entryModule: params.entryModule,
      entrypoint: params.entrypoint,
      parameters: params.parameters,
      importModules: params.importModules,
      env: Object.entries(req.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      maxPages,
      maxTableElements: maxPages === undefined ? undefined : tableLimitFor(req.resources.Memory),
      outputLimit: this.#maxOutput,
      resultLimit: resultLimitFor(req.resources.Disk, this.#maxResult),
      network: req.network?.Type ?? "Default",
      domains: req.network?.Domains ?? [],
      rejectNetworkedJobs: this.#rejectNetworked,
      // Taken now: the node's ports are known once its servers are up, which is before any job.
      addresses: currentAddressPolicy(this.#allowedCIDRs),
      hosts: this.#hosts,
      httpTimeoutMs: this.#httpTimeoutMs,
    };
    try {
      await grantMounts(this.#sandbox, job.mounts);
    } catch (err) {
      return { exitCode: -1, errorMsg: `input configuration error: ${(err as Error).message}` };
    }
    // Opening the folders took a turn of the event loop: a stop that came meanwhile has already fired.
    if (req.signal.aborted) return { exitCode: -1, errorMsg: abortMessage(req.signal) };
    const { promise: aborted, resolve: onAborted } = Promise.withResolvers<ExecutorResult>();
    const onAbort = () => onAborted({ exitCode: -1, errorMsg: abortMessage(req.signal) });
    req.signal.addEventListener("abort", onAbort, { once: true });
    let runner: RunnerProcess | undefined;
    let finished = false;
    let spent = false;
    try {
      const acquiring = this.#pool.acquire(heapMb);
      const first = await Promise.race([acquiring, aborted]);
      if (!(first instanceof RunnerProcess)) {
        // Stopped while waiting for a runner: hand it back unused once it is there.
        acquiring.then((r) => this.#pool.release(r), () => {});
        return first;
      }
      runner = first;
      const current = runner;
      const result: RunnerResult = await Promise.race([
        current.run(job, req.logs),
        aborted.then((result) => {
          if (!finished) current.kill(); // the only way to stop a busy module on both runtimes
          return result;
        }),
      ]);
      spent = result.spent === true || req.signal.aborted;
      return { exitCode: result.exitCode, ...(result.errorMsg === undefined ? {} : { errorMsg: result.errorMsg }) };
    } catch (err) {
      return { exitCode: -1, errorMsg: `cannot start a wasm runner: ${(err as Error).message}` };
    } finally {
      finished = true;
      req.signal.removeEventListener("abort", onAbort);
      if (runner) this.#pool.release(runner, spent);
    }
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
