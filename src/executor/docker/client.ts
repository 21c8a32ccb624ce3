/**
 * Finding the Docker engine: `DOCKER_HOST` when set (unix://, tcp://, npipe://), otherwise the
 * default socket. `engineReachable` is what decides whether a node advertises `docker`.
 */
import { existsSync } from "node:fs";
import { type DockerApi, newDockerApi } from "./engine.ts";

export const DEFAULT_SOCKET = "/var/run/docker.sock";

export interface DockerClientOptions {
  /** Overrides DOCKER_HOST, e.g. `unix:///run/user/1000/docker.sock`. */
  dockerHost?: string;
}

/** A dockerode client for the configured engine (nothing is contacted yet). */
export function dockerClient(opts: DockerClientOptions = {}): DockerApi {
  const host = opts.dockerHost ?? process.env["DOCKER_HOST"];
  if (!host) return newDockerApi({ socketPath: DEFAULT_SOCKET });
  if (host.startsWith("unix://")) return newDockerApi({ socketPath: host.slice("unix://".length) });
  const url = new URL(host.replace(/^tcp:/, "http:"));
  return newDockerApi({ host: url.hostname, port: Number(url.port || 2375), protocol: "http" });
}

/** True only when an engine answers a ping. */
export async function engineReachable(docker: DockerApi, opts: DockerClientOptions = {}): Promise<boolean> {
  const host = opts.dockerHost ?? process.env["DOCKER_HOST"];
  if (!host && !existsSync(DEFAULT_SOCKET)) return false;
  try {
    await docker.ping();
    return true;
  } catch {
    return false;
  }
}
