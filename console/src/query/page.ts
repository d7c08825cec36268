// The query page: the editor, the walkthrough's samples, Run (Ctrl+Enter) and Cancel, the
// query's status, a chart when the result has one, and the rows as a paged table with each
// column's Timestream type.

import type uPlot from "uplot";
import { aws, admin } from "../api";
import { describeError, fill, formatBytes, formatCount, h } from "../dom";
import { type ColumnInfo, type QueryOutput, type Row, datumText, typeName } from "../datum";
import { drawChart, fitWidth, linesOf } from "./chart";
import { Editor, errorPosition } from "./editor";
import { SAMPLES } from "./samples";

const STORED = "timestream-local.query";
/** Rows fetched per run at most; the status says when the result had more. */
const FETCH_LIMIT = 10_000;
const PAGE_ROWS = 100;

interface Run {
  clientToken: string;
  queryId?: string;
  cancelled: boolean;
}

interface RunningQuery {
  query_id: string;
  client_token?: string;
}

export class QueryPage {
  readonly element: HTMLElement;
  private readonly editor: Editor;
  private readonly runButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly errorArea: HTMLElement;
  private readonly chartArea: HTMLElement;
  private readonly tableArea: HTMLElement;
  private chart: uPlot | null = null;
  private current: Run | null = null;

  constructor() {
    this.editor = new Editor(localStorage.getItem(STORED) ?? SAMPLES[0].sql, () => void this.run());
    this.runButton = h("button", { class: "primary", onclick: () => void this.run(), title: "Ctrl+Enter" }, "Run");
    this.cancelButton = h("button", { onclick: () => void this.cancel(), disabled: true }, "Cancel");
    this.status = h("div", { class: "query-status", "aria-live": "polite" });
    this.errorArea = h("div", { class: "query-error" });
    this.chartArea = h("div", { class: "chart" });
    this.tableArea = h("div", { class: "results" });
    const samples = h(
      "div",
      { class: "samples", role: "group", "aria-label": "Sample queries" },
      h("span", { class: "muted" }, "Walkthrough samples:"),
      SAMPLES.map((s) =>
        h("button", { class: "link", onclick: () => this.load(s.sql), "data-sample": s.title }, s.title),
      ),
    );
    this.element = h(
      "section",
      { class: "page query-page" },
      h("h1", {}, "Query"),
      samples,
      this.editor.element,
      h(
        "div",
        { class: "toolbar" },
        this.runButton,
        this.cancelButton,
        h("span", { class: "muted hint" }, "Ctrl+Enter runs the query"),
      ),
      this.errorArea,
      this.status,
      this.chartArea,
      this.tableArea,
    );
  }

  /** Puts `sql` in the editor (the catalog's "Query this table", a sample). */
  load(sql: string): void {
    this.editor.value = sql;
    this.editor.focus();
  }

  async run(): Promise<void> {
    if (this.current) return;
    const sql = this.editor.value;
    localStorage.setItem(STORED, sql);
    const run: Run = { clientToken: crypto.randomUUID(), cancelled: false };
    this.current = run;
    this.runButton.disabled = true;
    this.cancelButton.disabled = false;
    this.editor.clearError();
    fill(this.errorArea);
    fill(this.status, h("span", { class: "spinner" }), " Running…");
    const started = performance.now();
    try {
      let page = await aws<QueryOutput>("Query", { QueryString: sql, ClientToken: run.clientToken });
      run.queryId = page.QueryId;
      const columns = page.ColumnInfo;
      const rows: Row[] = [...page.Rows];
      while (page.NextToken && rows.length < FETCH_LIMIT && !run.cancelled) {
        page = await aws<QueryOutput>("Query", { QueryString: sql, NextToken: page.NextToken });
        rows.push(...page.Rows);
      }
      const seconds = (performance.now() - started) / 1000;
      this.showResult(page, columns, rows, seconds, Boolean(page.NextToken));
    } catch (e) {
      this.showError(e);
    } finally {
      this.current = null;
      this.runButton.disabled = false;
      this.cancelButton.disabled = true;
    }
  }

  /** CancelQuery for the running query: `Query` answers only when its query is done, so its
   * id is found among the server's running queries by this run's ClientToken. */
  async cancel(): Promise<void> {
    const run = this.current;
    if (!run) return;
    run.cancelled = true;
    try {
      let queryId = run.queryId;
      if (!queryId) {
        const { queries } = await admin<{ queries: RunningQuery[] }>("queries");
        queryId = queries.find((q) => q.client_token === run.clientToken)?.query_id;
      }
      if (queryId) await aws("CancelQuery", { QueryId: queryId });
    } catch (e) {
      this.showError(e);
    }
  }

  private showError(e: unknown): void {
    const [type, message] = describeError(e);
    fill(this.status);
    this.destroyChart();
    fill(this.chartArea);
    fill(this.tableArea);
    fill(this.errorArea, h("div", { class: "error", role: "alert" }, h("strong", {}, type), " ", message));
    const at = errorPosition(message);
    if (at) this.editor.markError(at[0], at[1]);
  }

  private showResult(
    last: QueryOutput,
    columns: ColumnInfo[],
    rows: Row[],
    seconds: number,
    truncated: boolean,
  ): void {
    const scanned = last.QueryStatus?.CumulativeBytesScanned ?? 0;
    fill(
      this.status,
      h("span", { "data-rows": String(rows.length) }, `${formatCount(rows.length)} rows`),
      truncated ? h("span", { class: "warn" }, ` (first ${formatCount(FETCH_LIMIT)} shown)`) : "",
      ` · ${seconds.toFixed(2)} s · ${formatBytes(scanned)} scanned · `,
      h("span", { class: "muted" }, `QueryId ${last.QueryId}`),
    );
    this.destroyChart();
    const lines = linesOf(columns, rows);
    if (lines) {
      this.chart = drawChart(this.chartArea, lines, "");
      fitWidth(this.chart, this.chartArea);
    } else {
      fill(this.chartArea);
    }
    this.showTable(columns, rows, 0);
  }

  private showTable(columns: ColumnInfo[], rows: Row[], page: number): void {
    const pages = Math.max(1, Math.ceil(rows.length / PAGE_ROWS));
    const first = page * PAGE_ROWS;
    const shown = rows.slice(first, first + PAGE_ROWS);
    const pager = h(
      "div",
      { class: "pager" },
      h("button", { onclick: () => this.showTable(columns, rows, page - 1), disabled: page === 0 }, "‹ Previous"),
      h(
        "span",
        { class: "page-info" },
        rows.length ? `Rows ${formatCount(first + 1)}–${formatCount(first + shown.length)} of ${formatCount(rows.length)}` : "No rows",
      ),
      h("button", { onclick: () => this.showTable(columns, rows, page + 1), disabled: page >= pages - 1 }, "Next ›"),
    );
    const table = h(
      "table",
      { class: "grid" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          columns.map((c) =>
            h("th", { scope: "col" }, h("div", {}, c.Name ?? ""), h("div", { class: "type" }, typeName(c.Type))),
          ),
        ),
      ),
      h(
        "tbody",
        {},
        shown.map((row) =>
          h(
            "tr",
            {},
            row.Data.map((d) => h("td", { class: d.NullValue ? "null" : "" }, datumText(d))),
          ),
        ),
      ),
    );
    fill(this.tableArea, pager, h("div", { class: "table-scroll" }, table));
  }

  private destroyChart(): void {
    this.chart?.destroy();
    this.chart = null;
  }
}
