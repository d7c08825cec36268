// The queries of the walkthrough users follow (shared/reference/timestream-walkthrough.md),
// verbatim: they run against the walkthrough's monitoring.server_metrics table.

export interface Sample {
  title: string;
  sql: string;
}

export const SAMPLES: Sample[] = [
  {
    title: "Latest CPU usage per server",
    sql: `SELECT hostname, measure_value::double AS cpu_usage, time
FROM monitoring.server_metrics
WHERE measure_name = 'cpu_usage'
  AND time > ago(1h)
ORDER BY time DESC`,
  },
  {
    title: "Average CPU in 5-minute buckets",
    sql: `SELECT hostname,
       bin(time, 5m) AS five_min_bucket,
       AVG(measure_value::double) AS avg_cpu,
       MAX(measure_value::double) AS max_cpu
FROM monitoring.server_metrics
WHERE measure_name = 'cpu_usage'
  AND time > ago(1h)
GROUP BY hostname, bin(time, 5m)
ORDER BY five_min_bucket DESC`,
  },
  {
    title: "Servers above 90% CPU",
    sql: `SELECT DISTINCT hostname
FROM monitoring.server_metrics
WHERE measure_name = 'cpu_usage'
  AND measure_value::double > 90.0
  AND time > ago(15m)`,
  },
  {
    title: "Linear interpolation",
    sql: `SELECT hostname,
       INTERPOLATE_LINEAR(
         CREATE_TIME_SERIES(time, measure_value::double),
         SEQUENCE(ago(1h), now(), 1m)
       ) AS interpolated_cpu
FROM monitoring.server_metrics
WHERE measure_name = 'cpu_usage'
  AND time > ago(1h)
GROUP BY hostname`,
  },
  {
    title: "Change from previous value",
    sql: `SELECT hostname, time,
       measure_value::double AS current_value,
       measure_value::double - LAG(measure_value::double) OVER (
         PARTITION BY hostname ORDER BY time
       ) AS change_from_previous
FROM monitoring.server_metrics
WHERE measure_name = 'cpu_usage'
  AND time > ago(1h)
ORDER BY hostname, time`,
  },
];
