//! Result cursors behind `NextToken`: the rows a query still has to return, bound to the query
//! string and the caller's scope (kept by [`crate::registry`]), paged under `MaxRows` and AWS's
//! 1 MB cap.

use std::time::Instant;

use datafusion::arrow::record_batch::RecordBatch;
use engine::Scope;
use protocol::operations::query::{
    ColumnInfo, QueryInsightsResponse, QueryOutput, QueryStatus, Row,
};

use crate::encode;

/// AWS's page cap.
pub const MAX_PAGE_BYTES: usize = 1024 * 1024;

pub struct Cursor {
    pub scope: Scope,
    pub query_string: String,
    pub query_id: String,
    pub columns: Vec<ColumnInfo>,
    pub batches: Vec<RecordBatch>,
    pub batch: usize,
    pub row: usize,
    pub status: QueryStatus,
    /// Sent with every page when the query asked for insights.
    pub insights: Option<QueryInsightsResponse>,
    pub created: Instant,
}

impl Cursor {
    /// Memory its remaining rows hold (for the registry's cap).
    pub fn bytes(&self) -> usize {
        self.batches
            .iter()
            .skip(self.batch)
            .map(RecordBatch::get_array_memory_size)
            .sum()
    }

    fn exhausted(&self) -> bool {
        self.batch >= self.batches.len()
    }

    /// The next page: at most `max_rows` rows and about 1 MB of JSON.
    pub fn page(&mut self, max_rows: Option<usize>) -> (Vec<Row>, bool) {
        let limit = max_rows.unwrap_or(usize::MAX);
        let mut rows = Vec::new();
        let mut bytes = 0;
        while rows.len() < limit && !self.exhausted() {
            let batch = &self.batches[self.batch];
            if self.row >= batch.num_rows() {
                self.batch += 1;
                self.row = 0;
                continue;
            }
            let row = encode::row(batch.columns(), self.row);
            let size = serde_json::to_vec(&row).map(|v| v.len()).unwrap_or(0);
            if !rows.is_empty() && bytes + size > MAX_PAGE_BYTES {
                break;
            }
            bytes += size;
            rows.push(row);
            self.row += 1;
        }
        while !self.exhausted() && self.row >= self.batches[self.batch].num_rows() {
            self.batch += 1;
            self.row = 0;
        }
        let more = !self.exhausted();
        (rows, more)
    }

    pub fn output(&self, rows: Vec<Row>, next_token: Option<String>) -> QueryOutput {
        QueryOutput {
            query_id: self.query_id.clone(),
            next_token,
            rows,
            column_info: self.columns.clone(),
            query_status: self.status.clone(),
            query_insights_response: self.insights.clone(),
        }
    }
}
