/** Turning dockerode's errors into the one-line messages an execution reports. */

/** The engine's own message when it sent one (dockerode wraps it in "(HTTP code …) …"). */
export function engineMessage(err: unknown): string {
  const json = (err as { json?: unknown }).json;
  if (json && typeof json === "object" && typeof (json as { message?: unknown }).message === "string") {
    return (json as { message: string }).message.trim();
  }
  if (typeof json === "string" && json.trim() !== "") return json.trim();
  return err instanceof Error ? err.message : String(err);
}
