//! What the query service remembers between calls (wire-protocol.md §5.5): the cursors behind
//! `NextToken`s, the queries running now (so that `CancelQuery` can stop them), the queries
//! cancelled, and the first answers given to each `ClientToken`.
//!
//! - Only the latest token of a chain is valid, bound to the caller's scope and query string; a
//!   cursor expires an hour after its query ran.
//! - A cancelled query's cursor answers `ConflictException` ("Unable to poll results for a
//!   cancelled query"); cancelling again answers a `CancellationMessage`.
//! - A `ClientToken` seen within 5 minutes with the same parameters gets the same first page
//!   again (same `QueryId`); with other parameters, or between 5 minutes and 4 hours later, the
//!   call fails; after 4 hours the token is new.
//! - What is kept is bounded ([`QueryLimits`]): past the count or byte cap of cursors, or the
//!   count cap of ClientToken answers, the oldest are dropped (their tokens then answer as
//!   expired ones do).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use engine::Scope;
use protocol::operations::query::{QueryInput, QueryOutput};
use tokio::sync::Notify;

use crate::cursor::Cursor;
use crate::{Error, QueryLimits};

const CURSOR_TTL: Duration = Duration::from_secs(3600);
const IDEMPOTENCY_WINDOW: Duration = Duration::from_secs(5 * 60);
const CLIENT_TOKEN_TTL: Duration = Duration::from_secs(4 * 3600);

pub struct Registry {
    cursors: HashMap<String, Cursor>,
    max_cursors: usize,
    max_cursor_bytes: usize,
    max_client_tokens: usize,
    running: HashMap<String, Running>,
    cancelled: HashMap<String, (Scope, Instant)>,
    first_answers: HashMap<String, FirstAnswer>,
}

struct FirstAnswer {
    scope: Scope,
    query_string: String,
    max_rows: Option<i32>,
    output: QueryOutput,
    at: Instant,
}

struct Running {
    scope: Scope,
    cancel: Arc<Notify>,
    query_string: String,
    client_token: Option<String>,
    started: Instant,
}

/// A query running now, as the admin API lists it (the console finds its own by `ClientToken`
/// to cancel it: a `Query` call answers only when its query has finished).
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunningQuery {
    pub query_id: String,
    pub account: String,
    pub region: String,
    pub query_string: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    pub elapsed_ms: u64,
}

/// What `CancelQuery` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Cancellation {
    Cancelled,
    AlreadyCancelled,
}

impl Registry {
    pub fn new(limits: &QueryLimits) -> Self {
        Self {
            cursors: HashMap::new(),
            max_cursors: limits.max_cursors,
            max_cursor_bytes: limits.max_cursor_bytes,
            max_client_tokens: limits.max_client_tokens,
            running: HashMap::new(),
            cancelled: HashMap::new(),
            first_answers: HashMap::new(),
        }
    }

    pub fn insert_cursor(&mut self, token: String, cursor: Cursor) {
        self.cursors.retain(|_, c| c.created.elapsed() < CURSOR_TTL);
        self.cancelled
            .retain(|_, (_, at)| at.elapsed() < CURSOR_TTL);
        self.cursors.insert(token, cursor);
        let mut bytes: usize = self.cursors.values().map(Cursor::bytes).sum();
        while self.cursors.len() > self.max_cursors
            || (bytes > self.max_cursor_bytes && self.cursors.len() > 1)
        {
            match drop_oldest(&mut self.cursors, |c| c.created) {
                Some(dropped) => bytes -= dropped.bytes(),
                None => break,
            }
        }
    }

    /// The cursor of `token`, if it belongs to this scope and query string.
    pub fn take_cursor(
        &mut self,
        token: &str,
        scope: &Scope,
        query_string: &str,
    ) -> Result<Cursor, Error> {
        let valid = self.cursors.get(token).is_some_and(|c| {
            &c.scope == scope && c.query_string == query_string && c.created.elapsed() < CURSOR_TTL
        });
        let cursor = valid
            .then(|| self.cursors.remove(token))
            .flatten()
            .ok_or(Error::InvalidToken)?;
        if self.cancelled.contains_key(&cursor.query_id) {
            return Err(Error::PollCancelled);
        }
        Ok(cursor)
    }

    /// Registers a run; the returned `Notify` fires when it is cancelled.
    pub fn start(&mut self, query_id: &str, scope: &Scope, input: &QueryInput) -> Arc<Notify> {
        let cancel = Arc::new(Notify::new());
        self.running.insert(
            query_id.to_owned(),
            Running {
                scope: scope.clone(),
                cancel: cancel.clone(),
                query_string: input.query_string.clone(),
                client_token: input.client_token.clone(),
                started: Instant::now(),
            },
        );
        cancel
    }

    /// Every query running now, longest-running first.
    pub fn running(&self) -> Vec<RunningQuery> {
        let mut running: Vec<_> = self
            .running
            .iter()
            .map(|(query_id, r)| RunningQuery {
                query_id: query_id.clone(),
                account: r.scope.account.clone(),
                region: r.scope.region.clone(),
                query_string: r.query_string.clone(),
                client_token: r.client_token.clone(),
                elapsed_ms: u64::try_from(r.started.elapsed().as_millis()).unwrap_or(u64::MAX),
            })
            .collect();
        running.sort_by_key(|r| std::cmp::Reverse(r.elapsed_ms));
        running
    }

    pub fn finish(&mut self, query_id: &str) {
        self.running.remove(query_id);
    }

    pub fn cancel(&mut self, query_id: &str, scope: &Scope) -> Result<Cancellation, Error> {
        if self
            .cancelled
            .get(query_id)
            .is_some_and(|(s, _)| s == scope)
        {
            return Ok(Cancellation::AlreadyCancelled);
        }
        let running = self.running.get(query_id).filter(|r| &r.scope == scope);
        let paged = self
            .cursors
            .values_mut()
            .find(|c| c.query_id == query_id && &c.scope == scope);
        match (running, paged) {
            (Some(running), _) => running.cancel.notify_one(),
            // The remaining rows are dropped now; the token stays to answer its poller.
            (None, Some(cursor)) => cursor.batches.clear(),
            (None, None) => return Err(Error::UnknownQuery(query_id.to_owned())),
        }
        self.cancelled
            .insert(query_id.to_owned(), (scope.clone(), Instant::now()));
        Ok(Cancellation::Cancelled)
    }

    /// The first page given earlier for this client token, if the call repeats it.
    pub fn replay(
        &mut self,
        client_token: &str,
        scope: &Scope,
        input: &QueryInput,
    ) -> Result<Option<QueryOutput>, Error> {
        self.first_answers
            .retain(|_, a| a.at.elapsed() < CLIENT_TOKEN_TTL);
        let Some(answer) = self
            .first_answers
            .get(client_token)
            .filter(|a| &a.scope == scope)
        else {
            return Ok(None);
        };
        if answer.at.elapsed() >= IDEMPOTENCY_WINDOW {
            return Err(Error::ClientToken(
                "The ClientToken was used outside of its 5-minute idempotency window".into(),
            ));
        }
        if answer.query_string != input.query_string || answer.max_rows != input.max_rows {
            return Err(Error::ClientToken(
                "The ClientToken was already used with different parameters".into(),
            ));
        }
        Ok(Some(answer.output.clone()))
    }

    pub fn remember(
        &mut self,
        client_token: String,
        scope: &Scope,
        input: &QueryInput,
        output: &QueryOutput,
    ) {
        while self.first_answers.len() >= self.max_client_tokens
            && drop_oldest(&mut self.first_answers, |a| a.at).is_some()
        {}
        self.first_answers.insert(
            client_token,
            FirstAnswer {
                scope: scope.clone(),
                query_string: input.query_string.clone(),
                max_rows: input.max_rows,
                output: output.clone(),
                at: Instant::now(),
            },
        );
    }
}

/// Removes and returns the entry of `map` that `since` says is oldest.
fn drop_oldest<V>(map: &mut HashMap<String, V>, since: impl Fn(&V) -> Instant) -> Option<V> {
    let oldest = map
        .iter()
        .min_by_key(|(_, v)| since(v))
        .map(|(k, _)| k.clone())?;
    map.remove(&oldest)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use datafusion::arrow::array::{Int64Array, RecordBatch};
    use protocol::operations::query::QueryStatus;

    fn cursor(rows: i64) -> Cursor {
        let batch = RecordBatch::try_from_iter([(
            "x",
            Arc::new(Int64Array::from_iter_values(0..rows)) as _,
        )])
        .unwrap();
        Cursor {
            scope: Scope::new("1", "r"),
            query_string: "q".into(),
            query_id: "id".into(),
            columns: vec![],
            batches: vec![batch],
            batch: 0,
            row: 0,
            status: QueryStatus {
                progress_percentage: 100.0,
                cumulative_bytes_scanned: 0,
                cumulative_bytes_metered: 0,
            },
            insights: None,
            created: Instant::now(),
        }
    }

    fn registry(max_cursors: usize, max_cursor_bytes: usize) -> Registry {
        Registry::new(&QueryLimits {
            max_cursors,
            max_cursor_bytes,
            ..QueryLimits::default()
        })
    }

    fn kept(r: &mut Registry, token: &str) -> bool {
        r.take_cursor(token, &Scope::new("1", "r"), "q").is_ok()
    }

    #[test]
    fn past_the_count_cap_the_oldest_cursor_goes() {
        let mut r = registry(2, usize::MAX);
        for token in ["a", "b", "c"] {
            r.insert_cursor(token.into(), cursor(10));
        }
        assert!(!kept(&mut r, "a"));
        assert!(kept(&mut r, "b"));
        assert!(kept(&mut r, "c"));
    }

    #[test]
    fn past_the_byte_cap_the_oldest_cursors_go_but_the_newest_stays() {
        let one = cursor(100_000).bytes();
        let mut r = registry(100, 2 * one + one / 2);
        for token in ["a", "b", "c"] {
            r.insert_cursor(token.into(), cursor(100_000));
        }
        assert!(!kept(&mut r, "a"));
        assert!(kept(&mut r, "b") && kept(&mut r, "c"));
        // A cursor larger than the cap is still kept: it is the newest.
        let mut r = registry(100, one / 2);
        r.insert_cursor("big".into(), cursor(100_000));
        assert!(kept(&mut r, "big"));
    }
}
