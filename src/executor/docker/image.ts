/**
 * Making sure a job's image is on the engine, by the node's pull policy (Docker's own names):
 * `never` uses local images only, `missing` pulls an absent image, `always` pulls every time (a
 * failed pull fails the job). A missing image that may not be pulled fails with a message that
 * says so, because with no registry in reach a pull could only hang or fail obscurely.
 */
import type { DockerApi } from "./engine.ts";
import { engineMessage } from "./errors.ts";

function statusOf(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown }).statusCode;
  return typeof code === "number" ? code : undefined;
}

export async function imagePresent(docker: DockerApi, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (err) {
    if (statusOf(err) === 404) return false;
    throw err;
  }
}

export const notFoundMessage = (image: string): string => `image ${image} not found locally`;

export const PULL_POLICIES = ["never", "missing", "always"] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];

/** The policy a config value names; empty means `missing`, or `never` with SKIP_IMAGE_PULL set. */
export function pullPolicy(raw: string | undefined, skipImagePull: boolean): PullPolicy {
  const v = (raw ?? "").trim().toLowerCase();
  if (v === "") return skipImagePull ? "never" : "missing";
  const found = PULL_POLICIES.find((p) => p === v);
  if (!found) throw new Error(`unknown docker image pull policy "${raw}": use ${PULL_POLICIES.join(", ")}`);
  return found;
}

/** Resolves once `image` is present; throws with a readable message when it cannot be. */
export async function ensureImage(docker: DockerApi, image: string, policy: PullPolicy): Promise<void> {
  if (policy !== "always" && (await imagePresent(docker, image))) return;
  if (policy === "never") throw new Error(`${notFoundMessage(image)} (image pulls are disabled on this node)`);
  try {
    const stream = await docker.pull(image);
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve()));
    });
  } catch (err) {
    const why = policy === "always" ? `pulling image ${image} failed (the node's pull policy is always)` : `${notFoundMessage(image)} and pulling it failed`;
    throw new Error(`${why}: ${engineMessage(err)}`);
  }
}
