/** Resident memory of a node process, apart from that of its descendants (warm wasm runners). */
import { descendants, rssKiB } from "./proc.ts";

export interface NodeMemory {
  /** VmRSS of the node process itself, MB (NaN when it is gone). */
  own_mb: number;
  /** Sum of the VmRSS of its descendants, MB. */
  runners_mb: number;
  runners: number;
}

export function nodeMemory(pid: number): NodeMemory {
  const own = rssKiB(pid) ?? Number.NaN;
  const children = descendants(pid);
  const runners = children.reduce((sum, c) => sum + (rssKiB(c) ?? 0), 0);
  return { own_mb: own / 1024, runners_mb: runners / 1024, runners: children.length };
}
