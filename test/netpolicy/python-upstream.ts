/** Real HTTP/1.0 upstreams in Python: `python3 -m http.server` and the odd-endings fixture. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Cleanup } from "../executor/helpers.ts";
import { UPSTREAM_HOST } from "./helpers.ts";

const FIXTURE = fileURLToPath(new URL("./fixtures/http10_upstream.py", import.meta.url));

/** The byte pattern the fixture's bodies repeat. */
export const PATTERN = "0123456789abcdefghijklmnopqrstuv\n";

export function patternBody(n: number): string {
  return PATTERN.repeat(Math.ceil(n / PATTERN.length)).slice(0, n);
}

/** Starts python3 with `args`, resolves with the port `portOf` finds in its output; killed after the test. */
function startPython(t: Cleanup, args: string[], portOf: (out: string) => number | undefined): Promise<number> {
  const child = spawn("python3", ["-u", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
    return exited;
  });
  let out = "";
  return new Promise((resolve, reject) => {
    const look = (d: Buffer) => {
      out += d;
      const port = portOf(out);
      if (port !== undefined) resolve(port);
    };
    child.stdout.on("data", look);
    child.stderr.on("data", look);
    child.once("error", reject);
    void exited.then(() => reject(new Error(`python3 ${args.join(" ")} exited before listening:\n${out}`)));
  });
}

/** `python3 -m http.server` serving `dir` on the test upstream address. */
export function startPythonHttpServer(t: Cleanup, dir: string): Promise<number> {
  return startPython(t, ["-m", "http.server", "0", "--bind", UPSTREAM_HOST, "--directory", dir],
    (out) => {
      const m = /port (\d+)/.exec(out);
      return m ? Number(m[1]) : undefined;
    });
}

/** The fixture upstream (close-delimited, cut and reset bodies) on the test upstream address. */
export function startOddEndings(t: Cleanup): Promise<number> {
  return startPython(t, [FIXTURE, UPSTREAM_HOST], (out) => {
    const m = /^(\d+)\n/.exec(out);
    return m ? Number(m[1]) : undefined;
  });
}
