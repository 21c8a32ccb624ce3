/**
 * The wasi-testsuite test specification: each `<name>.wasm` may have a `<name>.json` beside it
 * giving args, env, preopened dirs (or one `root` dir), the expected exit code and, optionally,
 * the exact stdout/stderr. Missing fields take the suite's defaults (no args, exit code 0).
 */
import { existsSync, readFileSync } from "node:fs";

export interface WasiTestSpec {
  args: string[];
  env: Record<string, string>;
  /** Folders beside the test, each preopened under its own name. */
  dirs: string[];
  /** A folder beside the test to expose as the guest's `/` (newer suites use this instead of dirs). */
  root?: string;
  exitCode: number;
  stdout?: string;
  stderr?: string;
}

export interface WasiTestOutput {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Set when the run did not finish by itself (e.g. killed on timeout). */
  error?: string;
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) throw new Error(`${field} must be a list of strings`);
  return value;
}

/** Reads `<name>.json` for the test module at `wasmPath`, or the defaults when there is none. */
export function readSpec(wasmPath: string): WasiTestSpec {
  const file = wasmPath.replace(/\.wasm$/, ".json");
  if (!existsSync(file)) return { args: [], env: {}, dirs: [], exitCode: 0 };
  const raw: unknown = JSON.parse(readFileSync(file, "utf8"));
  if (typeof raw !== "object" || raw === null) throw new Error(`${file}: not a JSON object`);
  const o = raw as Record<string, unknown>;
  const env: Record<string, string> = {};
  if (o.env !== undefined) {
    if (typeof o.env !== "object" || o.env === null) throw new Error(`${file}: env must be an object`);
    for (const [k, v] of Object.entries(o.env)) env[k] = String(v);
  }
  const optionalString = (v: unknown) => (typeof v === "string" ? v : undefined);
  return {
    args: stringList(o.args, `${file}: args`),
    env,
    dirs: stringList(o.dirs, `${file}: dirs`),
    root: optionalString(o.root),
    exitCode: typeof o.exit_code === "number" ? o.exit_code : 0,
    stdout: optionalString(o.stdout),
    stderr: optionalString(o.stderr),
  };
}

/** Every way the output differs from what the spec expects; empty means the test passed. */
export function checkOutput(spec: WasiTestSpec, out: WasiTestOutput): string[] {
  const failures: string[] = [];
  if (out.error) failures.push(out.error);
  if (out.exitCode !== spec.exitCode) failures.push(`exit code ${out.exitCode}, want ${spec.exitCode}`);
  if (spec.stdout !== undefined && out.stdout !== spec.stdout) {
    failures.push(`stdout ${JSON.stringify(out.stdout.slice(0, 200))}, want ${JSON.stringify(spec.stdout.slice(0, 200))}`);
  }
  if (spec.stderr !== undefined && out.stderr !== spec.stderr) {
    failures.push(`stderr ${JSON.stringify(out.stderr.slice(0, 200))}, want ${JSON.stringify(spec.stderr.slice(0, 200))}`);
  }
  return failures;
}
