// Scheduled queries of every region: their state and schedule, the run history with failures
// and their error reports, and Run now / Enable / Disable through the AWS operations.

import { admin, aws } from "./api";
import { errorBox, fill, formatBytes, formatCount, h } from "./dom";

interface RunSummary {
  InvocationTime?: number;
  TriggerTime?: number;
  RunStatus?: string;
  ExecutionStats?: {
    ExecutionTimeInMillis?: number;
    DataWrites?: number;
    BytesMetered?: number;
    RecordsIngested?: number;
    QueryResultRows?: number;
  };
  ErrorReportLocation?: { S3ReportLocation?: { BucketName?: string; ObjectKey?: string } };
  FailureReason?: string;
}

interface ScheduledQuery {
  arn: string;
  account: string;
  region: string;
  name: string;
  state: string;
  schedule_expression: string;
  next_invocation?: string;
  previous_invocation?: string;
  runs: RunSummary[];
}

const when = (seconds?: number) =>
  seconds === undefined ? "—" : new Date(seconds * 1000).toISOString().replace("T", " ").replace(/\.000Z$/, "Z");

export class ScheduledPage {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;

  constructor() {
    this.list = h("div", { class: "scheduled-list" });
    this.element = h(
      "section",
      { class: "page scheduled-page" },
      h("h1", {}, "Scheduled queries"),
      h("div", { class: "toolbar" }, h("button", { onclick: () => void this.show() }, "Refresh")),
      this.list,
    );
  }

  async show(): Promise<void> {
    try {
      const { scheduled_queries: queries } = await admin<{ scheduled_queries: ScheduledQuery[] }>("scheduled-queries");
      fill(
        this.list,
        queries.length === 0 ? h("p", { class: "muted" }, "No scheduled queries. Create one with CreateScheduledQuery.") : "",
        queries.map((q) => this.card(q)),
      );
    } catch (e) {
      fill(this.list, errorBox(e));
    }
  }

  private card(q: ScheduledQuery): HTMLElement {
    const problem = h("div", {});
    const act = (operation: string, input: object) => async () => {
      try {
        await aws(operation, { ScheduledQueryArn: q.arn, ...input }, q.region);
        await this.show();
      } catch (e) {
        fill(problem, errorBox(e));
      }
    };
    const runNow = async () => {
      const clock = await admin<{ now_ns: number }>("clock");
      await act("ExecuteScheduledQuery", { InvocationTime: Math.floor(clock.now_ns / 1e9) })();
    };
    return h(
      "article",
      { class: "panel scheduled", "data-scheduled-query": q.name },
      h("h2", {}, q.name, " ", h("span", { class: `badge ${q.state.toLowerCase()}` }, q.state)),
      h("div", { class: "muted" }, `${q.schedule_expression} · ${q.region} · next ${q.next_invocation ?? "—"}`),
      h(
        "div",
        { class: "toolbar" },
        h("button", { class: "primary", onclick: () => void runNow() }, "Run now"),
        q.state === "ENABLED"
          ? h("button", { onclick: act("UpdateScheduledQuery", { State: "DISABLED" }) }, "Disable")
          : h("button", { onclick: act("UpdateScheduledQuery", { State: "ENABLED" }) }, "Enable"),
      ),
      problem,
      q.runs.length === 0
        ? h("p", { class: "muted" }, "No runs yet.")
        : h(
            "div",
            { class: "table-scroll" },
            h(
              "table",
              { class: "grid runs" },
              h("thead", {}, h("tr", {}, ["invocation", "status", "rows", "records ingested", "bytes metered", "time", "failure"].map((c) => h("th", {}, c)))),
              h("tbody", {}, q.runs.map((r) => this.run(r))),
            ),
          ),
    );
  }

  private run(r: RunSummary): HTMLElement {
    const stats = r.ExecutionStats ?? {};
    const report = r.ErrorReportLocation?.S3ReportLocation;
    const reportArea = h("div", {});
    const url = report?.BucketName ? `s3://${report.BucketName}/${report.ObjectKey ?? ""}` : null;
    const failed = (r.RunStatus ?? "").includes("FAIL");
    return h(
      "tr",
      { class: failed ? "failed" : "" },
      h("td", {}, when(r.InvocationTime)),
      h("td", {}, r.RunStatus ?? "—"),
      h("td", { class: "number" }, formatCount(stats.QueryResultRows ?? 0)),
      h("td", { class: "number" }, formatCount(stats.RecordsIngested ?? 0)),
      h("td", { class: "number" }, formatBytes(stats.BytesMetered ?? 0)),
      h("td", { class: "number" }, `${stats.ExecutionTimeInMillis ?? 0} ms`),
      h(
        "td",
        { class: "reason" },
        r.FailureReason ?? "",
        url
          ? h(
              "div",
              {},
              h(
                "button",
                {
                  class: "link",
                  onclick: async () => {
                    try {
                      const object = await admin<{ text: string }>(`s3-object?url=${encodeURIComponent(url)}`);
                      let text = object.text;
                      try {
                        text = JSON.stringify(JSON.parse(text), null, 2);
                      } catch {
                        // Not JSON: shown as it is.
                      }
                      fill(reportArea, h("pre", { class: "report" }, text));
                    } catch (e) {
                      fill(reportArea, errorBox(e));
                    }
                  },
                },
                `Error report ${url}`,
              ),
              reportArea,
            )
          : "",
      ),
    );
  }
}
