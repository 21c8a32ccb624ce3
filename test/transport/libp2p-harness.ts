/** Builds real libp2p hosts on 127.0.0.1 for the transport tests, and tears them down. */
import { generateKeyPair } from "@libp2p/crypto/keys";
import { createP2PHost } from "../../src/p2p/host.ts";
import type { P2PHost, P2PHostOptions } from "../../src/p2p/host.ts";
import { createSwarmKey, parseSwarmKey } from "../../src/p2p/swarm-key.ts";
import { Libp2pComputeTransport } from "../../src/transport/libp2p/compute.ts";
import type { Libp2pComputeOptions } from "../../src/transport/libp2p/compute.ts";
import { Libp2pOrchestratorTransport } from "../../src/transport/libp2p/orchestrator.ts";

export type Cleanup = (fn: () => unknown) => void;

/** A host on a free 127.0.0.1 port; Ed25519 identities keep the tests fast (RSA is tested apart). */
export async function localHost(onCleanup: Cleanup, opts: P2PHostOptions = {}): Promise<P2PHost> {
  const host = await createP2PHost({
    listenHost: "127.0.0.1",
    swarmPort: 0,
    privateKey: opts.privateKey ?? (await generateKeyPair("Ed25519")),
    ...opts,
  });
  onCleanup(() => host.stop());
  return host;
}

export const testSwarmKey = (): Uint8Array => parseSwarmKey(createSwarmKey());

export async function orchestratorOn(host: P2PHost, onCleanup: Cleanup): Promise<Libp2pOrchestratorTransport> {
  const t = await Libp2pOrchestratorTransport.create(host.libp2p);
  onCleanup(() => t.close());
  return t;
}

export async function computeOn(
  host: P2PHost,
  onCleanup: Cleanup,
  opts: Libp2pComputeOptions,
): Promise<Libp2pComputeTransport> {
  const t = new Libp2pComputeTransport(host.libp2p, { backoffMs: { initial: 20, max: 200 }, ...opts });
  onCleanup(() => t.close());
  await t.start();
  return t;
}
