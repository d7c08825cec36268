//! The rows of the `tags` table: a resource's tags set on creation or by TagResource, and dropped
//! with it. The operations on tags (tags.rs) and the resources' own (databases.rs, tables.rs,
//! scheduled_queries.rs) use these; this file uses none of them, so the catalog's modules do
//! not import each other in a cycle.

use protocol::shapes::Tag;
use rusqlite::{params, Transaction};

use crate::{Error, Result};

/// At most this many tags on one resource (the model's per-request maximum).
pub const TAG_QUOTA: usize = 200;

/// Sets tags on `arn`, overwriting the values of keys it has already.
pub(super) fn tag(tx: &Transaction<'_>, arn: &str, tags: &[Tag]) -> Result<()> {
    if tags.is_empty() {
        return Ok(());
    }
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO tags (arn, key, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (arn, key) DO UPDATE SET value = excluded.value",
        )?;
        for t in tags {
            stmt.execute(params![arn, t.key, t.value])?;
        }
    }
    let count: usize = tx.query_row(
        "SELECT COUNT(*) FROM tags WHERE arn = ?1",
        params![arn],
        |r| r.get(0),
    )?;
    if count > TAG_QUOTA {
        return Err(Error::TagQuota {
            arn: arn.to_owned(),
            count,
            limit: TAG_QUOTA,
        });
    }
    Ok(())
}

/// Drops the tags of `arn` and of every resource under it (a database's tables).
pub(super) fn drop_all(tx: &Transaction<'_>, arn: &str) -> Result<()> {
    tx.execute(
        "DELETE FROM tags WHERE arn = ?1 OR arn LIKE ?2",
        params![arn, format!("{arn}/%")],
    )?;
    Ok(())
}
