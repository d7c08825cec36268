// A chart of a result whenever it has one to give: time on x, one line per series. Two shapes
// qualify: a TIMESTAMP column with numeric columns (each distinct value of the other columns is
// a series, as `hostname` is), or a TIMESERIES column of numbers (each row is a series).

import uPlot from "uplot";
import { h, utc } from "../dom";
import {
  type ColumnInfo,
  type Row,
  datumText,
  isNumeric,
  numberOf,
  timestampSeconds,
} from "../datum";

/** More lines than this are not drawn (the legend would be unreadable); the rest are counted. */
const MAX_LINES = 24;

const COLORS = [
  "#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d",
  "#ea580c", "#4f46e5", "#0d9488", "#b91c1c",
];

export interface Lines {
  labels: string[];
  x: number[];
  ys: (number | null)[][];
  /** Series found beyond MAX_LINES. */
  dropped: number;
}

class Collector {
  private readonly series = new Map<string, Map<number, number | null>>();
  dropped = 0;

  add(label: string, time: number, value: number | null): void {
    let points = this.series.get(label);
    if (!points) {
      if (this.series.size >= MAX_LINES) {
        this.dropped++;
        return;
      }
      points = new Map();
      this.series.set(label, points);
    }
    points.set(time, value);
  }

  lines(): Lines | null {
    if (this.series.size === 0) return null;
    const times = new Set<number>();
    for (const points of this.series.values()) for (const t of points.keys()) times.add(t);
    const x = [...times].sort((a, b) => a - b);
    const labels = [...this.series.keys()];
    const ys = labels.map((label) => {
      const points = this.series.get(label)!;
      return x.map((t) => (points.has(t) ? points.get(t)! : null));
    });
    return { labels, x, ys, dropped: this.dropped };
  }
}

/** The lines a result gives, or null when it has no time and number to plot. */
export function linesOf(columns: ColumnInfo[], rows: Row[]): Lines | null {
  const name = (i: number) => columns[i].Name ?? `_col${i}`;
  const series = columns.findIndex(
    (c) => c.Type.TimeSeriesMeasureValueColumnInfo && isNumeric(c.Type.TimeSeriesMeasureValueColumnInfo.Type),
  );
  const scalarKeys = (skip: (i: number) => boolean) =>
    columns
      .map((_, i) => i)
      .filter((i) => !skip(i) && columns[i].Type.ScalarType && columns[i].Type.ScalarType !== "TIMESTAMP");
  const collector = new Collector();
  if (series >= 0) {
    const keys = scalarKeys((i) => i === series || isNumeric(columns[i].Type));
    rows.forEach((row, r) => {
      const label = keys.map((i) => datumText(row.Data[i])).join(" / ") || `row ${r + 1}`;
      for (const point of row.Data[series].TimeSeriesValue ?? []) {
        const t = timestampSeconds(point.Time);
        if (t !== null) collector.add(`${label} · ${name(series)}`, t, numberOf(point.Value));
      }
    });
    return collector.lines();
  }
  const time = columns.findIndex((c) => c.Type.ScalarType === "TIMESTAMP");
  const numbers = columns.map((_, i) => i).filter((i) => isNumeric(columns[i].Type));
  if (time < 0 || numbers.length === 0) return null;
  const keys = scalarKeys((i) => numbers.includes(i));
  for (const row of rows) {
    const t = timestampSeconds(row.Data[time].ScalarValue ?? "");
    if (t === null) continue;
    const key = keys.map((i) => datumText(row.Data[i])).join(" / ");
    for (const n of numbers) {
      collector.add(key ? `${key} · ${name(n)}` : name(n), t, numberOf(row.Data[n]));
    }
  }
  return collector.lines();
}

/** Draws `lines` into `container` (replacing what was there); returns the chart to destroy. */
export function drawChart(container: HTMLElement, lines: Lines, title: string): uPlot {
  container.replaceChildren();
  const plot = h("div", { class: "chart-plot", "data-lines": String(lines.labels.length) });
  container.append(plot);
  if (lines.dropped > 0) {
    container.append(
      h("p", { class: "muted" }, `${lines.dropped} more series not drawn (${MAX_LINES} at most).`),
    );
  }
  const options: uPlot.Options = {
    title,
    width: Math.max(280, container.clientWidth || 800),
    height: 320,
    tzDate: utc,
    scales: { x: { time: true } },
    series: [
      { label: "time" },
      ...lines.labels.map((label, i) => ({
        label,
        stroke: COLORS[i % COLORS.length],
        width: 1.5,
        spanGaps: true,
        points: { show: lines.x.length <= 120 },
      })),
    ],
  };
  return new uPlot(options, [lines.x, ...lines.ys] as uPlot.AlignedData, plot);
}

/** Keeps a chart as wide as its container. */
export function fitWidth(chart: uPlot, container: HTMLElement): void {
  const observer = new ResizeObserver(() => {
    const width = Math.max(280, container.clientWidth);
    if (Math.abs(width - chart.width) > 4) chart.setSize({ width, height: chart.height });
  });
  observer.observe(container);
  const destroy = chart.destroy.bind(chart);
  chart.destroy = () => {
    observer.disconnect();
    destroy();
  };
}
