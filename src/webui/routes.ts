/**
 * The dashboard: static ES modules from ./public, served by the requester's own API app. No
 * bundler and no build step: what is in the folder is what the browser gets. `/` answers a browser
 * (Accept: text/html) with the page and leaves every other client to Bacalhau's `/` redirect.
 * The files are public (the page signs in against the API itself), read once and kept in memory.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Context, Env, Hono } from "hono";

export const UI_PREFIX = "/ui";
/**
 * The page's files: `./public/` beside this module in the sources, and beside the bundle's files in
 * the npm package (the build copies them there). The single executable carries none: it has no
 * file URL of its own, and its `/` is Bacalhau's redirect alone.
 */
const PUBLIC_DIR = typeof import.meta.url === "string" && import.meta.url.startsWith("file:")
  ? fileURLToPath(new URL("./public/", import.meta.url))
  : undefined;

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/**
 * The `yaml` package's browser build, loaded by the page only when it must parse YAML: copied into
 * the public folder by the package build, else from the installed `yaml` package.
 */
function yamlBrowserDir(): string | undefined {
  const built = PUBLIC_DIR && join(PUBLIC_DIR, "vendor", "yaml");
  if (built && existsSync(built)) return built;
  try {
    const entry = createRequire(import.meta.url).resolve("yaml");
    // …/yaml/dist/index.js → …/yaml/browser/dist/
    return join(dirname(dirname(entry)), "browser", "dist");
  } catch {
    return undefined;
  }
}

/** The file under `root` that `rel` names, or undefined when it would leave `root`. */
function inside(root: string, rel: string): string | undefined {
  const path = normalize(join(root, rel));
  return path.startsWith(root.endsWith(sep) ? root : root + sep) ? path : undefined;
}

export function registerWebUiRoutes<E extends Env>(app: Hono<E>): void {
  if (!PUBLIC_DIR) return;
  const publicDir = PUBLIC_DIR;
  const cache = new Map<string, Promise<Uint8Array | undefined>>();
  const load = (path: string) => {
    let bytes = cache.get(path);
    if (!bytes) {
      bytes = readFile(path).then((b) => new Uint8Array(b), () => undefined);
      cache.set(path, bytes);
    }
    return bytes;
  };
  const send = async (c: Context<E>, path: string | undefined, next: () => Promise<void>) => {
    const type = path ? TYPES[extname(path)] : undefined;
    const bytes = path && type ? await load(path) : undefined;
    if (!bytes) return next();
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, { "Content-Type": type!, "Cache-Control": "no-cache" });
  };
  const yamlDir = yamlBrowserDir();

  app.get("/", async (c, next) => {
    if (!(c.req.header("Accept") ?? "").includes("text/html")) return next();
    return send(c, join(publicDir, "index.html"), next);
  });
  app.get(`${UI_PREFIX}/vendor/yaml/*`, (c, next) =>
    send(c, yamlDir ? inside(yamlDir, c.req.path.slice(`${UI_PREFIX}/vendor/yaml/`.length)) : undefined, next));
  app.get(`${UI_PREFIX}/*`, (c, next) => send(c, inside(publicDir, c.req.path.slice(UI_PREFIX.length + 1)), next));
}
