/** The shared --output flags and the printers for lists (table/csv/json/yaml) and single objects. */
import { stringify } from "yaml";
import { BacalhauError } from "../../models/errors.ts";
import type { CliIO } from "../command.ts";
import type { FlagSpec, ParsedFlags } from "../flags.ts";
import { renderCsv } from "./csv.ts";
import { renderTable } from "./table.ts";

export interface Column<T> {
  header: string;
  value: (item: T, wide: boolean) => string;
  /** Only shown with --wide. */
  wideOnly?: boolean;
}

export const LIST_OUTPUT_FLAGS: FlagSpec[] = [
  { name: "output", type: "string", default: "table", help: "The output format for the command (one of [table csv json yaml])" },
  { name: "pretty", type: "bool", default: true, help: "Pretty print the output. Only applies to json and yaml output formats." },
  { name: "hide-header", type: "bool", help: "do not print the column headers." },
  { name: "no-style", type: "bool", help: "remove all styling from table output." },
  { name: "wide", type: "bool", help: "Print full values in the table results" },
];

/** For commands whose default is a document (agent node, node describe). */
export function objectOutputFlags(defaultFormat: string): FlagSpec[] {
  return [
    { name: "output", type: "string", default: defaultFormat, help: "The output format for the command (one of [json yaml])" },
    { name: "pretty", type: "bool", default: true, help: "Pretty print the output. Only applies to json and yaml output formats." },
  ];
}

export function outputFormat(flags: ParsedFlags, allowed: string[]): string {
  const f = flags.string("output").toLowerCase();
  if (!allowed.includes(f)) {
    throw BacalhauError.badRequest(`invalid output format: ${f}`, {
      component: "CLI",
      hint: `use one of: ${allowed.join(", ")}`,
    });
  }
  return f;
}

/** JSON or YAML text of a value, with a trailing newline. */
export function renderObject(value: unknown, format: string, pretty = true): string {
  if (format === "yaml") return stringify(value, { aliasDuplicateObjects: false });
  return JSON.stringify(value, null, pretty ? 2 : undefined) + "\n";
}

export function printList<T>(io: CliIO, flags: ParsedFlags, columns: Column<T>[], items: T[]): void {
  const format = outputFormat(flags, ["table", "csv", "json", "yaml"]);
  if (format === "json" || format === "yaml") {
    io.out(renderObject(items, format, flags.bool("pretty")));
    return;
  }
  const wide = flags.bool("wide");
  const cols = columns.filter((c) => wide || !c.wideOnly);
  const headers = cols.map((c) => c.header);
  const rows = items.map((item) => cols.map((c) => c.value(item, wide)));
  const hideHeader = flags.bool("hide-header");
  io.out(format === "csv" ? renderCsv(headers, rows, { hideHeader }) : renderTable(headers, rows, { hideHeader }));
}

/** Cuts a long cell unless --wide asked for full values. */
export function elide(s: string, max: number, wide: boolean): string {
  if (wide || [...s].length <= max) return s;
  return [...s].slice(0, max - 3).join("") + "...";
}
