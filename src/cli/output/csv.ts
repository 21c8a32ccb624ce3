/** RFC 4180 CSV: fields with commas, quotes or line breaks are quoted. */

export function renderCsv(headers: string[], rows: string[][], opts: { hideHeader?: boolean } = {}): string {
  const all = opts.hideHeader ? rows : [headers, ...rows];
  return all.map((r) => r.map(csvField).join(",")).join("\n") + (all.length ? "\n" : "");
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
