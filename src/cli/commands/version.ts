/** `bacalhau version`: the client's version and, unless --client, the server's. */
import type { BuildVersionInfo } from "../../models/types.ts";
import { CLIENT_VERSION } from "../../client/version.ts";
import type { Command } from "../command.ts";
import { LIST_OUTPUT_FLAGS, outputFormat, renderObject } from "../output/format.ts";
import { renderCsv } from "../output/csv.ts";
import { renderTable } from "../output/table.ts";

export const versionCommand: Command = {
  name: "version",
  usage: "version [flags]",
  summary: "Get the client and server version.",
  flags: [{ name: "client", type: "bool", help: "If true, shows client version only (no server required)." }, ...LIST_OUTPUT_FLAGS],
  async run(ctx) {
    const clientOnly = ctx.flags.bool("client");
    const server: BuildVersionInfo | undefined = clientOnly ? undefined : await ctx.client().version();
    const format = outputFormat(ctx.flags, ["table", "csv", "json", "yaml"]);
    if (format === "json" || format === "yaml") {
      const doc = { clientVersion: CLIENT_VERSION, ...(server ? { serverVersion: server } : {}) };
      ctx.io.out(renderObject(doc, format, ctx.flags.bool("pretty")));
      return 0;
    }
    const headers = clientOnly ? ["Client"] : ["Client", "Server"];
    const row = clientOnly ? [CLIENT_VERSION.GitVersion] : [CLIENT_VERSION.GitVersion, server?.GitVersion ?? ""];
    const hideHeader = ctx.flags.bool("hide-header");
    ctx.io.out(format === "csv" ? renderCsv(headers, [row], { hideHeader }) : renderTable(headers, [row], { hideHeader }));
    return 0;
  },
};
