/** The node token a requester may ask of compute nodes on top of the swarm key. */
import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Compares in time independent of where the strings differ and of their lengths: both sides are
 * hashed first, so the comparison is always of two 32-byte digests.
 */
export function tokensMatch(expected: string, given: unknown): boolean {
  if (typeof given !== "string") return false;
  const a = createHash("sha256").update(expected).digest();
  const b = createHash("sha256").update(given).digest();
  return timingSafeEqual(a, b);
}

/** Why a hello is refused for its token, or undefined when it may join. */
export function tokenRefusal(required: string | undefined, given: unknown): string | undefined {
  if (!required) return undefined;
  if (typeof given !== "string" || given === "") {
    return "this requester requires a node token and none was sent (set Compute.Auth.Token to the requester's Orchestrator.Auth.Token)";
  }
  if (!tokensMatch(required, given)) return "the node token does not match the requester's (check Compute.Auth.Token)";
  return undefined;
}
