/**
 * GET /api/v1/orchestrator/jobs/{id}/logs as a WebSocket. As in Bacalhau, the socket is upgraded
 * before the job is looked up, so lookup failures arrive as an error frame followed by a normal
 * close (1000), not as an HTTP status. A plain GET (no upgrade) gets a 400.
 */
import type { Hono } from "hono";
import type { WSContext } from "hono/ws";
import { BacalhauError } from "../../models/errors.ts";
import type { LogStreamRequest } from "../../orchestrator/api.ts";
import { upgradeWebSocket } from "../../runtime/http.ts";
import type { ApiDeps, ApiEnv } from "../deps.ts";
import { API_COMPONENT } from "../errors.ts";
import { findJob, requireOrchestrator } from "../lookup.ts";

const NORMAL_CLOSURE = 1000;

/** The `error` member of a failure frame: bacerrors' JSON shape. */
function errorFrame(err: unknown): string {
  const e = BacalhauError.from(err, API_COMPONENT);
  return JSON.stringify({
    value: { Type: 0, Line: "" },
    error: {
      Cause: e.message,
      Hint: e.hint ?? "",
      Retryable: e.retryable,
      FailsExecution: e.failsExecution,
      Component: e.component,
      HTTPStatusCode: e.status,
      Details: e.details ?? {},
      Code: e.code,
    },
  });
}

function parseLogRequest(url: URL, idOrName: string): Omit<LogStreamRequest, "jobID"> & { idOrName: string } {
  const q = url.searchParams;
  const int = (name: string): number | undefined => {
    const v = q.get(name);
    if (v === null || v === "") return undefined;
    if (!/^\d+$/.test(v)) throw BacalhauError.badRequest(`invalid ${name} '${v}'`, { component: API_COMPONENT, details: { field: name } });
    return Number(v);
  };
  const follow = (q.get("follow") ?? "").toLowerCase();
  const tail = int("tail");
  const jobVersion = int("job_version");
  const executionID = q.get("execution_id") || undefined;
  const namespace = q.get("namespace") || undefined;
  return {
    idOrName,
    follow: follow === "true" || follow === "1" || follow === "t",
    ...(tail !== undefined ? { tail } : {}),
    ...(jobVersion ? { jobVersion } : {}),
    ...(executionID ? { executionID } : {}),
    ...(namespace ? { namespace } : {}),
  };
}

async function pump(deps: ApiDeps, url: URL, idOrName: string, ws: WSContext<unknown>, signal: AbortSignal) {
  try {
    const orchestrator = requireOrchestrator(deps.orchestrator);
    const { idOrName: _, ...req } = parseLogRequest(url, idOrName);
    const job = findJob(deps.store, idOrName, req.namespace);
    for await (const log of orchestrator.streamLogs({ ...req, jobID: job.ID }, signal)) {
      if (signal.aborted) return;
      ws.send(JSON.stringify({ value: { Type: log.Type, Line: log.Line } }));
    }
  } catch (err) {
    if (signal.aborted) return;
    ws.send(errorFrame(err));
  }
  ws.close(NORMAL_CLOSURE);
}

export function registerJobLogRoutes(app: Hono<ApiEnv>, deps: ApiDeps): void {
  const path = "/api/v1/orchestrator/jobs/:id/logs";
  app.get(
    path,
    upgradeWebSocket((c) => {
      const controller = new AbortController();
      const url = new URL(c.req.url);
      const id = c.req.param("id") ?? "";
      return {
        onOpen: (_evt, ws) => void pump(deps, url, id, ws, controller.signal),
        onClose: () => controller.abort(),
        onError: () => controller.abort(),
      };
    }),
  );
  app.get(path, () => {
    throw BacalhauError.badRequest("this endpoint streams logs over a WebSocket", {
      component: API_COMPONENT,
      hint: "connect with a WebSocket client (Upgrade: websocket)",
    });
  });
}
