/** What the commands that move IPFS content share: how they reach a node's API, and which way a CID is fetched. */
import { authorizationFor } from "../../client/auth.ts";
import { CLIENT_VERSION } from "../../client/version.ts";
import type { CommandContext } from "../command.ts";
import { swarmSettings } from "../ipfs-swarm/options.ts";
import { apiIpfsFetcher, swarmIpfsFetcher, type IpfsFetcher } from "../results/ipfs-fetchers.ts";

/** Headers the typed client would send, for the raw (streamed) IPFS requests. */
export function apiHeaders(env: Record<string, string | undefined>): Record<string, string> {
  const authorization = authorizationFor({ env });
  return {
    "X-Bacalhau-Git-Version": CLIENT_VERSION.GitVersion,
    ...(authorization ? { Authorization: authorization } : {}),
  };
}

/** Straight from the swarm when swarm addresses are given, else through the node's API. */
export function ipfsFetcherFor(ctx: CommandContext): IpfsFetcher {
  const settings = swarmSettings(ctx.flags, ctx.io.env, ctx.io.cwd);
  if (settings) return swarmIpfsFetcher(settings);
  const client = ctx.client();
  return apiIpfsFetcher({ baseUrl: client.endpoint.baseUrl, headers: apiHeaders(ctx.io.env), tls: client.tls });
}
