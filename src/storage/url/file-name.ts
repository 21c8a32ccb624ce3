/**
 * Choosing the name a downloaded file gets on disk, following Bacalhau: the basename of the final
 * URL path; after a redirect a Content-Disposition filename wins; with neither, a UUID.
 */
import { posix } from "node:path";

/** A name that is one plain path segment, safe to join to a folder. */
function usable(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const trimmed = name.trim();
  if (trimmed === "" || trimmed === "." || trimmed === "..") return undefined;
  if (/[/\\\0]/.test(trimmed)) return undefined;
  return trimmed;
}

/** The filename of a Content-Disposition header (`filename*=` preferred over `filename=`). */
export function contentDispositionFileName(header: string | null): string | undefined {
  if (!header) return undefined;
  const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[2]!.trim().replace(/^"|"$/g, ""));
    } catch { /* fall through to the plain form */ }
  }
  const quoted = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header);
  if (quoted) return quoted[1]!.replace(/\\(.)/g, "$1");
  const bare = /filename\s*=\s*([^;\s]+)/i.exec(header);
  return bare?.[1];
}

function urlBaseName(url: string): string | undefined {
  try {
    const raw = posix.basename(new URL(url).pathname);
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

export function downloadFileName(finalURL: string, redirected: boolean, contentDisposition: string | null): string {
  if (redirected) {
    const fromHeader = usable(contentDispositionFileName(contentDisposition));
    if (fromHeader) return fromHeader;
  }
  return usable(urlBaseName(finalURL)) ?? crypto.randomUUID();
}
