/** Shutdown signals on Node and Deno: SIGINT and SIGTERM call `onSignal` once. Returns an unsubscribe. */
type DenoSignals = {
  addSignalListener(sig: string, fn: () => void): void;
  removeSignalListener(sig: string, fn: () => void): void;
};

export function onShutdownSignal(onSignal: (signal: string) => void): () => void {
  const signals = ["SIGINT", "SIGTERM"];
  let fired = false;
  const handlers = signals.map((sig) => [sig, () => {
    if (fired) return;
    fired = true;
    onSignal(sig);
  }] as const);
  const deno = (globalThis as { Deno?: DenoSignals }).Deno;
  if (deno) {
    for (const [sig, fn] of handlers) deno.addSignalListener(sig, fn);
    return () => handlers.forEach(([sig, fn]) => deno.removeSignalListener(sig, fn));
  }
  for (const [sig, fn] of handlers) process.on(sig, fn);
  return () => handlers.forEach(([sig, fn]) => process.off(sig, fn));
}
