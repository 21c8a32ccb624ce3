/**
 * The header text formats of the host function: requests carry `Key: Value` lines, responses are
 * written back as `Key: Value` lines joined by `\n`, with names in Go's canonical form
 * (`content-type` → `Content-Type`) because guests written for Bacalhau look them up that way.
 */

/** Parses `Key: Value` lines; blank lines and lines without a colon are skipped. */
export function parseHeaderLines(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const colon = line.indexOf(":");
    if (line === "" || colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === "") continue;
    out.push([name, line.slice(colon + 1).trim()]);
  }
  return out;
}

export function canonicalHeaderName(name: string): string {
  if (!/^[A-Za-z0-9-]+$/.test(name)) return name; // Go leaves names with other bytes alone
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

/** `rawHeaders` is Node's flat [name, value, name, value, …] list, in the order received. */
export function formatResponseHeaders(rawHeaders: readonly string[]): string {
  const lines: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    lines.push(`${canonicalHeaderName(rawHeaders[i])}: ${rawHeaders[i + 1]}`);
  }
  return lines.join("\n");
}
