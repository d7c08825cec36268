//! QueryInsights of a finished run.

use datafusion::arrow::array::RecordBatch;
use engine::Scope;
use protocol::operations::query::{
    QueryInsightsResponse, QuerySpatialCoverage, QuerySpatialCoverageMax, QueryTemporalRange,
    QueryTemporalRangeMax,
};

use crate::provider::Scan;

use super::QueryService;

impl QueryService {
    /// QueryInsights of a finished run: the tables it read, the widest time range one of them
    /// was read over (an open side counts from the table's retention floor / up to now), and
    /// the output's size. Every series of a table is read (no spatial pruning), so spatial
    /// coverage is 1 for each table read.
    pub(crate) fn insights(
        &self,
        scope: &Scope,
        scans: &[Scan],
        batches: &[RecordBatch],
        now: i64,
    ) -> QueryInsightsResponse {
        let widest = scans
            .iter()
            .map(|s| {
                // The retention the query resolved the table with: no catalog read here.
                let floor = now.saturating_sub(s.retention_ns);
                let range = s
                    .upper
                    .unwrap_or(now)
                    .min(now)
                    .saturating_sub(s.lower.unwrap_or(floor).max(floor))
                    .max(0);
                (range, s)
            })
            .max_by_key(|(range, _)| *range);
        let output_rows = batches.iter().map(|b| b.num_rows() as i64).sum();
        let output_bytes = batches
            .iter()
            .map(|b| b.get_array_memory_size() as i64)
            .sum();
        let mut tables: Vec<(&str, &str)> = scans
            .iter()
            .map(|s| (s.database.as_str(), s.table.as_str()))
            .collect();
        tables.sort_unstable();
        tables.dedup();
        QueryInsightsResponse {
            query_spatial_coverage: widest.map(|(_, s)| QuerySpatialCoverage {
                max: QuerySpatialCoverageMax {
                    value: 1.0,
                    table_arn: scope.table_arn(&s.database, &s.table),
                    partition_key: vec!["measure_name".into()],
                },
            }),
            query_temporal_range: widest.map(|(range, s)| QueryTemporalRange {
                max: QueryTemporalRangeMax {
                    value: range,
                    table_arn: scope.table_arn(&s.database, &s.table),
                },
            }),
            query_table_count: tables.len() as i64,
            output_rows,
            output_bytes,
        }
    }
}
