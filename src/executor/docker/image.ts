/**
 * Making sure a job's image is on the engine. Images are pulled only when absent and pulling is
 * allowed (not with `SKIP_IMAGE_PULL`); otherwise a missing image fails with a message that says
 * so, because with no registry in reach a pull could only hang or fail obscurely.
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

/** Resolves once `image` is present; throws with a readable message when it cannot be. */
export async function ensureImage(docker: DockerApi, image: string, pull: boolean): Promise<void> {
  if (await imagePresent(docker, image)) return;
  if (!pull) throw new Error(`${notFoundMessage(image)} (image pulls are disabled on this node)`);
  try {
    const stream = await docker.pull(image);
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve()));
    });
  } catch (err) {
    throw new Error(`${notFoundMessage(image)} and pulling it failed: ${engineMessage(err)}`);
  }
}
