//! TagResource, UntagResource, ListTagsForResource (§5.8). Tags are keyed by ARN; an ARN names
//! a resource only inside the caller's scope, as in AWS.

use protocol::shapes::Tag;
use rusqlite::{params, Connection};

use super::databases::database_exists;
use super::scheduled_queries::scheduled_query_exists;
use super::tables::find_table;
use super::tag_rows::{tag, TAG_QUOTA};
use crate::pagination::{self, page_size};
use crate::{Engine, Error, Result, Scope};

impl Engine {
    pub fn tag_resource(&self, scope: &Scope, arn: &str, tags: &[Tag]) -> Result<()> {
        self.write(|tx| {
            ensure_resource(tx, scope, arn)?;
            tag(tx, arn, tags)
        })
    }

    pub fn untag_resource(&self, scope: &Scope, arn: &str, keys: &[String]) -> Result<()> {
        self.write(|tx| {
            ensure_resource(tx, scope, arn)?;
            let mut stmt = tx.prepare_cached("DELETE FROM tags WHERE arn = ?1 AND key = ?2")?;
            for key in keys {
                stmt.execute(params![arn, key])?;
            }
            Ok(())
        })
    }

    /// Tags in key order; `max_results`/`next_token` page them (the query service's variant).
    pub fn list_tags_for_resource(
        &self,
        scope: &Scope,
        arn: &str,
        max_results: Option<i32>,
        next_token: Option<&str>,
    ) -> Result<(Vec<Tag>, Option<String>)> {
        let after = next_token
            .map(pagination::decode)
            .transpose()?
            .unwrap_or_default();
        let limit = page_size(max_results, TAG_QUOTA);
        self.read(|conn| {
            ensure_resource(conn, scope, arn)?;
            let mut stmt = conn.prepare_cached(
                "SELECT key, value FROM tags WHERE arn = ?1 AND key > ?2 ORDER BY key LIMIT ?3",
            )?;
            let mut tags = stmt
                .query_map(params![arn, after, limit as i64 + 1], |r| {
                    Ok(Tag {
                        key: r.get(0)?,
                        value: r.get(1)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let next = if tags.len() > limit {
                tags.truncate(limit);
                tags.last().map(|t| pagination::encode(&t.key))
            } else {
                None
            };
            Ok((tags, next))
        })
    }
}

/// Fails with ResourceNotFoundException unless `arn` names a live database, table or scheduled
/// query of `scope`.
fn ensure_resource(conn: &Connection, scope: &Scope, arn: &str) -> Result<()> {
    let not_found = || Error::ResourceNotFound(arn.to_owned());
    let prefix = format!("arn:aws:timestream:{}:{}:", scope.region, scope.account);
    let resource = arn.strip_prefix(&prefix).ok_or_else(not_found)?;
    let exists = if resource.starts_with("scheduled-query/") {
        scheduled_query_exists(conn, scope, arn)?
    } else {
        let rest = resource.strip_prefix("database/").ok_or_else(not_found)?;
        match rest.split_once("/table/") {
            Some((db, table)) => find_table(conn, scope, db, table)?.is_some(),
            None => database_exists(conn, scope, rest)?,
        }
    };
    if exists {
        Ok(())
    } else {
        Err(not_found())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{create_database, engine, scope};
    use super::*;
    use protocol::operations::create_database::CreateDatabaseInput;

    fn tag(k: &str, v: &str) -> Tag {
        Tag {
            key: k.into(),
            value: v.into(),
        }
    }

    #[test]
    fn create_tag_overwrite_untag() {
        let e = engine();
        let db = e
            .create_database(
                &scope(),
                CreateDatabaseInput {
                    database_name: "tagged".into(),
                    kms_key_id: None,
                    tags: vec![tag("team", "a")],
                },
            )
            .unwrap();
        e.tag_resource(&scope(), &db.arn, &[tag("team", "b"), tag("env", "dev")])
            .unwrap();
        let (tags, _) = e
            .list_tags_for_resource(&scope(), &db.arn, None, None)
            .unwrap();
        assert_eq!(tags, [tag("env", "dev"), tag("team", "b")]);
        e.untag_resource(&scope(), &db.arn, &["env".into()])
            .unwrap();
        let (tags, _) = e
            .list_tags_for_resource(&scope(), &db.arn, None, None)
            .unwrap();
        assert_eq!(tags, [tag("team", "b")]);
        e.delete_database(&scope(), "tagged").unwrap();
        assert!(matches!(
            e.list_tags_for_resource(&scope(), &db.arn, None, None),
            Err(Error::ResourceNotFound(_))
        ));
    }

    #[test]
    fn unknown_and_foreign_arns_are_not_found() {
        let e = engine();
        create_database(&e, "d");
        for arn in [
            "arn:aws:timestream:us-east-1:123456789012:database/nope",
            "arn:aws:timestream:eu-west-1:123456789012:database/d",
            "arn:aws:timestream:us-east-1:123456789012:database/d/table/x",
            "not-an-arn",
        ] {
            assert!(
                matches!(
                    e.tag_resource(&scope(), arn, &[tag("a", "b")]),
                    Err(Error::ResourceNotFound(_))
                ),
                "{arn}"
            );
        }
    }
}
