/**
 * Real HTTP servers of several kinds for download tests, each stopped by the test that starts it:
 * Python's `http.server` (HTTP/1.0, bodies end when the connection closes), a Deno `Deno.serve`
 * process, and raw TCP servers that answer exactly the bytes a test scripts (wrong lengths,
 * resets, bodies that never end).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { ROOT } from "./spawn.ts";

type Cleanup = { after(fn: () => unknown): void };

export const DENO_BIN = fileURLToPath(new URL("node_modules/.bin/deno", `file://${ROOT}`));
const DENO_SERVER = fileURLToPath(new URL("./deno-server.ts", import.meta.url));

/** A port nothing listens on right now (the OS picks it; the child binds it next). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** Resolves with the first match of `pattern` in the child's output; rejects if it exits first. */
function waitForLine(child: ChildProcess, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  let out = "";
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d;
      const m = pattern.exec(out);
      if (m) resolve(m);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${what} exited (${code}) before it was ready:\n${out}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  return exited;
}

/** `python3 -m http.server` serving `dir` on 127.0.0.1; resolves with its base URL. */
export async function startPythonServer(t: Cleanup, dir: string): Promise<string> {
  const port = await freePort();
  // -u: unbuffered, so the "Serving HTTP" line arrives while the server runs.
  const child = spawn("python3", ["-u", "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", dir], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  t.after(() => stopChild(child));
  await waitForLine(child, /Serving HTTP on/, "python3 -m http.server");
  return `http://127.0.0.1:${port}`;
}

/** The Deno server of deno-server.ts as a child process (works whichever runtime runs the test). */
export async function startDenoServer(t: Cleanup): Promise<string> {
  const child = spawn(DENO_BIN, ["run", "--allow-net=127.0.0.1", DENO_SERVER], { stdio: ["ignore", "pipe", "pipe"] });
  t.after(() => stopChild(child));
  const m = await waitForLine(child, /listening on (\d+)/, "deno server");
  return `http://127.0.0.1:${m[1]}`;
}

export interface RawServer {
  url: string;
  /** Requests seen per path. */
  hits: Map<string, number>;
}

/**
 * A TCP server that hands each request's path and socket to `answer`, which writes whatever bytes
 * it likes. Open sockets are destroyed when the test ends.
 */
export async function startRawServer(t: Cleanup, answer: (path: string, socket: Socket) => void): Promise<RawServer> {
  const hits = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {}); // the client may reset; that is its right
    let head = "";
    const onData = (d: Buffer) => {
      head += d.toString("latin1");
      if (!head.includes("\r\n\r\n")) return;
      socket.off("data", onData);
      const path = head.split(" ")[1] ?? "/";
      hits.set(path, (hits.get(path) ?? 0) + 1);
      answer(path, socket);
    };
    socket.on("data", onData);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, hits };
}

/** Ends a connection with a TCP reset where the runtime can send one, else by destroying it. */
export function resetSocket(socket: Socket): void {
  const s = socket as Socket & { resetAndDestroy?: () => void };
  if (typeof s.resetAndDestroy === "function") s.resetAndDestroy();
  else socket.destroy();
}
