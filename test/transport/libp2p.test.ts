import { runTransportSuite } from "../conformance/transport.suite.ts";
import { computeOn, localHost, orchestratorOn, testSwarmKey } from "./libp2p-harness.ts";

runTransportSuite("libp2p over TCP with a swarm key", async (n, env) => {
  const swarmKey = testSwarmKey();
  const requester = await localHost(env.onCleanup, { swarmKey });
  const orchestrator = await orchestratorOn(requester, env.onCleanup);
  const computes = [];
  for (let i = 0; i < n; i++) {
    const host = await localHost(env.onCleanup, { swarmKey });
    const c = await computeOn(host, env.onCleanup, { nodeID: `n-p2p-${i}`, orchestrator: requester.addresses() });
    await c.whenConnected();
    computes.push(c);
  }
  return { orchestrator, computes };
});
