/** The name users type for the CLI, used in printed hints. */
export const PROGRAM = "bacalhau";
