/** A CliIO that keeps what commands print, for in-process CLI tests. */
import type { CliIO } from "../../src/cli/command.ts";

export function captureIO(opts: { cwd?: string; stdin?: string; env?: Record<string, string> } = {}): {
  io: CliIO;
  stdout(): string;
  stderr(): string;
} {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      out: (s) => void out.push(s),
      err: (s) => void err.push(s),
      readStdin: async () => opts.stdin ?? "",
      env: opts.env ?? {},
      cwd: opts.cwd ?? process.cwd(),
    },
    stdout: () => out.join(""),
    stderr: () => err.join(""),
  };
}
