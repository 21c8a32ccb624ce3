/** --help text for commands and command groups. */
import type { Command, CommandGroup } from "./command.ts";
import type { FlagSpec } from "./flags.ts";

export function commandHelp(argv0: string, cmd: Command, globals: FlagSpec[]): string {
  const lines = [cmd.description ?? cmd.summary, "", "Usage:", `  ${argv0} ${cmd.usage}`, ""];
  const own = cmd.flags.filter((f) => !f.hidden);
  if (own.length) lines.push("Flags:", ...flagLines([...own, helpFlag]), "");
  else lines.push("Flags:", ...flagLines([helpFlag]), "");
  const g = globals.filter((f) => !f.hidden);
  if (g.length) lines.push("Global Flags:", ...flagLines(g), "");
  return lines.join("\n");
}

export function groupHelp(argv0: string, path: string[], group: CommandGroup, globals: FlagSpec[]): string {
  const prefix = [argv0, ...path].join(" ");
  const width = Math.max(...group.children.map((c) => c.name.length)) + 2;
  const lines = [group.summary, "", "Usage:", `  ${prefix} [command]`, "", "Available Commands:"];
  for (const c of group.children) lines.push(`  ${c.name.padEnd(width)}${c.summary}`);
  lines.push("", "Global Flags:", ...flagLines(globals.filter((f) => !f.hidden)), "");
  lines.push(`Use "${prefix} [command] --help" for more information about a command.`, "");
  return lines.join("\n");
}

const helpFlag: FlagSpec = { name: "help", short: "h", type: "bool", help: "help for this command" };

function flagLines(flags: FlagSpec[]): string[] {
  const left = flags.map((f) => {
    const names = (f.short ? `-${f.short}, ` : "    ") + `--${f.name}`;
    const arg = f.type === "bool" ? "" : f.type === "int" ? " int" : f.type === "strings" ? " strings" : " string";
    return `  ${names}${arg}`;
  });
  const width = Math.max(...left.map((l) => l.length)) + 3;
  return flags.map((f, i) => {
    const d = f.default;
    const showDefault =
      d !== undefined && d !== "" && d !== false && !(Array.isArray(d) && d.length === 0)
        ? ` (default ${Array.isArray(d) ? `[${d.join(",")}]` : typeof d === "string" ? `"${d}"` : String(d)})`
        : "";
    return (left[i] as string).padEnd(width) + f.help + showDefault;
  });
}
