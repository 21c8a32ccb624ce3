import { CompositeOrchestratorTransport } from "../../src/transport/composite.ts";
import { InProcessHub } from "../../src/transport/inprocess.ts";
import { runTransportSuite } from "../conformance/transport.suite.ts";
import { computeOn, localHost, orchestratorOn, testSwarmKey } from "./libp2p-harness.ts";

// A hybrid node on a network: its own compute role in-process, the others over libp2p.
runTransportSuite("composite of in-process and libp2p", async (n, env) => {
  const hub = new InProcessHub();
  env.onCleanup(() => hub.close());
  const swarmKey = testSwarmKey();
  const requester = await localHost(env.onCleanup, { swarmKey });
  const remote = await orchestratorOn(requester, env.onCleanup);
  const computes = [];
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      const c = hub.connect(`n-local-${i}`);
      env.onCleanup(() => c.close());
      computes.push(c);
      continue;
    }
    const host = await localHost(env.onCleanup, { swarmKey });
    const c = await computeOn(host, env.onCleanup, { nodeID: `n-remote-${i}`, orchestrator: requester.addresses() });
    await c.whenConnected();
    computes.push(c);
  }
  return { orchestrator: new CompositeOrchestratorTransport([hub, remote]), computes };
});
