/** The libp2p protocol IDs of the transport. */

/** One long-lived stream per compute node: request/response frames in both directions. */
export const NCL_PROTOCOL = "/bacalhau-edge/ncl/1.0.0";
/** One stream per LogsRequest: the request, then log frames until the compute side closes it. */
export const LOGS_PROTOCOL = "/bacalhau-edge/logs/1.0.0";
/** One stream per result fetch: the request, then binary chunks of the result until `end`. */
export const RESULTS_PROTOCOL = "/bacalhau-edge/results/1.0.0";
