/**
 * `npm run bench`: the headline performance figures of a node, printed beside their targets.
 *
 * - job latency p50/p99: sequential trivial wasm jobs, HTTP submit to stdout in hand;
 * - throughput: trivial jobs with a bounded number in flight;
 * - wasm/native: the same CPU-bound C program as a wasm job and as a gcc -O2 binary;
 * - serve ready time and idle memory: `bacalhau serve` as a child process;
 * - network: remote job latency through a requester and a compute-only process, and the idle
 *   compute node's memory; `--computes N` adds the one-off network-scale run (1 requester + N).
 *
 * Everything it starts is stopped and removed at the end, on error and on Ctrl-C too.
 *
 * @example
 * ```sh
 * npm run bench                      # table
 * npm run bench -- --json            # one JSON object on stdout (progress goes to stderr)
 * deno run -A scripts/bench/run.ts   # the same under Deno
 * node scripts/bench/run.ts --only latency,throughput --jobs 500
 * node scripts/bench/run.ts --only throughput --job-cpu 1   # one job per core
 * node scripts/bench/run.ts --only network-scale --computes 20  # not in the default run: slow
 * ```
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { startBenchNode, type BenchNode } from "./bench-node.ts";
import { summarisePhases, slowest, type PhaseSummary } from "./breakdown.ts";
import { Cleanup } from "./cleanup.ts";
import { disposeNativeCpu } from "./cpu-native.ts";
import { measureLatency } from "./latency.ts";
import { measureNetwork } from "./network.ts";
import { measureNetworkScale } from "./network-scale.ts";
import { formatTable, NETWORK_FIGURES, SCALE_FIGURES, targetsJSON, TARGETS, type Figures, type Untargeted } from "./report.ts";
import { measureServe } from "./serve-bench.ts";
import { measureThroughput } from "./throughput.ts";
import { measureWasmNative } from "./wasm-native.ts";

/** The default run; network-scale starts N+1 processes and runs only when asked for. */
const SECTIONS = ["latency", "throughput", "cpu", "serve", "network"] as const;
const ALL_SECTIONS = [...SECTIONS, "network-scale"] as const;
type Section = (typeof ALL_SECTIONS)[number];

interface Options {
  json: boolean;
  jobs: number;
  warmup: number;
  throughputJobs: number;
  concurrency: number;
  jobCPU: string;
  cpuRuns: number;
  serveRuns: number;
  idleMs: number;
  pollMs: number;
  computes: number;
  scaleJobs: number;
  only: Set<Section>;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: "boolean", default: false },
      jobs: { type: "string", default: "200" },
      warmup: { type: "string", default: "20" },
      "throughput-jobs": { type: "string", default: "240" },
      concurrency: { type: "string", default: "16" },
      "job-cpu": { type: "string", default: "" },
      "cpu-runs": { type: "string", default: "3" },
      "serve-runs": { type: "string", default: "6" },
      "idle-ms": { type: "string", default: "2000" },
      "poll-ms": { type: "string", default: "2" },
      computes: { type: "string" },
      "scale-jobs": { type: "string", default: "100" },
      only: { type: "string", default: SECTIONS.join(",") },
    },
  });
  const int = (name: string, raw: string, min: number) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${raw}`);
    return n;
  };
  const only = new Set<Section>();
  for (const s of values.only.split(",").map((x) => x.trim()).filter(Boolean)) {
    if (!(ALL_SECTIONS as readonly string[]).includes(s)) throw new Error(`--only: unknown section ${s} (have ${ALL_SECTIONS.join(", ")})`);
    only.add(s as Section);
  }
  if (values.computes !== undefined) only.add("network-scale");
  return {
    json: values.json,
    jobs: int("jobs", values.jobs, 1),
    warmup: int("warmup", values.warmup, 0),
    throughputJobs: int("throughput-jobs", values["throughput-jobs"], 1),
    concurrency: int("concurrency", values.concurrency, 1),
    jobCPU: values["job-cpu"],
    cpuRuns: int("cpu-runs", values["cpu-runs"], 1),
    serveRuns: int("serve-runs", values["serve-runs"], 1),
    idleMs: int("idle-ms", values["idle-ms"], 0),
    pollMs: int("poll-ms", values["poll-ms"], 0),
    computes: int("computes", values.computes ?? "20", 1),
    scaleJobs: int("scale-jobs", values["scale-jobs"], 1),
    only,
  };
}

function runtimeName(): string {
  const deno = (globalThis as { Deno?: { version: { deno: string } } }).Deno;
  return deno ? `deno ${deno.version.deno}` : `node ${process.version}`;
}

const progress = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

/** Runs the chosen sections and returns the exit code (1 when any section failed). */
export async function runBench(argv: string[]): Promise<number> {
  const opts = parseOptions(argv);
  const cleanup = new Cleanup();
  const unsubscribe = cleanup.onSignal((code) => process.exit(code));
  const figures: Figures = Object.fromEntries([...TARGETS, ...NETWORK_FIGURES, ...SCALE_FIGURES].map((t) => [t.key, null]));
  const untargeted: Untargeted[] = [];
  const details: Record<string, unknown> = {};
  const notes: string[] = [];
  const errors: string[] = [];
  let phases: PhaseSummary[] | undefined;

  const section = async (name: Section, fn: () => Promise<void>) => {
    if (!opts.only.has(name)) return;
    progress(`${name} ...`);
    const t0 = performance.now();
    try {
      await fn();
      progress(`${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } catch (err) {
      errors.push(`${name}: ${(err as Error).message}`);
      progress(`${name} FAILED: ${(err as Error).message}`);
    }
  };

  try {
    const inProcess = (["latency", "throughput", "cpu"] as const).some((s) => opts.only.has(s));
    let node: BenchNode | undefined;
    if (inProcess) {
      try {
        node = await startBenchNode(cleanup);
      } catch (err) {
        errors.push(`in-process node: ${(err as Error).message}`);
      }
    }
    if (node) {
      const n = node;
      await section("latency", async () => {
        const r = await measureLatency(n, { jobs: opts.jobs, warmup: opts.warmup });
        figures.job_latency_p50_ms = r.p50_ms;
        figures.job_latency_p99_ms = r.p99_ms;
        phases = summarisePhases(r.spans);
        details.latency = {
          jobs: r.jobs, warmup: opts.warmup, max_ms: r.max_ms,
          client: "HTTP PUT, then in-process waitForJob (event), then GET executions for stdout",
          phases, slowest: slowest(r.spans, 3),
        };
        notes.push(`latency: ${r.jobs} sequential hello.wasm jobs after ${opts.warmup} warm-up; max ${r.max_ms} ms; ` +
          "PUT -> in-process waitForJob -> GET stdout");
      });
      await section("throughput", async () => {
        const r = await measureThroughput(n, { jobs: opts.throughputJobs, concurrency: opts.concurrency, jobCPU: opts.jobCPU });
        figures.jobs_per_s = r.jobs_per_s;
        details.throughput = r;
        notes.push(`throughput: ${r.jobs} hello.wasm jobs, ${r.concurrency} in flight, ${r.seconds} s` +
          (r.job_cpu ? `, each asking for CPU ${r.job_cpu}` : ", default job resources"));
      });
      await section("cpu", async () => {
        const r = await measureWasmNative(n, { runs: opts.cpuRuns });
        figures.wasm_native_ratio = r.ratio;
        details.cpu = r;
        notes.push(`wasm/native: cpu ${r.mib} MiB sha256, median of ${opts.cpuRuns}: wasm ${r.wasm_s} s, native gcc -O2 ${r.native_s} s`);
      });
      await n.stop();
    }
    await section("serve", async () => {
      const r = await measureServe(cleanup, { runs: opts.serveRuns, idleMs: opts.idleMs });
      figures.ready_ms = r.ready_ms;
      figures.idle_rss_mb = r.idle_rss_mb;
      figures.idle_rss_total_mb = r.idle_rss_total_mb;
      details.serve = r;
      notes.push(`serve: ready runs ${r.ready_runs_ms.join(", ")} ms; idle with ${r.idle_children} child process(es); ` +
        `after one job ${r.after_job_rss_total_mb} MB with ${r.after_job_children} child process(es)`);
    });
    await section("network", async () => {
      untargeted.push(...NETWORK_FIGURES);
      const r = await measureNetwork(cleanup, { jobs: opts.jobs, warmup: opts.warmup, pollMs: opts.pollMs, idleMs: opts.idleMs });
      figures.remote_latency_p50_ms = r.remote_latency_p50_ms;
      figures.remote_latency_p99_ms = r.remote_latency_p99_ms;
      figures.compute_idle_rss_mb = r.compute_idle.own_mb;
      figures.compute_idle_runners_rss_mb = r.compute_idle.runners_mb;
      details.network = { ...r, client: `HTTP PUT to the requester, GET /jobs/{id} every ${opts.pollMs} ms until terminal, GET executions for stdout` };
      notes.push(`network: 1 requester + 1 compute process; ${r.jobs} sequential hello.wasm jobs after ${r.warmup} warm-up, ` +
        `max ${r.max_ms} ms; PUT -> poll GET /jobs/{id} every ${r.poll_ms} ms -> GET stdout; compute CONNECTED ${r.connect_ms} ms after spawn`);
      notes.push(`network memory: idle compute ${r.compute_idle.own_mb} MB + ${r.compute_idle.runners} runner(s) ${r.compute_idle.runners_mb} MB; ` +
        `after the jobs ${r.compute_after_jobs.own_mb} MB + ${r.compute_after_jobs.runners} runner(s) ${r.compute_after_jobs.runners_mb} MB; ` +
        `requester ${r.requester_after_jobs.own_mb} MB`);
    });
    await section("network-scale", async () => {
      untargeted.push(...SCALE_FIGURES);
      const r = await measureNetworkScale(cleanup, {
        computes: opts.computes, jobs: opts.scaleJobs, warmup: opts.warmup, pollMs: opts.pollMs, idleMs: opts.idleMs,
      }, progress);
      figures.scale_computes = r.computes;
      figures.scale_connect_all_ms = r.connect_all_ms;
      figures.scale_latency_p50_ms = r.latency_p50_ms;
      figures.scale_latency_p99_ms = r.latency_p99_ms;
      figures.scale_ops_ms = r.ops_ms;
      figures.scale_compute_rss_min_mb = r.compute_idle_rss_mb.min;
      figures.scale_compute_rss_median_mb = r.compute_idle_rss_mb.median;
      figures.scale_compute_rss_max_mb = r.compute_idle_rss_mb.max;
      figures.scale_runners_after_rss_median_mb = r.compute_after_runners_rss_mb.median;
      figures.scale_requester_rss_mb = r.requester_idle.own_mb;
      details["network-scale"] = r;
      const s = (x: { min: number; median: number; max: number }) => `${x.min}/${x.median}/${x.max}`;
      notes.push(`network-scale: 1 requester + ${r.computes} compute processes, all CONNECTED ${r.connect_all_ms} ms after spawn; ` +
        `${r.jobs} sequential jobs after ${r.warmup} warm-up ran on ${r.nodes_used} node(s), max ${r.max_ms} ms; ` +
        `ops job ${r.ops_executions} executions in ${r.ops_ms} ms (the first one, runners cold, ${r.ops_cold_ms} ms, ran before the batch jobs)`);
      notes.push(`network-scale memory (MB, min/median/max per compute): idle ${s(r.compute_idle_rss_mb)} + runners ${s(r.compute_idle_runners_rss_mb)}; ` +
        `after jobs ${s(r.compute_after_rss_mb)} + runners ${s(r.compute_after_runners_rss_mb)}; ` +
        `requester idle ${r.requester_idle.own_mb}, after ${r.requester_after.own_mb}`);
    });
  } finally {
    await cleanup.run();
    await disposeNativeCpu();
    unsubscribe();
  }

  const title = `bacalhau-edge benchmark on ${runtimeName()} (${new Date().toISOString()})`;
  if (opts.json) {
    console.log(JSON.stringify({
      runtime: runtimeName(),
      ...figures,
      latency_client: "in-process waitForJob",
      remote_latency_client: `GET /api/v1/orchestrator/jobs/{id} polled every ${opts.pollMs} ms`,
      targets: targetsJSON(figures),
      details,
      errors,
    }, null, 2));
  } else {
    console.log(formatTable({ title, figures, notes, phases, errors, untargeted }));
  }
  return errors.length > 0 ? 1 : 0;
}

if (import.meta.main) {
  runBench(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`bench: ${(err as Error).message}`);
      process.exit(2);
    },
  );
}
