// The live view, refreshed every second while it is open: records/s being ingested (the last
// two minutes), rejected records with their reasons, the memory tier's size, the engine clock
// with buttons that move it, and the request log.

import uPlot from "uplot";
import { admin } from "./api";
import { errorBox, field, fill, formatBytes, formatCount, h, utc } from "./dom";

interface SecondCounts {
  second: number;
  accepted: number;
  rejected: number;
}

interface Rejection {
  at_ms: number;
  database: string;
  table: string;
  record_index: number;
  reason: string;
  existing_version?: number;
}

interface RequestEntry {
  seq: number;
  at_ms: number;
  operation: string;
  source: "api" | "console";
  status: number;
  error?: string;
  message?: string;
  latency_us: number;
}

interface Activity {
  ingest: {
    now_second: number;
    accepted_total: number;
    rejected_total: number;
    seconds: SecondCounts[];
    rejections: Rejection[];
  };
  requests: RequestEntry[];
  next_seq: number;
}

interface State {
  memory_tier: { records: number; bytes: number };
  health: { status: string; reasons?: string[] };
  clock: Clock;
}

interface Clock {
  now: string;
  now_ns: number;
  frozen: boolean;
  offset_ns: number;
}

const WINDOW_SECONDS = 120;
const LOG_KEPT = 500;
const NS = { minute: 60e9, hour: 3600e9, day: 86400e9 };

export class LivePage {
  readonly element: HTMLElement;
  private readonly figures: HTMLElement;
  private readonly rateChart: HTMLElement;
  private readonly clock: HTMLElement;
  private readonly rejections: HTMLElement;
  private readonly log: HTMLElement;
  private readonly showConsole: HTMLInputElement;
  private readonly problem: HTMLElement;
  private timer: number | undefined;
  private lastSeq: number | undefined;
  private requests: RequestEntry[] = [];
  private chart: uPlot | null = null;

  constructor() {
    this.figures = h("dl", { class: "figures" });
    this.rateChart = h("div", { class: "chart rate-chart" });
    this.clock = h("div", { class: "clock" });
    this.rejections = h("div", {});
    this.log = h("div", {});
    this.problem = h("div", {});
    this.showConsole = h("input", { type: "checkbox", onchange: () => this.renderLog() });
    this.element = h(
      "section",
      { class: "page live-page" },
      h("h1", {}, "Live"),
      this.problem,
      h("div", { class: "live-top" }, h("div", { class: "panel" }, h("h2", {}, "Ingestion"), this.figures), h("div", { class: "panel" }, h("h2", {}, "Engine clock"), this.clock)),
      h("div", { class: "panel" }, h("h2", {}, "Records per second (last 2 minutes)"), this.rateChart),
      h("div", { class: "panel" }, h("h2", {}, "Rejected records"), this.rejections),
      h(
        "div",
        { class: "panel" },
        h("h2", {}, "Request log"),
        h("label", { class: "muted" }, this.showConsole, " Show the console's own requests"),
        this.log,
      ),
    );
  }

  async show(): Promise<void> {
    this.stop();
    await this.tick();
    this.timer = window.setInterval(() => void this.tick(), 1000);
  }

  stop(): void {
    if (this.timer !== undefined) window.clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    try {
      const after = this.lastSeq === undefined ? "" : `?after=${this.lastSeq}`;
      const [activity, state] = await Promise.all([admin<Activity>(`activity${after}`), admin<State>("state")]);
      fill(this.problem);
      if (this.lastSeq !== undefined && activity.next_seq <= this.lastSeq) {
        // The server restarted: its log starts over.
        this.lastSeq = undefined;
        this.requests = [];
        this.renderLog();
        return;
      }
      this.requests.push(...activity.requests);
      if (this.requests.length > LOG_KEPT) this.requests.splice(0, this.requests.length - LOG_KEPT);
      if (activity.requests.length) this.lastSeq = activity.requests[activity.requests.length - 1].seq;
      this.renderFigures(activity, state);
      this.renderRate(activity);
      this.renderClock(state.clock);
      this.renderRejections(activity.ingest.rejections);
      if (activity.requests.length || !this.log.firstChild) this.renderLog();
    } catch (e) {
      fill(this.problem, errorBox(e));
    }
  }

  private renderFigures(activity: Activity, state: State): void {
    const seconds = activity.ingest.seconds;
    // The last complete second: the current one is still filling.
    const last = seconds.find((s) => s.second === activity.ingest.now_second - 1);
    fill(
      this.figures,
      field("Records/s", h("span", { "data-figure": "rate" }, formatCount(last?.accepted ?? 0))),
      field("Accepted since start", h("span", { "data-figure": "accepted" }, formatCount(activity.ingest.accepted_total))),
      field("Rejected since start", h("span", { "data-figure": "rejected" }, formatCount(activity.ingest.rejected_total))),
      field("Memory tier", `${formatCount(state.memory_tier.records)} records · ${formatBytes(state.memory_tier.bytes)}`),
      field("Engine health", h("span", { class: `health ${state.health.status}` }, state.health.status, ...(state.health.reasons ?? []).map((r) => h("div", { class: "muted" }, r)))),
    );
  }

  private renderRate(activity: Activity): void {
    const now = activity.ingest.now_second;
    const x: number[] = [];
    const accepted: number[] = [];
    const rejected: number[] = [];
    const bySecond = new Map(activity.ingest.seconds.map((s) => [s.second, s]));
    for (let s = now - WINDOW_SECONDS + 1; s <= now; s++) {
      x.push(s);
      accepted.push(bySecond.get(s)?.accepted ?? 0);
      rejected.push(bySecond.get(s)?.rejected ?? 0);
    }
    const data: uPlot.AlignedData = [x, accepted, rejected];
    if (this.chart) {
      this.chart.setData(data);
      return;
    }
    this.chart = new uPlot(
      {
        width: Math.max(280, this.rateChart.clientWidth || 800),
        height: 200,
        tzDate: utc,
        scales: { x: { time: true } },
        series: [
          {},
          { label: "accepted", stroke: "#16a34a", fill: "rgba(22,163,74,0.1)", width: 1.5 },
          { label: "rejected", stroke: "#dc2626", width: 1.5 },
        ],
      },
      data,
      this.rateChart,
    );
    new ResizeObserver(() => {
      const width = Math.max(280, this.rateChart.clientWidth);
      if (this.chart && Math.abs(width - this.chart.width) > 4) this.chart.setSize({ width, height: 200 });
    }).observe(this.rateChart);
  }

  private renderClock(clock: Clock): void {
    const move = (body: object) => async () => {
      try {
        this.renderClock(await admin<Clock>("clock", body));
      } catch (e) {
        fill(this.problem, errorBox(e));
      }
    };
    // Against this machine's clock, frozen or not (a frozen clock keeps no offset).
    const offset = Math.round(clock.now_ns / 1e9 - Date.now() / 1000);
    fill(
      this.clock,
      h("div", { class: "clock-now", "data-clock": clock.now }, clock.now.replace("T", " ").replace(/\.\d+Z$/, " UTC")),
      h(
        "div",
        { class: "muted" },
        clock.frozen ? "frozen" : "running",
        Math.abs(offset) >= 2 ? ` · ${offset > 0 ? "+" : ""}${formatOffset(offset)} from real time` : " · real time",
      ),
      h(
        "div",
        { class: "toolbar" },
        h("button", { onclick: move({ advance_ns: NS.minute }) }, "+1 minute"),
        h("button", { onclick: move({ advance_ns: NS.hour }) }, "+1 hour"),
        h("button", { onclick: move({ advance_ns: NS.day }) }, "+1 day"),
        h("button", { onclick: move({ freeze: !clock.frozen }) }, clock.frozen ? "Unfreeze" : "Freeze"),
        h("button", { onclick: move({ offset_ns: 0, freeze: false }) }, "Back to real time"),
      ),
    );
  }

  private renderRejections(rejections: Rejection[]): void {
    if (rejections.length === 0) {
      fill(this.rejections, h("p", { class: "muted" }, "None."));
      return;
    }
    fill(
      this.rejections,
      h(
        "div",
        { class: "table-scroll" },
        h(
          "table",
          { class: "grid" },
          h("thead", {}, h("tr", {}, ["time", "table", "record", "reason"].map((c) => h("th", {}, c)))),
          h(
            "tbody",
            {},
            rejections.slice(0, 50).map((r) =>
              h(
                "tr",
                {},
                h("td", {}, timeOfDay(r.at_ms)),
                h("td", {}, `${r.database}.${r.table}`),
                h("td", {}, String(r.record_index)),
                h("td", { class: "reason" }, r.reason, r.existing_version !== undefined ? ` (existing version ${r.existing_version})` : ""),
              ),
            ),
          ),
        ),
      ),
    );
  }

  private renderLog(): void {
    const shown = this.requests.filter((r) => this.showConsole.checked || r.source === "api").slice(-100).reverse();
    if (shown.length === 0) {
      fill(this.log, h("p", { class: "muted" }, "No requests yet."));
      return;
    }
    fill(
      this.log,
      h(
        "div",
        { class: "table-scroll" },
        h(
          "table",
          { class: "grid request-log" },
          h("thead", {}, h("tr", {}, ["time", "operation", "status", "latency", "error"].map((c) => h("th", {}, c)))),
          h(
            "tbody",
            {},
            shown.map((r) =>
              h(
                "tr",
                { class: r.error ? "failed" : "" },
                h("td", {}, timeOfDay(r.at_ms)),
                h("td", {}, r.operation, r.source === "console" ? h("span", { class: "muted" }, " (console)") : ""),
                h("td", {}, String(r.status)),
                h("td", { class: "number" }, `${(r.latency_us / 1000).toFixed(1)} ms`),
                h("td", {}, r.error ? h("span", { title: r.message ?? "" }, r.error, ": ", r.message ?? "") : ""),
              ),
            ),
          ),
        ),
      ),
    );
  }
}

function timeOfDay(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

function formatOffset(seconds: number): string {
  const abs = Math.abs(seconds);
  const sign = seconds < 0 ? "-" : "";
  if (abs >= 86400) return `${sign}${(abs / 86400).toFixed(abs % 86400 ? 2 : 0)} d`;
  if (abs >= 3600) return `${sign}${(abs / 3600).toFixed(abs % 3600 ? 2 : 0)} h`;
  if (abs >= 60) return `${sign}${(abs / 60).toFixed(abs % 60 ? 2 : 0)} min`;
  return `${sign}${abs.toFixed(0)} s`;
}
