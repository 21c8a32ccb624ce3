/**
 * The results protocol: the orchestrator opens a stream per fetch and sends one JSON frame naming
 * the execution; the compute node answers with binary frames (a kind byte, a 4-byte big-endian
 * length, the payload): data chunks, then `end`, or an `error` carrying a WireError. The explicit
 * end tells a complete result from one cut short. As with logs, the reader aborting resets the
 * stream, which aborts the compute side's signal.
 */
import type { Libp2p, PeerId, Stream } from "@libp2p/interface";
import type { ComputeHandler } from "../transport.ts";
import { readResultOf } from "../result-reader.ts";
import { chunkBytes, encodeFrame, FrameBuffer } from "../../codec/frames.ts";
import { BacalhauError } from "../../models/errors.ts";
import { fromWireError, toWireError, unavailable } from "./errors.ts";
import type { WireError } from "./errors.ts";
import { FrameWriter, readFirstRequest } from "./frames.ts";
import { RESULTS_PROTOCOL } from "./protocols.ts";

const DATA = 0;
const END = 1;
const ERROR = 2;
const HEADER = 5;
/** Bigger chunks from the handler are split, so one frame never holds much memory on either side. */
const MAX_PAYLOAD = 1024 * 1024;

type ResultRequest = { t: "result"; executionID: string };

function isResultRequest(v: unknown): v is ResultRequest {
  const r = v as { t?: unknown; executionID?: unknown } | null;
  return typeof r === "object" && r !== null && r.t === "result" && typeof r.executionID === "string";
}

function frame(kind: number, payload: Uint8Array): Uint8Array {
  return encodeFrame(HEADER, (h) => {
    h.setUint8(0, kind);
    h.setUint32(1, payload.byteLength);
  }, payload);
}

async function send(stream: Stream, bytes: Uint8Array, signal: AbortSignal): Promise<void> {
  if (stream.writableNeedsDrain) await stream.onDrain({ signal });
  stream.send(bytes);
}

/** Compute side: answers one results stream from `handler`. Resolves when the stream is finished. */
export async function serveResult(stream: Stream, handler: ComputeHandler | undefined, requestTimeoutMs = 10_000): Promise<void> {
  const controller = new AbortController();
  const signal = controller.signal;
  const onClose = () => controller.abort(new Error("the result reader went away"));
  stream.addEventListener("close", onClose);
  try {
    const first = await readFirstRequest(stream, requestTimeoutMs);
    if (!first) return;
    if (first.done || !isResultRequest(first.value)) {
      throw BacalhauError.badRequest("expected a result request naming an execution", { component: "Transport" });
    }
    if (!handler) throw unavailable("the compute node has no handler attached");
    for await (const chunk of readResultOf(handler, first.value.executionID, signal)) {
      if (signal.aborted) break;
      for (let at = 0; at < chunk.byteLength; at += MAX_PAYLOAD) {
        await send(stream, frame(DATA, chunk.subarray(at, at + MAX_PAYLOAD)), signal);
      }
    }
    if (!signal.aborted) await send(stream, frame(END, new Uint8Array(0)), signal);
  } catch (err) {
    if (!signal.aborted) {
      const json = new TextEncoder().encode(JSON.stringify(toWireError(err)));
      await send(stream, frame(ERROR, json), signal).catch(() => undefined);
    }
  } finally {
    stream.removeEventListener("close", onClose);
    if (stream.status === "open") await stream.close().catch(() => stream.abort(new Error("closed")));
  }
}

type Frame = { kind: number; payload: Uint8Array };

/** Whole binary frames from a stream's chunks, however they were split; payloads are copies. */
async function* readBinaryFrames(stream: AsyncIterable<Uint8Array | { subarray(): Uint8Array }>): AsyncGenerator<Frame> {
  const frames = new FrameBuffer(256 * 1024);
  const lengthOf = (header: DataView) => {
    const len = header.getUint32(1);
    if (len > MAX_PAYLOAD) throw new Error(`result frame of ${len} bytes is over the limit`);
    return len;
  };
  for await (const chunk of stream) {
    frames.push(chunkBytes(chunk));
    for (let f = frames.next(HEADER, lengthOf); f !== undefined; f = frames.next(HEADER, lengthOf)) {
      yield { kind: f.header.getUint8(0), payload: f.body.slice() };
    }
  }
}

/** Orchestrator side: streams the result of `executionID` from `peer`. */
export async function* requestResult(
  libp2p: Libp2p,
  peer: PeerId,
  executionID: string,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  if (signal.aborted) return;
  let stream: Stream;
  try {
    stream = await libp2p.dialProtocol(peer, RESULTS_PROTOCOL, { signal });
  } catch (err) {
    if (signal.aborted) return;
    throw unavailable(`cannot open a result stream to ${peer}: ${(err as Error).message}`, err);
  }
  const onAbort = () => stream.abort(new Error("result stream aborted by the reader"));
  signal.addEventListener("abort", onAbort, { once: true });
  let finished = false;
  try {
    await new FrameWriter(stream).write({ t: "result", executionID } satisfies ResultRequest);
    for await (const f of readBinaryFrames(stream)) {
      if (f.kind === DATA) yield f.payload;
      else if (f.kind === ERROR) throw fromWireError(JSON.parse(new TextDecoder().decode(f.payload)) as WireError);
      else if (f.kind === END) {
        finished = true;
        return;
      }
    }
    if (!signal.aborted) throw unavailable(`the result stream from ${peer} ended early`);
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  } finally {
    signal.removeEventListener("abort", onAbort);
    // Leaving early (the consumer stopped iterating) resets the stream so the compute side stops too.
    if (!finished) stream.abort(new Error("result reader stopped"));
    else if (stream.status === "open") await stream.close().catch(() => stream.abort(new Error("closed")));
  }
}
