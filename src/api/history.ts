/**
 * Job history paging. The token holds the last SeqNum seen. Paging goes on while the job (or the
 * execution asked about) is not terminal, so `--wait` style clients keep polling; the token is
 * empty only when nothing more is stored AND nothing more can come.
 */
import { decodePagingToken, encodePagingToken } from "../models/paging.ts";
import { TERMINAL_EXECUTION_STATES, TERMINAL_JOB_STATES } from "../models/types.ts";
import type { Job, JobHistory, Page } from "../models/types.ts";
import type { HistoryQuery, JobStore } from "../store/store.ts";

export const DEFAULT_HISTORY_LIMIT = 100;
const SORT_KEY = "seq";

export interface HistoryPageParams extends Omit<HistoryQuery, "afterSeq" | "limit"> {
  limit?: number;
  nextToken?: string;
}

export function historyPage(store: JobStore, job: Job, p: HistoryPageParams): Page<JobHistory> {
  let limit = p.limit ?? DEFAULT_HISTORY_LIMIT;
  let afterSeq = 0;
  if (p.nextToken) {
    const t = decodePagingToken(p.nextToken);
    limit = t.limit;
    afterSeq = t.offset;
  }
  const { nextToken: _t, limit: _l, ...query } = p;
  // One extra row tells whether more is stored past this page.
  const rows = store.getJobHistory(job.ID, { ...query, afterSeq, ...(limit > 0 ? { limit: limit + 1 } : {}) });
  const more = limit > 0 && rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items.at(-1);
  const offset = last ? last.SeqNum : afterSeq;
  const open = more || !finished(store, job, p.executionID);
  return {
    Items: items,
    NextToken: open ? encodePagingToken({ sortBy: SORT_KEY, reverse: false, limit, offset }) : "",
  };
}

function finished(store: JobStore, job: Job, executionID: string | undefined): boolean {
  const current = store.getJob(job.ID);
  if (executionID) {
    const execs = store.getExecutions(job.ID, { allVersions: true }).filter((e) => e.ID.startsWith(executionID));
    if (execs.length > 0) return execs.every((e) => TERMINAL_EXECUTION_STATES.has(e.ComputeState.StateType));
  }
  return TERMINAL_JOB_STATES.has(current.State.StateType);
}
