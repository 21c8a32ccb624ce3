/**
 * The HTTP face of the local publisher: serves `<executionID>.tar.gz` files from one folder and
 * nothing else (no listing, no other names, no way out of the folder).
 */
import { open, stat } from "node:fs/promises";
import { join } from "node:path";
import { Hono } from "hono";

/** The only names ever served; excludes `/`, leading dots and anything that is not a result. */
export const RESULT_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.tar\.gz$/;

const CHUNK = 64 * 1024;

/** A file as a web stream, read chunk by chunk and closed when done or cancelled. */
function fileStream(path: string): ReadableStream<Uint8Array> {
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  return new ReadableStream<Uint8Array>({
    async start() {
      fh = await open(path, "r");
    },
    async pull(controller) {
      const buf = new Uint8Array(CHUNK);
      const { bytesRead } = await fh!.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) {
        await fh!.close();
        controller.close();
      } else {
        controller.enqueue(buf.subarray(0, bytesRead));
      }
    },
    async cancel() {
      await fh?.close();
    },
  });
}

export function createResultsApp(directory: string): Hono {
  const app = new Hono();
  // Hono answers HEAD with the GET route, so one handler serves both.
  app.get("/:name", async (c) => {
    const name = c.req.param("name");
    if (!RESULT_FILE_NAME.test(name)) return c.text("not found", 404);
    const path = join(directory, name);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) return c.text("not found", 404);
    const headers = {
      "Content-Type": "application/gzip",
      "Content-Length": String(info.size),
      "Content-Disposition": `attachment; filename="${name}"`,
    };
    // For HEAD, opening the file would only leak a handle: the body is dropped anyway.
    if (c.req.method === "HEAD") return new Response(null, { status: 200, headers });
    return new Response(fileStream(path), { status: 200, headers });
  });
  app.all("*", (c) => c.text("not found", 404));
  return app;
}
