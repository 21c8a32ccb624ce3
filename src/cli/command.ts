/** What a CLI command is: its name, flags and a run function; and the context it runs in. */
import type { BacalhauClient } from "../client/client.ts";
import type { FlagSpec, ParsedFlags } from "./flags.ts";

/** Where a command reads and writes; tests pass their own, the entry point passes the process's. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  readStdin(): Promise<string>;
  env: Record<string, string | undefined>;
  cwd: string;
}

export interface CommandContext {
  io: CliIO;
  flags: ParsedFlags;
  /** The program name users type, for printed hints (`bacalhau`). */
  argv0: string;
  /** A client for --api-host/--api-port, BACALHAU_API_HOST/PORT. */
  client(): BacalhauClient;
}

export interface Command {
  name: string;
  /** `job list [flags]` style usage after the program name. */
  usage: string;
  summary: string;
  /** Longer text for --help. */
  description?: string;
  flags: FlagSpec[];
  /** false: flags end at the first positional argument (`docker run IMAGE CMD -c …`). */
  interspersed?: boolean;
  run(ctx: CommandContext): Promise<number>;
}

/** Commands that own their argument parsing (serve, devstack, wasm exec). */
export interface RawCommand {
  name: string;
  summary: string;
  raw: (args: string[]) => Promise<number>;
}

export interface CommandGroup {
  name: string;
  summary: string;
  children: Node[];
}

export type Node = Command | RawCommand | CommandGroup;

export const isGroup = (n: Node): n is CommandGroup => "children" in n;
export const isRaw = (n: Node): n is RawCommand => "raw" in n;
