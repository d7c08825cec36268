//! Result cursors behind `NextToken`: the rows a query still has to return, bound to the query
//! string and the caller's scope. Only the latest token of a chain is valid; a cursor expires an
//! hour after its query ran (AWS's rules, wire-protocol.md §5.5).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use datafusion::arrow::record_batch::RecordBatch;
use engine::Scope;
use protocol::operations::query::{ColumnInfo, QueryOutput, QueryStatus, Row};

use crate::encode;

const TTL: Duration = Duration::from_secs(3600);
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
    pub created: Instant,
}

impl Cursor {
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
        }
    }
}

#[derive(Default)]
pub struct Cursors {
    open: HashMap<String, Cursor>,
}

impl Cursors {
    pub fn insert(&mut self, token: String, cursor: Cursor) {
        self.open.retain(|_, c| c.created.elapsed() < TTL);
        self.open.insert(token, cursor);
    }

    /// Takes the cursor of `token` if it belongs to this scope and query string.
    pub fn take(&mut self, token: &str, scope: &Scope, query_string: &str) -> Option<Cursor> {
        let valid = self.open.get(token).is_some_and(|c| {
            &c.scope == scope && c.query_string == query_string && c.created.elapsed() < TTL
        });
        if valid {
            self.open.remove(token)
        } else {
            None
        }
    }
}
