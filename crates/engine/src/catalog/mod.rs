//! The catalog operations (wire-protocol.md §5.2, §5.3, §5.7, §5.8), one file per resource.

mod account_settings;
mod batch_load_tasks;
mod databases;
mod scheduled_queries;
mod tables;
mod tag_rows;
mod tags;

pub use batch_load_tasks::{
    BatchLoadPosition, BatchLoadRowError, StoredBatchLoadTask, ACTIVE_TASKS_PER_ACCOUNT,
    ACTIVE_TASKS_PER_TABLE, RESUMABLE_FOR_NS,
};
pub use scheduled_queries::{DueInvocation, RecordedRun, StoredScheduledQuery};
pub(crate) use tables::{settings_by_id, TableSettings};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{Engine, Result, Scope};

/// AWS caps list pages of the catalog at 20 and fills pages fully by default.
const DEFAULT_PAGE: usize = 20;

/// The KMS key AWS uses when none is given: the account's Timestream-managed key. Ours is a
/// stable, made-up key id per (account, region), so repeated runs describe the same ARN.
fn managed_kms_key(scope: &Scope) -> String {
    let digest = hex::encode(Sha256::digest(format!(
        "{}/{}",
        scope.account, scope.region
    )));
    format!(
        "arn:aws:kms:{}:{}:key/{}-{}-{}-{}-{}",
        scope.region,
        scope.account,
        &digest[0..8],
        &digest[8..12],
        &digest[12..16],
        &digest[16..20],
        &digest[20..32]
    )
}

/// What the admin API's state summary shows per (account, region).
#[derive(Debug, Serialize)]
pub struct StateSummary {
    pub scopes: Vec<ScopeSummary>,
}

#[derive(Debug, Serialize)]
pub struct ScopeSummary {
    pub account: String,
    pub region: String,
    pub databases: i64,
    pub tables: i64,
}

impl Engine {
    pub fn state_summary(&self) -> Result<StateSummary> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT d.account, d.region, COUNT(*),
                        (SELECT COUNT(*) FROM tables t WHERE t.account = d.account AND t.region = d.region)
                 FROM databases d GROUP BY d.account, d.region ORDER BY d.account, d.region",
            )?;
            let scopes = stmt
                .query_map([], |r| {
                    Ok(ScopeSummary {
                        account: r.get(0)?,
                        region: r.get(1)?,
                        databases: r.get(2)?,
                        tables: r.get(3)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(StateSummary { scopes })
        })
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use protocol::operations::create_database::CreateDatabaseInput;
    use protocol::operations::create_table::CreateTableInput;

    use crate::{Clock, Engine, Scope};

    pub fn engine() -> Engine {
        let clock = Clock::default();
        clock.freeze_at_ns(1_700_000_000_123_000_000);
        Engine::open(None, clock).unwrap()
    }

    pub fn scope() -> Scope {
        Scope::new("123456789012", "us-east-1")
    }

    /// A database with AWS's defaults (no KMS key, no tags).
    pub fn create_database(e: &Engine, database: &str) {
        e.create_database(
            &scope(),
            CreateDatabaseInput {
                database_name: database.into(),
                kms_key_id: None,
                tags: vec![],
            },
        )
        .unwrap();
    }

    /// A table with AWS's defaults (retention, no magnetic-store writes, no schema, no tags).
    pub fn create_table(e: &Engine, database: &str, table: &str) {
        e.create_table(
            &scope(),
            CreateTableInput {
                database_name: database.into(),
                table_name: table.into(),
                retention_properties: None,
                tags: vec![],
                magnetic_store_write_properties: None,
                schema: None,
            },
        )
        .unwrap();
    }
}
