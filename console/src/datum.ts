// The Query API's result shapes (ColumnInfo, Row, Datum) and how the console reads them: a
// type's name as Timestream writes it, a cell's text, and the values a chart plots.

export interface ColumnType {
  ScalarType?: string;
  ArrayColumnInfo?: ColumnInfo;
  TimeSeriesMeasureValueColumnInfo?: ColumnInfo;
  RowColumnInfo?: ColumnInfo[];
}

export interface ColumnInfo {
  Name?: string;
  Type: ColumnType;
}

export interface TimeSeriesPoint {
  Time: string;
  Value: Datum;
}

export interface Datum {
  ScalarValue?: string;
  NullValue?: boolean;
  ArrayValue?: Datum[];
  TimeSeriesValue?: TimeSeriesPoint[];
  RowValue?: { Data: Datum[] };
}

export interface Row {
  Data: Datum[];
}

export interface QueryOutput {
  QueryId: string;
  NextToken?: string;
  Rows: Row[];
  ColumnInfo: ColumnInfo[];
  QueryStatus?: {
    ProgressPercentage?: number;
    CumulativeBytesScanned?: number;
    CumulativeBytesMetered?: number;
  };
}

/** `double`, `array(bigint)`, `timeseries(double)`, `row(a varchar, b bigint)`. */
export function typeName(type: ColumnType): string {
  if (type.ScalarType) return type.ScalarType.toLowerCase();
  if (type.ArrayColumnInfo) return `array(${typeName(type.ArrayColumnInfo.Type)})`;
  if (type.TimeSeriesMeasureValueColumnInfo)
    return `timeseries(${typeName(type.TimeSeriesMeasureValueColumnInfo.Type)})`;
  if (type.RowColumnInfo)
    return `row(${type.RowColumnInfo.map((c) => `${c.Name ?? ""} ${typeName(c.Type)}`.trim()).join(", ")})`;
  return "unknown";
}

/** A cell as Timestream's text would show it. */
export function datumText(d: Datum): string {
  if (d.NullValue) return "NULL";
  if (d.ScalarValue !== undefined) return d.ScalarValue;
  if (d.ArrayValue) return `[${d.ArrayValue.map(datumText).join(", ")}]`;
  if (d.TimeSeriesValue)
    return `[${d.TimeSeriesValue.map((p) => `{time=${p.Time}, value=${datumText(p.Value)}}`).join(", ")}]`;
  if (d.RowValue) return `{${d.RowValue.Data.map(datumText).join(", ")}}`;
  return "";
}

const NUMERIC = new Set(["DOUBLE", "BIGINT", "INTEGER"]);

export function isNumeric(type: ColumnType): boolean {
  return NUMERIC.has(type.ScalarType ?? "");
}

/** Seconds since the epoch (uPlot's unit) of Timestream's `2024-01-02 03:04:05.123456789`. */
export function timestampSeconds(text: string): number | null {
  const m = /^(-?\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?/.exec(text);
  if (!m) return null;
  const whole = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000;
  const fraction = m[7] ? Number(`0.${m[7]}`) : 0;
  return whole + fraction;
}

export function numberOf(d: Datum): number | null {
  if (d.NullValue || d.ScalarValue === undefined) return null;
  const v = Number(d.ScalarValue);
  return Number.isFinite(v) ? v : null;
}
