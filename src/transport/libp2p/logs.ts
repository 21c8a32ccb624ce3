/**
 * The logs protocol: the orchestrator opens a stream per LogsRequest and sends it; the compute node
 * answers with one frame per log line and an `end` frame, then closes. Either side going away ends
 * it: the reader aborting resets the stream, which aborts the compute side's signal.
 */
import type { Libp2p, PeerId, Stream } from "@libp2p/interface";
import type { ExecutionLog, LogsRequest } from "../messages.ts";
import type { ComputeHandler } from "../transport.ts";
import { BacalhauError } from "../../models/errors.ts";
import { fromWireError, toWireError, unavailable } from "./errors.ts";
import type { WireError } from "./errors.ts";
import { FrameWriter, readFirstRequest, readFrames } from "./frames.ts";
import { LOGS_PROTOCOL } from "./protocols.ts";

type LogsFrame =
  | { t: "logs"; req: LogsRequest }
  | { t: "log"; log: ExecutionLog }
  | { t: "end" }
  | { t: "error"; error: WireError };

/** One log line per frame; the executor splits output into lines far shorter than this. */
const MAX_LOG_FRAME_BYTES = 4 * 1024 * 1024;

function isLogsFrame(v: unknown): v is LogsFrame {
  return typeof v === "object" && v !== null && typeof (v as { t?: unknown }).t === "string";
}

function isLogsRequest(v: unknown): v is LogsRequest {
  const r = v as Partial<LogsRequest> | null;
  return typeof r === "object" && r !== null && typeof r.executionID === "string" && typeof r.follow === "boolean" &&
    (r.tail === undefined || (typeof r.tail === "number" && Number.isSafeInteger(r.tail)));
}

/** Compute side: answers one logs stream from `handler`. Resolves when the stream is finished. */
export async function serveLogs(stream: Stream, handler: ComputeHandler | undefined, requestTimeoutMs = 10_000): Promise<void> {
  const controller = new AbortController();
  const onClose = () => controller.abort(new Error("the log reader went away"));
  stream.addEventListener("close", onClose);
  const writer = new FrameWriter(stream);
  try {
    const first = await readFirstRequest(stream, requestTimeoutMs);
    if (!first) return;
    if (first.done || !isLogsFrame(first.value) || first.value.t !== "logs" || !isLogsRequest(first.value.req)) {
      throw BacalhauError.badRequest("expected a logs request naming an execution", { component: "Transport" });
    }
    if (!handler) throw unavailable("the compute node has no handler attached");
    for await (const log of handler.streamLogs(first.value.req, controller.signal)) {
      if (controller.signal.aborted) break;
      await writer.write({ t: "log", log: { Type: log.Type, Line: log.Line } } satisfies LogsFrame);
    }
    if (!controller.signal.aborted) await writer.write({ t: "end" } satisfies LogsFrame);
  } catch (err) {
    if (!controller.signal.aborted) await writer.write({ t: "error", error: toWireError(err) } satisfies LogsFrame).catch(() => undefined);
  } finally {
    stream.removeEventListener("close", onClose);
    if (stream.status === "open") await stream.close().catch(() => stream.abort(new Error("closed")));
  }
}

/** Orchestrator side: streams the logs of `req` from `peer`, ending when the compute node ends them. */
export async function* requestLogs(
  libp2p: Libp2p,
  peer: PeerId,
  req: LogsRequest,
  signal: AbortSignal,
): AsyncGenerator<ExecutionLog> {
  if (signal.aborted) return;
  let stream: Stream;
  try {
    stream = await libp2p.dialProtocol(peer, LOGS_PROTOCOL, { signal });
  } catch (err) {
    if (signal.aborted) return;
    throw unavailable(`cannot open a log stream to ${peer}: ${(err as Error).message}`, err);
  }
  const onAbort = () => stream.abort(new Error("log stream aborted by the reader"));
  signal.addEventListener("abort", onAbort, { once: true });
  let finished = false;
  try {
    await new FrameWriter(stream).write({ t: "logs", req } satisfies LogsFrame);
    for await (const frame of readFrames(stream, { maxBytes: MAX_LOG_FRAME_BYTES })) {
      if (!isLogsFrame(frame)) continue;
      if (frame.t === "log") {
        const log = frame.log as Partial<ExecutionLog> | null;
        if (typeof log?.Line === "string" && (log.Type === 1 || log.Type === 2)) yield { Type: log.Type, Line: log.Line };
      }
      else if (frame.t === "error") throw fromWireError(frame.error);
      else if (frame.t === "end") {
        finished = true;
        return;
      }
    }
    if (!signal.aborted) throw unavailable(`the log stream from ${peer} ended early`);
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  } finally {
    signal.removeEventListener("abort", onAbort);
    // Leaving early (the consumer stopped iterating) resets the stream so the compute side stops too.
    if (!finished) stream.abort(new Error("log reader stopped"));
    else if (stream.status === "open") await stream.close().catch(() => stream.abort(new Error("closed")));
  }
}
