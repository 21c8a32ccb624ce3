/** Plain-text tables in Bacalhau's borderless style: upper-case headers, one space of padding per cell. */

export interface TableOptions {
  hideHeader?: boolean;
}

export function renderTable(headers: string[], rows: string[][], opts: TableOptions = {}): string {
  const all = opts.hideHeader ? rows : [headers.map((h) => h.toUpperCase()), ...rows];
  if (all.length === 0) return "";
  const widths = headers.map((_, c) => Math.max(...all.map((r) => cellWidth(r[c] ?? ""))));
  const out: string[] = [];
  for (const row of all) {
    // A cell may span lines; each physical line of the row is laid out on its own.
    const cells = headers.map((_, c) => (row[c] ?? "").split("\n"));
    const height = Math.max(...cells.map((l) => l.length));
    for (let ln = 0; ln < height; ln++) {
      const line = cells.map((l, c) => " " + pad(l[ln] ?? "", widths[c] as number) + " ").join("");
      out.push(line.trimEnd());
    }
  }
  return out.join("\n") + "\n";
}

function cellWidth(cell: string): number {
  return Math.max(...cell.split("\n").map((l) => [...l].length));
}

function pad(s: string, width: number): string {
  return s + " ".repeat(Math.max(0, width - [...s].length));
}
