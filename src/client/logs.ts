/**
 * The log stream: a WebSocket on GET /api/v1/orchestrator/jobs/{id}/logs whose text frames are
 * `{"value":{"Type":1|2,"Line":"..."},"error":...}`, turned into an AsyncIterable of ExecutionLog.
 */
import type { ExecutionLog } from "../models/types.ts";
import { CREDENTIAL_HINT } from "./auth.ts";
import { BacalhauError, ErrorCode } from "../models/errors.ts";
import { errorFromLogFrame, unreachableError } from "./errors.ts";

type Item = { log: ExecutionLog } | { error: Error } | { done: true };

/** The part of a WebSocket the stream uses: the global one, or the `ws` package's client. */
type Socket = Pick<WebSocket, "addEventListener" | "close" | "readyState">;

export interface LogStreamOptions {
  signal?: AbortSignal;
  /** Request headers (credentials); Node's and Deno's WebSocket take them, browsers' do not. */
  headers?: Record<string, string>;
  /** The HTTP status a plain GET of the same URL gets: how a refused upgrade is told from a dead node. */
  probe?: (httpUrl: string) => Promise<number>;
  /** Opens the socket; the default is the runtime's WebSocket. */
  open?: (url: string, headers: Record<string, string>) => Promise<Socket>;
}

const CONNECTING = 0;
const OPEN = 1;

function openGlobal(url: string, headers: Record<string, string>): Promise<Socket> {
  return Promise.resolve(
    Object.keys(headers).length > 0
      ? new (WebSocket as unknown as new (u: string, o: { headers: Record<string, string> }) => WebSocket)(url, { headers })
      : new WebSocket(url),
  );
}

/** A `ws` client socket, for TLS the global WebSocket cannot be told about (a private CA, or no checks). */
export function openWithTls(tls: { ca?: string; insecure?: boolean }) {
  return async (url: string, headers: Record<string, string>): Promise<Socket> => {
    const { WebSocket: WsClient } = await import("ws");
    return new WsClient(url, { headers, ...(tls.ca ? { ca: tls.ca } : {}), rejectUnauthorized: !tls.insecure }) as unknown as Socket;
  };
}

/** Opens the socket and yields each log chunk until the server closes the stream. */
export function streamLogs(url: string, baseUrl: string, opts: LogStreamOptions = {}): AsyncIterable<ExecutionLog> {
  const { signal, headers = {}, probe, open = openGlobal } = opts;
  return {
    [Symbol.asyncIterator](): AsyncIterator<ExecutionLog> {
      const queue: Item[] = [];
      let wake: (() => void) | undefined;
      let opened = false;
      let finished = false;
      let ws: Socket | undefined;
      const push = (item: Item): void => {
        if (finished) return;
        if (!("log" in item)) finished = true;
        queue.push(item);
        wake?.();
        wake = undefined;
      };
      const close = (): void => {
        signal?.removeEventListener("abort", onAbort);
        if (ws && (ws.readyState === CONNECTING || ws.readyState === OPEN)) ws.close(1000);
      };
      const onAbort = (): void => {
        push({ done: true });
        close();
      };
      if (signal?.aborted) onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });

      const wire = (socket: Socket): void => {
        ws = socket;
        if (finished) return close();
        socket.addEventListener("open", () => {
          opened = true;
        });
        socket.addEventListener("message", (ev: MessageEvent) => {
          const item = parseFrame(ev.data);
          if (item) push(item);
        });
        socket.addEventListener("error", (ev: Event) => {
          // After the upgrade the close event ends the stream; before it, the upgrade failed.
          if (opened) return;
          const cause = (ev as ErrorEvent).error ?? ev;
          // The runtimes do not say why an upgrade failed; asking again over plain HTTP does.
          const status = probe ? probe(url.replace(/^ws/, "http")).catch(() => 0) : Promise.resolve(0);
          void status.then((code) => push({ error: upgradeError(baseUrl, code, cause, headers) }));
        });
        socket.addEventListener("close", () => {
          signal?.removeEventListener("abort", onAbort);
          // A close before the socket opened follows the error event, which reports the failure.
          if (opened) push({ done: true });
        });
      };
      open(url, headers).then(wire, (err) => push({ error: unreachableError(baseUrl, err) }));

      return {
        async next(): Promise<IteratorResult<ExecutionLog>> {
          while (queue.length === 0) await new Promise<void>((r) => (wake = r));
          const item = queue.shift() as Item;
          if ("log" in item) return { value: item.log, done: false };
          close();
          if ("error" in item) throw item.error;
          return { value: undefined, done: true };
        },
        async return(): Promise<IteratorResult<ExecutionLog>> {
          finished = true;
          close();
          return { value: undefined, done: true };
        },
      };
    },
  };
}

function parseFrame(data: unknown): Item | undefined {
  if (typeof data !== "string") return undefined;
  let frame: { value?: { Type?: number; Line?: string }; error?: unknown };
  try {
    frame = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (frame.error !== undefined && frame.error !== null) return { error: errorFromLogFrame(frame.error) };
  const v = frame.value;
  if (!v || (v.Type !== 1 && v.Type !== 2)) return undefined;
  return { log: { Type: v.Type, Line: v.Line ?? "" } };
}

/** A refused upgrade (401/403) names what to do; anything else means the node is not there. */
function upgradeError(baseUrl: string, status: number, cause: unknown, headers: Record<string, string>): Error {
  if (status === 401) {
    return new BacalhauError("unauthorized: the log stream needs credentials", {
      status: 401,
      code: ErrorCode.Unauthorized,
      component: "APIClient",
      hint: headers.Authorization ? "the node refused the credentials given: check BACALHAU_API_KEY" : CREDENTIAL_HINT,
    });
  }
  if (status === 403) {
    return new BacalhauError("forbidden: the node refused the log stream", { status: 403, code: ErrorCode.Forbidden, component: "APIClient" });
  }
  return unreachableError(baseUrl, cause);
}
