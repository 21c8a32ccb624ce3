/**
 * Network policy for jobs: allow-list matching (exact hosts, leading-dot domains, `*` globs, IP
 * addresses) and the per-job HTTP/HTTPS egress proxy that enforces it, stamps plain requests with
 * `X-Bacalhau-Job-ID` and limits traffic to 10 Mbit/s each way.
 *
 * @example
 * ```ts
 * const proxy = await startEgressProxy({ jobID, domains: [".example.org"], host: gatewayIP });
 * // give the job http_proxy=https_proxy=proxy.url, then after the run:
 * await proxy.close();
 * ```
 */
export { AllowList, hostAllowed, hostOnly } from "./allow-list.ts";
export { type EgressProxy, type EgressProxyOptions, parseConnectPorts, startEgressProxy } from "./egress-proxy.ts";
export { JOB_ID_HEADER } from "./http-forward.ts";
export { type AddressGuard, allowAnyAddress, type Resolver, systemResolver } from "./resolve.ts";
export { addressCheck, type AddressPolicyConfig, ALLOWED_CIDRS_KEY, currentAddressPolicy, parseAllowedCIDRs }
  from "./address-policy.ts";
export { ownListenerPorts, registerOwnListener } from "./own-listeners.ts";
export { DEFAULT_BYTES_PER_SECOND, TokenBucket } from "./token-bucket.ts";
