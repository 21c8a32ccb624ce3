/**
 * The `local` publisher: packs an execution's results folder into `<directory>/<executionID>.tar.gz`
 * (streamed, written atomically) and serves that folder over HTTP, returning
 * `{Type: "urlDownload", Params: {URL: "http://<address>:<port>/<executionID>.tar.gz"}}`.
 * Published files are plain files, so they outlive a restart of the node.
 *
 * @example
 * ```ts
 * const publisher = createLocalPublisher({ directory: "/var/lib/bacalhau/publisher/local" });
 * await publisher.start?.();                  // listens on 127.0.0.1:6001
 * const result = await publisher.publish(req); // { Type: "urlDownload", Params: { URL } }
 * await publisher.close();
 * ```
 */
import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { BacalhauError } from "../../models/errors.ts";
import type { SpecConfig } from "../../models/types.ts";
import { startHttpServer } from "../../runtime/http.ts";
import type { RunningHttpServer } from "../../runtime/http.ts";
import { packPathToTarGzFile } from "../../codec/tar/index.ts";
import type { Publisher, PublishRequest } from "../publisher.ts";
import { createResultsApp, RESULT_FILE_NAME } from "./results-app.ts";

export interface LocalPublisherOptions {
  /** Where archives are written and served from. */
  directory: string;
  /** Listen address. Default 127.0.0.1. */
  address?: string;
  /** Listen port. Default 6001; 0 picks a free port. */
  port?: number;
  /** Host written into result URLs, when clients must reach the node by another name. */
  advertiseAddress?: string;
}

/** A publisher that keeps results as files on this node, so the node can hand them over itself. */
export interface ResultFiles {
  /** The path of the published archive of `executionID`, or undefined when there is none. */
  resultFile(executionID: string): Promise<string | undefined>;
}

export function hasResultFiles(p: Publisher): p is Publisher & ResultFiles {
  return typeof (p as Partial<ResultFiles>).resultFile === "function";
}

const COMPONENT = "LocalPublisher";
export const DEFAULT_LOCAL_PUBLISHER_PORT = 6001;

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

export function createLocalPublisher(
  opts: LocalPublisherOptions,
): Publisher & ResultFiles & { readonly port: number | undefined } {
  const address = opts.address ?? "127.0.0.1";
  let server: Promise<RunningHttpServer> | undefined;
  let running: RunningHttpServer | undefined;

  const port = opts.port ?? DEFAULT_LOCAL_PUBLISHER_PORT;

  function start(): Promise<RunningHttpServer> {
    server ??= (async () => {
      await mkdir(opts.directory, { recursive: true, mode: 0o700 });
      try {
        running = await startHttpServer(createResultsApp(opts.directory), { host: address, port });
        return running;
      } catch (err) {
        server = undefined;
        throw new BacalhauError(`local publisher cannot listen on ${address}:${port}: ${(err as Error).message}`, {
          component: COMPONENT,
          cause: err,
          hint: "choose another port (Publishers.Types.Local.Port) or stop what is using it",
        });
      }
    })();
    return server;
  }

  return {
    type: "local",
    get port() {
      return running?.port;
    },
    isInstalled: () => Promise.resolve(true),
    validate(spec) {
      if (spec.Params !== undefined && (typeof spec.Params !== "object" || spec.Params === null)) {
        return "local publisher Params must be an object (it takes no parameters)";
      }
      return undefined;
    },
    async start() {
      await start();
    },
    async publish(req: PublishRequest): Promise<SpecConfig> {
      req.signal.throwIfAborted();
      if (!RESULT_FILE_NAME.test(`${req.executionID}.tar.gz`)) {
        throw BacalhauError.badRequest(`execution ID ${JSON.stringify(req.executionID)} cannot name a results file`, {
          component: COMPONENT,
        });
      }
      const srv = await start();
      const name = `${req.executionID}.tar.gz`;
      await packPathToTarGzFile(req.resultsDir, join(opts.directory, name), { signal: req.signal });
      const host = urlHost(opts.advertiseAddress ?? address);
      return { Type: "urlDownload", Params: { URL: `http://${host}:${srv.port}/${name}` } };
    },
    async resultFile(executionID: string) {
      const name = `${executionID}.tar.gz`;
      if (!RESULT_FILE_NAME.test(name)) return undefined;
      const path = join(opts.directory, name);
      const info = await stat(path).catch(() => undefined);
      return info?.isFile() ? path : undefined;
    },
    async close() {
      const pending = server;
      server = undefined;
      running = undefined;
      if (pending) await (await pending.catch(() => undefined))?.close();
    },
  };
}
