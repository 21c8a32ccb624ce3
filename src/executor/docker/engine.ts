/**
 * The slice of the Docker Engine API this executor uses, typed here, and the one place dockerode
 * is loaded. Loading it untyped (instead of through @types/dockerode) keeps one copy of the Node
 * type definitions in a program, which Deno's type checker needs.
 */
import { createRequire } from "node:module";
import type { Readable } from "node:stream";

export interface MountSpec {
  Type: "bind";
  Source: string;
  Target: string;
  ReadOnly: boolean;
}

export interface HostConfigSpec {
  NetworkMode?: string;
  ExtraHosts?: string[];
  PortBindings?: Record<string, Array<{ HostIp: string; HostPort: string }>>;
  Mounts?: MountSpec[];
  Memory?: number;
  MemorySwap?: number;
  NanoCpus?: number;
  AutoRemove?: boolean;
  CapDrop?: string[];
  SecurityOpt?: string[];
  PidsLimit?: number;
  ReadonlyRootfs?: boolean;
  /** Container path → mount options, e.g. `{"/tmp": "rw,nosuid,nodev"}`. */
  Tmpfs?: Record<string, string>;
}

export interface ContainerSpec {
  Image: string;
  /** `uid[:gid]` or a name known to the image; empty is the image's own user. */
  User?: string;
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  Env?: string[];
  Labels?: Record<string, string>;
  Tty?: boolean;
  OpenStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  NetworkDisabled?: boolean;
  ExposedPorts?: Record<string, Record<string, never>>;
  HostConfig?: HostConfigSpec;
}

export interface NetworkSpec {
  Name: string;
  Driver?: string;
  Internal?: boolean;
  CheckDuplicate?: boolean;
  Labels?: Record<string, string>;
  Options?: Record<string, string>;
}

export interface ContainerInfo {
  State: { OOMKilled: boolean; ExitCode: number; Running: boolean };
  Config?: { User?: string };
  HostConfig?: HostConfigSpec & { Privileged?: boolean; Binds?: string[] | null };
  Mounts?: Array<{ Type: string; Source: string; Destination: string; RW: boolean }>;
}

export interface NetworkInfo {
  IPAM?: { Config?: Array<{ Subnet?: string; Gateway?: string }> };
}

export interface DockerContainer {
  readonly id: string;
  attach(opts: { stream: boolean; stdout: boolean; stderr: boolean; hijack: boolean }): Promise<Readable>;
  start(): Promise<unknown>;
  wait(opts?: { condition?: "not-running" | "next-exit" | "removed" }): Promise<{ StatusCode: number }>;
  kill(): Promise<unknown>;
  remove(opts?: { force?: boolean; v?: boolean }): Promise<unknown>;
  inspect(): Promise<ContainerInfo>;
}

export interface DockerNetwork {
  readonly id: string;
  inspect(): Promise<NetworkInfo>;
  remove(): Promise<unknown>;
}

export interface DockerApi {
  ping(): Promise<unknown>;
  getImage(name: string): { inspect(): Promise<unknown> };
  pull(name: string): Promise<Readable>;
  modem: { followProgress(stream: Readable, done: (err: Error | null) => void): void };
  createContainer(spec: ContainerSpec): Promise<DockerContainer>;
  getContainer(id: string): DockerContainer;
  createNetwork(spec: NetworkSpec): Promise<DockerNetwork>;
  getNetwork(id: string): DockerNetwork;
  listContainers(opts: { all?: boolean; filters?: string }): Promise<Array<{ Id: string }>>;
  listNetworks(opts: { filters?: string }): Promise<Array<{ Id: string }>>;
  /** The engine's event stream (newline-separated JSON objects) matching `filters`. */
  getEvents(opts: { filters: string }): Promise<Readable>;
}

export interface DockerConnection {
  socketPath?: string;
  host?: string;
  port?: number;
  protocol?: "http" | "https";
}

type DockerodeCtor = new (opts: DockerConnection) => DockerApi;

let ctor: DockerodeCtor | undefined;

/** A client for the engine at `conn` (nothing is contacted yet). */
export function newDockerApi(conn: DockerConnection): DockerApi {
  ctor ??= createRequire(import.meta.url)("dockerode") as DockerodeCtor;
  return new ctor(conn);
}
