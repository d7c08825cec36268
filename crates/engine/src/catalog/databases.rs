//! CreateDatabase, DescribeDatabase, ListDatabases, UpdateDatabase, DeleteDatabase (§5.2).

use protocol::operations::create_database::CreateDatabaseInput;
use protocol::shapes::Database;
use protocol::timestamp::from_nanos;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{managed_kms_key, tag_rows, DEFAULT_PAGE};
use crate::pagination::{self, page_size};
use crate::{Engine, Error, Result, Scope};

/// Databases per account and region (AWS quota).
pub const DATABASE_QUOTA: usize = 500;

const SELECT: &str = "SELECT d.name, d.kms_key_id, d.created_ns, d.updated_ns,
        (SELECT COUNT(*) FROM tables t WHERE t.account = d.account AND t.region = d.region AND t.database = d.name)
    FROM databases d";

impl Engine {
    pub fn create_database(&self, scope: &Scope, input: CreateDatabaseInput) -> Result<Database> {
        let now = self.clock().now_ns();
        self.write(|tx| {
            if database_exists(tx, scope, &input.database_name)? {
                return Err(Error::DatabaseExists(input.database_name));
            }
            let count: usize = tx.query_row(
                "SELECT COUNT(*) FROM databases WHERE account = ?1 AND region = ?2",
                params![scope.account, scope.region],
                |r| r.get(0),
            )?;
            if count >= DATABASE_QUOTA {
                return Err(Error::DatabaseQuota {
                    limit: DATABASE_QUOTA,
                });
            }
            let kms = input.kms_key_id.unwrap_or_else(|| managed_kms_key(scope));
            tx.execute(
                "INSERT INTO databases (account, region, name, kms_key_id, created_ns, updated_ns)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                params![scope.account, scope.region, input.database_name, kms, now],
            )?;
            tag_rows::tag(tx, &scope.database_arn(&input.database_name), &input.tags)?;
            load_database(tx, scope, &input.database_name)
        })
    }

    pub fn describe_database(&self, scope: &Scope, name: &str) -> Result<Database> {
        self.read(|conn| load_database(conn, scope, name))
    }

    /// Every database name of the scope, in name order (the query catalog's view).
    pub fn database_names(&self, scope: &Scope) -> Result<Vec<String>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT name FROM databases WHERE account = ?1 AND region = ?2 ORDER BY name",
            )?;
            let names = stmt
                .query_map(params![scope.account, scope.region], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            Ok(names)
        })
    }

    /// One page of databases in name order, and the token of the next page if there is one.
    pub fn list_databases(
        &self,
        scope: &Scope,
        max_results: Option<i32>,
        next_token: Option<&str>,
    ) -> Result<(Vec<Database>, Option<String>)> {
        let after = next_token.map(pagination::decode).transpose()?;
        let limit = page_size(max_results, DEFAULT_PAGE);
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "{SELECT} WHERE d.account = ?1 AND d.region = ?2 AND d.name > ?3 ORDER BY d.name LIMIT ?4"
            ))?;
            let mut rows = stmt
                .query_map(
                    params![scope.account, scope.region, after.unwrap_or_default(), limit as i64 + 1],
                    |r| to_database(scope, r),
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let next = (rows.len() > limit).then(|| {
                rows.truncate(limit);
                rows.last().map(|d| pagination::encode(&d.database_name))
            });
            Ok((rows, next.flatten()))
        })
    }

    /// Changes the KMS key; the same key again changes nothing, not even `LastUpdatedTime`.
    pub fn update_database(&self, scope: &Scope, name: &str, kms_key_id: &str) -> Result<Database> {
        let now = self.clock().now_ns();
        self.write(|tx| {
            let current = load_database(tx, scope, name)?;
            if current.kms_key_id != kms_key_id {
                tx.execute(
                    "UPDATE databases SET kms_key_id = ?4, updated_ns = ?5
                     WHERE account = ?1 AND region = ?2 AND name = ?3",
                    params![scope.account, scope.region, name, kms_key_id, now],
                )?;
            }
            load_database(tx, scope, name)
        })
    }

    /// Deletes an empty database and its tags; one with tables is a ValidationException.
    pub fn delete_database(&self, scope: &Scope, name: &str) -> Result<()> {
        self.write(|tx| {
            let db = load_database(tx, scope, name)?;
            if db.table_count > 0 {
                return Err(Error::DatabaseNotEmpty(name.to_owned()));
            }
            tx.execute(
                "DELETE FROM databases WHERE account = ?1 AND region = ?2 AND name = ?3",
                params![scope.account, scope.region, name],
            )?;
            tag_rows::drop_all(tx, &db.arn)?;
            Ok(())
        })
    }
}

pub(super) fn database_exists(conn: &Connection, scope: &Scope, name: &str) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM databases WHERE account = ?1 AND region = ?2 AND name = ?3",
            params![scope.account, scope.region, name],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

pub(super) fn load_database(conn: &Connection, scope: &Scope, name: &str) -> Result<Database> {
    conn.query_row(
        &format!("{SELECT} WHERE d.account = ?1 AND d.region = ?2 AND d.name = ?3"),
        params![scope.account, scope.region, name],
        |r| to_database(scope, r),
    )
    .optional()?
    .ok_or_else(|| Error::DatabaseNotFound(name.to_owned()))
}

fn to_database(scope: &Scope, r: &Row<'_>) -> rusqlite::Result<Database> {
    let name: String = r.get(0)?;
    Ok(Database {
        arn: scope.database_arn(&name),
        database_name: name,
        kms_key_id: r.get(1)?,
        creation_time: from_nanos(r.get(2)?),
        last_updated_time: from_nanos(r.get(3)?),
        table_count: r.get(4)?,
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{engine, scope};
    use super::*;

    fn create(e: &Engine, name: &str) -> Result<Database> {
        e.create_database(
            &scope(),
            CreateDatabaseInput {
                database_name: name.into(),
                kms_key_id: None,
                tags: vec![],
            },
        )
    }

    #[test]
    fn create_describe_conflict() {
        let e = engine();
        let db = create(&e, "monitoring").unwrap();
        assert_eq!(
            db.arn,
            "arn:aws:timestream:us-east-1:123456789012:database/monitoring"
        );
        assert_eq!(db.table_count, 0);
        assert_eq!(db.creation_time, db.last_updated_time);
        assert!(db
            .kms_key_id
            .starts_with("arn:aws:kms:us-east-1:123456789012:key/"));
        assert_eq!(e.describe_database(&scope(), "monitoring").unwrap(), db);
        assert!(matches!(
            create(&e, "monitoring"),
            Err(Error::DatabaseExists(_))
        ));
        let err = e.describe_database(&scope(), "Monitoring").unwrap_err();
        assert_eq!(err.to_string(), "The database Monitoring does not exist.");
    }

    #[test]
    fn scopes_are_isolated() {
        let e = engine();
        create(&e, "shared").unwrap();
        let other = Scope::new("123456789012", "eu-west-1");
        assert!(matches!(
            e.describe_database(&other, "shared"),
            Err(Error::DatabaseNotFound(_))
        ));
    }

    #[test]
    fn pages_cover_every_database_once() {
        let e = engine();
        for i in 0..25 {
            create(&e, &format!("db{i:02}")).unwrap();
        }
        let mut seen = vec![];
        let mut token = None;
        let mut sizes = vec![];
        loop {
            let (page, next) = e
                .list_databases(&scope(), Some(10), token.as_deref())
                .unwrap();
            sizes.push(page.len());
            seen.extend(page.into_iter().map(|d| d.database_name));
            match next {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        assert_eq!(sizes, [10, 10, 5]);
        assert_eq!(seen.len(), 25);
        assert!(seen.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn update_same_key_keeps_last_updated_time() {
        let e = engine();
        let db = create(&e, "kms").unwrap();
        e.clock().advance_ns(5_000_000_000);
        let same = e.update_database(&scope(), "kms", &db.kms_key_id).unwrap();
        assert_eq!(same.last_updated_time, db.last_updated_time);
        let changed = e.update_database(&scope(), "kms", "alias/mine").unwrap();
        assert_eq!(changed.kms_key_id, "alias/mine");
        assert!(changed.last_updated_time.as_secs_f64() > db.last_updated_time.as_secs_f64());
    }

    #[test]
    fn quota() {
        let e = engine();
        for i in 0..DATABASE_QUOTA {
            create(&e, &format!("db{i:04}")).unwrap();
        }
        assert!(matches!(
            create(&e, "onemore"),
            Err(Error::DatabaseQuota { .. })
        ));
    }
}
