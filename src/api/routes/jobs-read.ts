/** Read-only job routes: list, get, history, executions, versions (results: job-results.ts). */
import type { Context, Hono } from "hono";
import { matchesSelector, parseSelectors } from "../../models/labels.ts";
import { decodePagingToken, encodePagingToken } from "../../models/paging.ts";
import type { Execution, JobHistory, Page } from "../../models/types.ts";
import type { ExecutionsQuery } from "../../store/store.ts";
import type { ApiDeps, ApiEnv } from "../deps.ts";
import { API_COMPONENT, badParam } from "../errors.ts";
import { historyPage } from "../history.ts";
import { findJob } from "../lookup.ts";
import { queryBool, queryInt, queryList, queryString } from "../request.ts";

type Ctx = Context<ApiEnv>;
const JOBS = "/api/v1/orchestrator/jobs";

function jobOrderBy(v: string | undefined): "created_at" | "modified_at" {
  if (v === undefined || v === "created_at") return "created_at";
  if (v === "modified_at") return "modified_at";
  throw badParam("order_by", `invalid order_by '${v}'`, "use created_at or modified_at");
}

function executionOrderBy(v: string | undefined): "created_at" | "modified_at" {
  if (v === undefined || v === "created_at" || v === "create_time") return "created_at";
  if (v === "modified_at" || v === "modify_time") return "modified_at";
  throw badParam("order_by", `invalid order_by '${v}'`, "use created_at or modified_at");
}

function eventType(v: string | undefined): "all" | "job" | "execution" {
  if (v === undefined || v === "all" || v === "job" || v === "execution") return v ?? "all";
  throw badParam("event_type", `invalid event_type '${v}'`, "use all, job or execution");
}

function versionQuery(c: Ctx): Pick<ExecutionsQuery, "jobVersion" | "allVersions"> {
  const jobVersion = queryInt(c, "job_version");
  return { ...(jobVersion ? { jobVersion } : {}), allVersions: queryBool(c, "all_job_versions") };
}

function executionsPage(deps: ApiDeps, c: Ctx, jobID: string): Page<Execution> {
  const limit = queryInt(c, "limit");
  const items = deps.store.getExecutions(jobID, {
    ...versionQuery(c),
    orderBy: executionOrderBy(queryString(c, "order_by")),
    reverse: queryBool(c, "reverse"),
    ...(limit ? { limit } : {}),
  });
  return { Items: items, NextToken: "" };
}

export function registerJobReadRoutes(app: Hono<ApiEnv>, deps: ApiDeps): void {
  const { store } = deps;

  app.get(JOBS, (c) => {
    const namespace = queryString(c, "namespace");
    let orderBy = jobOrderBy(queryString(c, "order_by"));
    let reverse = queryBool(c, "reverse");
    let limit = queryInt(c, "limit") ?? 0;
    let offset = 0;
    const selector = parseSelectors(queryList(c, "labels"));
    const token = queryString(c, "next_token");
    if (token) {
      const t = decodePagingToken(token);
      orderBy = jobOrderBy(t.sortBy || undefined);
      reverse = t.reverse;
      limit = t.limit;
      offset = t.offset;
    }
    const page = store.listJobs({
      namespace: namespace === "*" ? "" : (namespace ?? ""),
      orderBy,
      reverse,
      ...(selector.length > 0 ? { filter: (j) => matchesSelector(selector, j.Labels ?? {}) } : {}),
      offset,
      limit,
    });
    const next = page.more
      ? encodePagingToken({ sortBy: orderBy, reverse, limit, offset: offset + page.items.length })
      : "";
    return c.json({ Items: page.items, NextToken: next });
  });

  app.get(`${JOBS}/:id`, (c) => {
    const latest = findJob(store, c.req.param("id"), queryString(c, "namespace"));
    const version = queryInt(c, "job_version");
    const job = version ? store.getJobVersion(latest.ID, version) : latest;
    const include = new Set((queryString(c, "include") ?? "").split(",").map((s) => s.trim().toLowerCase()));
    const limit = queryInt(c, "limit");
    const body: { Job: typeof job; History?: Page<JobHistory>; Executions?: Page<Execution> } = { Job: job };
    if (include.has("history")) {
      body.History = { Items: store.getJobHistory(job.ID, limit ? { limit } : {}), NextToken: "" };
    }
    if (include.has("executions")) {
      body.Executions = { Items: store.getExecutions(job.ID, limit ? { limit } : {}), NextToken: "" };
    }
    return c.json(body);
  });

  app.get(`${JOBS}/:id/history`, (c) => {
    const job = findJob(store, c.req.param("id"), queryString(c, "namespace"));
    const limit = queryInt(c, "limit");
    const since = queryInt(c, "since");
    const executionID = queryString(c, "execution_id");
    const nextToken = queryString(c, "next_token");
    return c.json(historyPage(store, job, {
      ...versionQuery(c),
      eventType: eventType(queryString(c, "event_type")),
      ...(limit !== undefined ? { limit } : {}),
      ...(since !== undefined ? { since } : {}),
      ...(executionID ? { executionID } : {}),
      ...(nextToken ? { nextToken } : {}),
    }));
  });

  app.get(`${JOBS}/:id/executions`, (c) => {
    const job = findJob(store, c.req.param("id"), queryString(c, "namespace"));
    return c.json(executionsPage(deps, c, job.ID));
  });

  app.get(`${JOBS}/:id/versions`, (c) => {
    const job = findJob(store, c.req.param("id"), queryString(c, "namespace"));
    return c.json({ Items: store.getJobVersions(job.ID), NextToken: "" });
  });
}
