/**
 * What the client sends to prove who it is, as Bacalhau's CLI does: `BACALHAU_API_KEY` as a bearer
 * token, or `BACALHAU_API_USERNAME` + `BACALHAU_API_PASSWORD` as basic auth (never both).
 */
import { basicAuthorization } from "../api/auth/credentials.ts";
import { BacalhauError, ErrorCode } from "../models/errors.ts";

export interface CredentialOptions {
  apiKey?: string;
  username?: string;
  password?: string;
  env?: Record<string, string | undefined>;
}

export const CREDENTIAL_HINT =
  "set BACALHAU_API_KEY to the node's API key (a node with no users prints `export BACALHAU_API_KEY=…` on start), " +
  "or BACALHAU_API_USERNAME and BACALHAU_API_PASSWORD";

/** The Authorization header value, or undefined for an anonymous client. */
export function authorizationFor(opts: CredentialOptions): string | undefined {
  const env = opts.env ?? {};
  const key = opts.apiKey ?? env.BACALHAU_API_KEY ?? "";
  const user = opts.username ?? env.BACALHAU_API_USERNAME ?? "";
  const pass = opts.password ?? env.BACALHAU_API_PASSWORD ?? "";
  if (key && (user || pass)) {
    throw BacalhauError.badRequest("both an API key and a username/password are set", {
      component: "APIClient",
      hint: "set either BACALHAU_API_KEY or BACALHAU_API_USERNAME/BACALHAU_API_PASSWORD, not both",
    });
  }
  if (key) return `Bearer ${key}`;
  if (user || pass) {
    if (!user || !pass) {
      throw BacalhauError.badRequest("basic auth needs both a username and a password", {
        component: "APIClient",
        hint: "set both BACALHAU_API_USERNAME and BACALHAU_API_PASSWORD",
      });
    }
    return basicAuthorization(user, pass);
  }
  return undefined;
}

/** A 401 tells what to set (or that what was set was refused); a 403 names the missing capability. */
export function explainAuthFailure(err: BacalhauError, sentCredentials: boolean): BacalhauError {
  if (err.status !== 401) return err;
  return new BacalhauError(`unauthorized: ${err.message}`, {
    status: 401,
    code: ErrorCode.Unauthorized,
    component: err.component,
    hint: sentCredentials
      ? "the node refused the credentials in BACALHAU_API_KEY (or BACALHAU_API_USERNAME/BACALHAU_API_PASSWORD): check them"
      : CREDENTIAL_HINT,
  });
}
