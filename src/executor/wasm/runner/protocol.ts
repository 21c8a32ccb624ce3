/**
 * The wire between the node and a wasm runner process: length-prefixed frames over the child's
 * stdin/stdout. A frame is one kind byte, a little-endian u32 length and the payload: a JSON
 * message, or raw stdout/stderr bytes of the job (so output needs no re-encoding).
 */
import { encodeFrame as frameOf, FrameBuffer } from "../../../codec/frames.ts";
import type { AddressPolicyConfig } from "../../../netpolicy/address-policy.ts";

export const FrameKind = { Message: 1, Stdout: 2, Stderr: 3 } as const;
export type FrameKindValue = (typeof FrameKind)[keyof typeof FrameKind];

export interface RunnerMount {
  target: string;
  hostPath: string;
  readOnly: boolean;
}

/** Everything a runner needs to run one job: plain data, so it crosses the process boundary. */
export interface RunnerJob {
  mounts: RunnerMount[];
  entryModule: string;
  entrypoint: string;
  parameters: string[];
  importModules: string[];
  /** Already sorted by key. */
  env: Array<[string, string]>;
  maxPages?: number;
  /** Elements allowed in each table a module defines (set with maxPages). */
  maxTableElements?: number;
  /** Total stdout+stderr bytes allowed before the job is stopped. */
  outputLimit: number;
  /** Bytes the job may store in its writable mounts (outputs); undefined = unbounded. */
  resultLimit?: number;
  /** Task network type as submitted ("Default" when unset); decides which host modules the job may import. */
  network: string;
  /** Task Network.Domains: the hosts an HTTP-networked job may reach. */
  domains: string[];
  /** The node rejects networked jobs, so a Default network means None. */
  rejectNetworkedJobs: boolean;
  /** Where the job's HTTP requests may go, as the node saw it when the job started. */
  addresses?: AddressPolicyConfig;
  /** Fixed name → addresses answers tried before DNS. */
  hosts?: Record<string, string[]>;
  /** Per HTTP host-function request; undefined = Bacalhau's 30 s. */
  httpTimeoutMs?: number;
}

export interface RunnerResult {
  exitCode: number;
  errorMsg?: string;
  /** The job trapped or was stopped mid-way: its runner must not serve another job. */
  spent?: boolean;
}

export type ToRunner = { type: "run"; job: RunnerJob };
export type FromRunner = { type: "ready" } | { type: "result"; result: RunnerResult };

const HEADER = 5;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeFrame(kind: FrameKindValue, payload: Uint8Array): Uint8Array {
  return frameOf(HEADER, (h) => {
    h.setUint8(0, kind);
    h.setUint32(1, payload.length, true);
  }, payload);
}

export function encodeMessage(message: ToRunner | FromRunner): Uint8Array {
  return encodeFrame(FrameKind.Message, encoder.encode(JSON.stringify(message)));
}

export interface Frame {
  kind: FrameKindValue;
  payload: Uint8Array;
}

/** Accumulates stream chunks and hands back whole frames. */
export class FrameDecoder {
  readonly #frames = new FrameBuffer();

  push(chunk: Uint8Array): Frame[] {
    this.#frames.push(chunk);
    const frames: Frame[] = [];
    for (let f = this.#frames.next(HEADER, lengthOf); f !== undefined; f = this.#frames.next(HEADER, lengthOf)) {
      frames.push({ kind: f.header.getUint8(0) as FrameKindValue, payload: f.body.slice() });
    }
    return frames;
  }
}

function lengthOf(header: DataView): number {
  return header.getUint32(1, true);
}

export function decodeMessage<T>(payload: Uint8Array): T {
  return JSON.parse(decoder.decode(payload)) as T;
}
