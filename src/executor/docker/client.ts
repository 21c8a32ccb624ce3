/**
 * Finding the Docker engine: `DOCKER_HOST` when set (unix://, tcp://, npipe://), otherwise the
 * default socket. `engineReachable` is what decides whether a node advertises `docker`.
 */
import { existsSync } from "node:fs";
import { request } from "node:http";
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

const PING_TIMEOUT_MS = 3000;

/**
 * True only when an engine answers `GET /_ping` with 200. A plain HTTP request rather than
 * dockerode: every node start asks this, and loading dockerode costs ~130 ms and ~16 MB.
 */
export function engineReachable(opts: DockerClientOptions = {}): Promise<boolean> {
  const host = opts.dockerHost ?? process.env["DOCKER_HOST"];
  if (!host && !existsSync(DEFAULT_SOCKET)) return Promise.resolve(false);
  let target: { socketPath: string } | { host: string; port: number };
  if (!host) target = { socketPath: DEFAULT_SOCKET };
  else if (host.startsWith("unix://")) target = { socketPath: host.slice("unix://".length) };
  else if (/^(tcp|http):\/\//.test(host)) {
    const url = new URL(host.replace(/^tcp:/, "http:"));
    target = { host: url.hostname, port: Number(url.port || 2375) };
  } else return Promise.resolve(false);
  return new Promise((resolve) => {
    const req = request({ ...target, path: "/_ping", method: "GET", timeout: PING_TIMEOUT_MS }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}
