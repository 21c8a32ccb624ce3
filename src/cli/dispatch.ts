/** Finds the command named by the arguments and runs it, or prints help for a group or command. */
import { BacalhauError } from "../models/errors.ts";
import type { CliIO, Command, CommandGroup, Node } from "./command.ts";
import { isGroup, isRaw } from "./command.ts";
import { commandTree } from "./commands/index.ts";
import { parseFlags } from "./flags.ts";
import { clientFromFlags, GLOBAL_FLAGS, GLOBAL_VALUE_FLAGS } from "./global-flags.ts";
import { commandHelp, groupHelp } from "./help.ts";
import { PROGRAM } from "./program.ts";

export async function dispatch(args: string[], io: CliIO): Promise<number> {
  const { node, path, rest } = findCommand(commandTree(), args);
  if (isRaw(node)) return node.raw(rest);
  const wantsHelp = helpRequested(rest);
  if (isGroup(node)) {
    const extra = rest.find((a) => !a.startsWith("-"));
    if (extra !== undefined && !wantsHelp) {
      throw BacalhauError.badRequest(`unknown command "${extra}" for "${[PROGRAM, ...path].join(" ")}"`, {
        component: "CLI",
        hint: `run '${[PROGRAM, ...path].join(" ")} --help' for usage`,
      });
    }
    io.out(groupHelp(PROGRAM, path, node, GLOBAL_FLAGS));
    return 0;
  }
  if (wantsHelp) {
    io.out(commandHelp(PROGRAM, node, GLOBAL_FLAGS));
    return 0;
  }
  return runCommand(node, rest, io);
}

async function runCommand(cmd: Command, args: string[], io: CliIO): Promise<number> {
  const flags = parseFlags(args, [...cmd.flags, ...GLOBAL_FLAGS.filter((g) => !cmd.flags.some((f) => f.name === g.name))], {
    interspersed: cmd.interspersed,
  });
  let client: ReturnType<typeof clientFromFlags> | undefined;
  return cmd.run({
    io,
    flags,
    argv0: PROGRAM,
    client: () => (client ??= clientFromFlags(flags, io.env, io.cwd)),
  });
}

/** Walks group names, skipping global flags (and their values) written before the command. */
function findCommand(root: CommandGroup, args: string[]): { node: Node; path: string[]; rest: string[] } {
  let node: Node = root;
  const path: string[] = [];
  const rest: string[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i] as string;
    if (!isGroup(node) || a === "--") break;
    if (a.startsWith("-")) {
      rest.push(a);
      if (GLOBAL_VALUE_FLAGS.has(a) && i + 1 < args.length) rest.push(args[++i] as string);
      continue;
    }
    const child: Node | undefined = node.children.find((c) => c.name === a);
    if (!child) break;
    node = child;
    path.push(a);
  }
  return { node, path, rest: [...rest, ...args.slice(i)] };
}

function helpRequested(args: string[]): boolean {
  for (const a of args) {
    if (a === "--") return false;
    if (a === "--help" || a === "-h" || a === "--help=true") return true;
  }
  return false;
}

