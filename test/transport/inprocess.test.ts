import { InProcessHub } from "../../src/transport/inprocess.ts";
import { runTransportSuite } from "../conformance/transport.suite.ts";

runTransportSuite("in-process", async (n, env) => {
  const hub = new InProcessHub();
  env.onCleanup(() => hub.close());
  const computes = Array.from({ length: n }, (_, i) => hub.connect(`n-inproc-${i}`));
  for (const c of computes) env.onCleanup(() => c.close());
  return { orchestrator: hub, computes };
});
