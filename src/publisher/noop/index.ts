/**
 * The `noop` publisher: publishes nothing and returns an empty SpecConfig, as Bacalhau does. Useful
 * for tests and for jobs whose results are only their logs.
 *
 * @example
 * ```ts
 * const published = await createNoopPublisher().publish(req); // { Type: "" }
 * ```
 */
import type { SpecConfig } from "../../models/types.ts";
import type { Publisher, PublishRequest } from "../publisher.ts";

export function createNoopPublisher(): Publisher {
  return {
    type: "noop",
    isInstalled: () => Promise.resolve(true),
    validate: () => undefined,
    async publish(req: PublishRequest): Promise<SpecConfig> {
      req.signal.throwIfAborted();
      return { Type: "" };
    },
    close: () => Promise.resolve(),
  };
}
