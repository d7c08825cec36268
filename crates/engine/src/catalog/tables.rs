//! CreateTable, DescribeTable, ListTables, UpdateTable, DeleteTable (§5.3).

use std::sync::Arc;

use protocol::operations::create_table::CreateTableInput;
use protocol::operations::update_table::UpdateTableInput;
use protocol::shapes::{
    MagneticStoreWriteProperties, PartitionKey, PartitionKeyType, RetentionProperties, Schema,
    Table,
};
use protocol::timestamp::from_nanos;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::databases::database_exists;
use super::{tag_rows, DEFAULT_PAGE};
use crate::pagination::{self, page_size};
use crate::{Engine, Error, Result, Scope};

/// Tables per account and region (AWS quota).
pub const TABLE_QUOTA: usize = 50_000;

const HOUR_NS: i64 = 3_600_000_000_000;

/// A table's ingestion settings, read in the writer's transaction so that a concurrent
/// UpdateTable or DeleteTable is seen by the next batch.
#[derive(Debug, Clone, PartialEq)]
pub struct TableSettings {
    pub id: i64,
    pub memory_hours: i64,
    pub magnetic_days: i64,
    /// Lower bound left by a lengthened memory retention (§5.3).
    pub memory_floor_ns: Option<i64>,
    pub magnetic_writes: bool,
    /// The dimension a REQUIRED composite partition key names.
    pub required_dimension: Option<String>,
}

impl TableSettings {
    /// The oldest time the memory store accepts at `now`.
    pub fn memory_lower_ns(&self, now: i64) -> i64 {
        let by_retention = now.saturating_sub(self.memory_hours.saturating_mul(HOUR_NS));
        self.memory_floor_ns
            .map_or(by_retention, |floor| floor.max(by_retention))
    }

    /// The oldest time any tier keeps at `now` (memory + magnetic retention).
    pub fn retention_lower_ns(&self, now: i64) -> i64 {
        now.saturating_sub(self.memory_hours.saturating_mul(HOUR_NS))
            .saturating_sub(self.magnetic_days.saturating_mul(24 * HOUR_NS))
    }
}

pub(crate) fn settings_by_id(conn: &Connection, id: i64) -> Result<Option<TableSettings>> {
    settings_where(conn, "id = ?1", params![id])
}

fn settings_where(
    conn: &Connection,
    filter: &str,
    args: impl rusqlite::Params,
) -> Result<Option<TableSettings>> {
    let row = conn
        .query_row(
            &format!("SELECT id, memory_hours, magnetic_days, memory_floor_ns, magnetic_writes, schema FROM tables WHERE {filter}"),
            args,
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, String>(4)?, r.get::<_, String>(5)?)),
        )
        .optional()?;
    let Some((id, memory_hours, magnetic_days, memory_floor_ns, magnetic, schema)) = row else {
        return Ok(None);
    };
    let magnetic: MagneticStoreWriteProperties = from_json(&magnetic)?;
    let schema: Schema = from_json(&schema)?;
    let required_dimension = schema
        .composite_partition_key
        .unwrap_or_default()
        .into_iter()
        .find_map(|k| {
            (k.r#type == PartitionKeyType::Dimension
                && k.enforcement_in_record
                    == Some(protocol::shapes::PartitionKeyEnforcementLevel::Required))
            .then_some(k.name)
            .flatten()
        });
    Ok(Some(TableSettings {
        id,
        memory_hours,
        magnetic_days,
        memory_floor_ns,
        magnetic_writes: magnetic.enable_magnetic_store_writes,
        required_dimension,
    }))
}

const SELECT: &str = "SELECT database, name, memory_hours, magnetic_days, magnetic_writes, schema,
        created_ns, updated_ns FROM tables";

impl Engine {
    pub fn create_table(&self, scope: &Scope, input: CreateTableInput) -> Result<Table> {
        let now = self.clock().now_ns();
        let retention = input.retention_properties.unwrap_or_default();
        let magnetic = input.magnetic_store_write_properties.unwrap_or_default();
        let schema = normalize_schema(input.schema)?;
        self.write(|tx| {
            let (db, name) = (&input.database_name, &input.table_name);
            if !database_exists(tx, scope, db)? {
                return Err(Error::DatabaseNotFound(db.clone()));
            }
            if find_table(tx, scope, db, name)?.is_some() {
                return Err(Error::TableExists {
                    database: db.clone(),
                    table: name.clone(),
                });
            }
            let count: usize = tx.query_row(
                "SELECT COUNT(*) FROM tables WHERE account = ?1 AND region = ?2",
                params![scope.account, scope.region],
                |r| r.get(0),
            )?;
            if count >= TABLE_QUOTA {
                return Err(Error::TableQuota { limit: TABLE_QUOTA });
            }
            tx.execute(
                "INSERT INTO tables (account, region, database, name, id, memory_hours, magnetic_days,
                     magnetic_writes, schema, created_ns, updated_ns)
                 VALUES (?1, ?2, ?3, ?4, (SELECT COALESCE(MAX(id), 0) + 1 FROM tables), ?5, ?6, ?7, ?8, ?9, ?9)",
                params![
                    scope.account,
                    scope.region,
                    db,
                    name,
                    retention.memory_store_retention_period_in_hours,
                    retention.magnetic_store_retention_period_in_days,
                    to_json(&magnetic)?,
                    to_json(&schema)?,
                    now
                ],
            )?;
            tag_rows::tag(tx, &scope.table_arn(db, name), &input.tags)?;
            load_table(tx, scope, db, name)
        })
    }

    pub fn describe_table(&self, scope: &Scope, database: &str, table: &str) -> Result<Table> {
        self.read(|conn| load_table(conn, scope, database, table))
    }

    /// One page of tables (of one database, or of all when `database` is `None`), ordered by
    /// database then table name.
    pub fn list_tables(
        &self,
        scope: &Scope,
        database: Option<&str>,
        max_results: Option<i32>,
        next_token: Option<&str>,
    ) -> Result<(Vec<Table>, Option<String>)> {
        let after = next_token
            .map(pagination::decode)
            .transpose()?
            .unwrap_or_default();
        let (after_db, after_table) = after.split_once('\0').unwrap_or(("", ""));
        let limit = page_size(max_results, DEFAULT_PAGE);
        self.read(|conn| {
            if let Some(db) = database {
                if !database_exists(conn, scope, db)? {
                    return Err(Error::DatabaseNotFound(db.to_owned()));
                }
            }
            let mut stmt = conn.prepare(&format!(
                "{SELECT} WHERE account = ?1 AND region = ?2 AND (?3 IS NULL OR database = ?3)
                   AND (database, name) > (?4, ?5)
                 ORDER BY database, name LIMIT ?6"
            ))?;
            let rows = stmt
                .query_map(
                    params![
                        scope.account,
                        scope.region,
                        database,
                        after_db,
                        after_table,
                        limit as i64 + 1
                    ],
                    |r| Ok(to_table(scope, r)),
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut tables = rows.into_iter().collect::<Result<Vec<_>>>()?;
            let next = if tables.len() > limit {
                tables.truncate(limit);
                tables
                    .last()
                    .map(|t| pagination::encode(&format!("{}\0{}", t.database_name, t.table_name)))
            } else {
                None
            };
            Ok((tables, next))
        })
    }

    /// Changes only the sections given; `LastUpdatedTime` moves when anything changed. Of the
    /// schema only `EnforcementInRecord` may change (§5.3).
    pub fn update_table(&self, scope: &Scope, input: UpdateTableInput) -> Result<Table> {
        let now = self.clock().now_ns();
        self.write(|tx| {
            let (db, name) = (&input.database_name, &input.table_name);
            let current = load_table(tx, scope, db, name)?;
            let retention = input
                .retention_properties
                .unwrap_or(current.retention_properties);
            let magnetic = input
                .magnetic_store_write_properties
                .clone()
                .unwrap_or_else(|| current.magnetic_store_write_properties.clone());
            let schema = match input.schema {
                Some(s) => check_schema_change(&current.schema, normalize_schema(Some(s))?)?,
                None => current.schema.clone(),
            };
            let changed = retention != current.retention_properties
                || magnetic != current.magnetic_store_write_properties
                || schema != current.schema;
            if retention.memory_store_retention_period_in_hours
                != current
                    .retention_properties
                    .memory_store_retention_period_in_hours
            {
                // A longer window fills in over time: writes older than the old window stay
                // rejected until the new window has passed that far (§5.3).
                let floor = now
                    - current
                        .retention_properties
                        .memory_store_retention_period_in_hours
                        * HOUR_NS;
                tx.execute(
                    "UPDATE tables SET memory_floor_ns = MAX(COALESCE(memory_floor_ns, ?5), ?5)
                     WHERE account = ?1 AND region = ?2 AND database = ?3 AND name = ?4",
                    params![scope.account, scope.region, db, name, floor],
                )?;
            }
            if changed {
                tx.execute(
                    "UPDATE tables SET memory_hours = ?5, magnetic_days = ?6, magnetic_writes = ?7,
                         schema = ?8, updated_ns = ?9
                     WHERE account = ?1 AND region = ?2 AND database = ?3 AND name = ?4",
                    params![
                        scope.account,
                        scope.region,
                        db,
                        name,
                        retention.memory_store_retention_period_in_hours,
                        retention.magnetic_store_retention_period_in_days,
                        to_json(&magnetic)?,
                        to_json(&schema)?,
                        now
                    ],
                )?;
            }
            load_table(tx, scope, db, name)
        })
    }

    /// Deletes the table, its tags and its records (both tiers).
    pub fn delete_table(&self, scope: &Scope, database: &str, table: &str) -> Result<()> {
        let id = self.write(|tx| {
            let t = load_table(tx, scope, database, table)?;
            let id: i64 = tx.query_row(
                "SELECT id FROM tables WHERE account = ?1 AND region = ?2 AND database = ?3 AND name = ?4",
                params![scope.account, scope.region, database, table],
                |r| r.get(0),
            )?;
            tx.execute(
                "DELETE FROM tables WHERE account = ?1 AND region = ?2 AND database = ?3 AND name = ?4",
                params![scope.account, scope.region, database, table],
            )?;
            for sql in [
                "DELETE FROM records WHERE table_id = ?1",
                "DELETE FROM series WHERE table_id = ?1",
                "DELETE FROM measure_names WHERE table_id = ?1",
                "DELETE FROM table_columns WHERE table_id = ?1",
            ] {
                tx.execute(sql, params![id])?;
            }
            tag_rows::drop_all(tx, &t.arn)?;
            Ok(id)
        })?;
        self.forget_table(id);
        Ok(())
    }

    /// Every table name of a database, in name order (the query catalog's view).
    pub fn table_names(&self, scope: &Scope, database: &str) -> Result<Vec<String>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT name FROM tables WHERE account = ?1 AND region = ?2 AND database = ?3
                 ORDER BY name",
            )?;
            let names = stmt
                .query_map(params![scope.account, scope.region, database], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            Ok(names)
        })
    }

    /// What the write path needs of a table: its id and ingestion settings.
    pub(crate) fn table_settings(
        &self,
        scope: &Scope,
        database: &str,
        table: &str,
    ) -> Result<TableSettings> {
        self.read(|conn| settings_of(conn, scope, database, table))
    }

    /// [`Engine::table_settings`] on tokio's blocking pool, for async callers (WriteRecords'
    /// first look at the table): no SQLite read runs on an async worker thread.
    pub(crate) async fn table_settings_blocking(
        &self,
        scope: &Scope,
        database: &str,
        table: &str,
    ) -> Result<TableSettings> {
        let readers = Arc::clone(&self.core.readers);
        let (scope, database, table) = (scope.clone(), database.to_owned(), table.to_owned());
        tokio::task::spawn_blocking(move || {
            settings_of(&*readers.get()?, &scope, &database, &table)
        })
        .await
        .map_err(|e| Error::ReadAborted(e.to_string()))?
    }
}

/// The settings of `database.table`, or the AWS error naming what is missing.
fn settings_of(
    conn: &Connection,
    scope: &Scope,
    database: &str,
    table: &str,
) -> Result<TableSettings> {
    match settings_where(
        conn,
        "account = ?1 AND region = ?2 AND database = ?3 AND name = ?4",
        params![scope.account, scope.region, database, table],
    )? {
        Some(s) => Ok(s),
        None => load_table(conn, scope, database, table).and(Err(Error::TableNotFound {
            database: database.to_owned(),
            table: table.to_owned(),
        })),
    }
}

/// Fills in the default partition key and enforces the service's rules on the schema.
fn normalize_schema(schema: Option<Schema>) -> Result<Schema> {
    let Some(keys) = schema.and_then(|s| s.composite_partition_key) else {
        return Ok(Schema::default());
    };
    if keys.len() > 1 {
        return Err(Error::TooManyPartitionKeys);
    }
    for key in &keys {
        match key.r#type {
            PartitionKeyType::Dimension if key.name.as_deref().unwrap_or("").is_empty() => {
                return Err(Error::InvalidSchema(
                    "A partition key of type DIMENSION must specify the Name of the dimension."
                        .into(),
                ))
            }
            PartitionKeyType::Measure if key.name.is_some() => {
                return Err(Error::InvalidSchema(
                    "A partition key of type MEASURE must not specify a Name.".into(),
                ))
            }
            _ => {}
        }
    }
    Ok(Schema {
        composite_partition_key: Some(keys),
    })
}

fn check_schema_change(current: &Schema, new: Schema) -> Result<Schema> {
    let same_keys = |a: &PartitionKey, b: &PartitionKey| a.r#type == b.r#type && a.name == b.name;
    let (Some(old), Some(keys)) = (
        &current.composite_partition_key,
        &new.composite_partition_key,
    ) else {
        return Ok(new);
    };
    if old.len() != keys.len() || old.iter().zip(keys).any(|(a, b)| !same_keys(a, b)) {
        return Err(Error::InvalidSchema(
            "The composite partition key of a table cannot be changed. Only EnforcementInRecord can be updated."
                .into(),
        ));
    }
    Ok(new)
}

pub(super) fn find_table(
    conn: &Connection,
    scope: &Scope,
    db: &str,
    name: &str,
) -> Result<Option<Table>> {
    conn.query_row(
        &format!("{SELECT} WHERE account = ?1 AND region = ?2 AND database = ?3 AND name = ?4"),
        params![scope.account, scope.region, db, name],
        |r| Ok(to_table(scope, r)),
    )
    .optional()?
    .transpose()
}

/// The table, or the AWS error naming what is missing: the database first, then the table.
pub(super) fn load_table(conn: &Connection, scope: &Scope, db: &str, name: &str) -> Result<Table> {
    match find_table(conn, scope, db, name)? {
        Some(t) => Ok(t),
        None if !database_exists(conn, scope, db)? => Err(Error::DatabaseNotFound(db.to_owned())),
        None => Err(Error::TableNotFound {
            database: db.to_owned(),
            table: name.to_owned(),
        }),
    }
}

fn to_table(scope: &Scope, r: &Row<'_>) -> Result<Table> {
    let database: String = r.get(0)?;
    let name: String = r.get(1)?;
    let magnetic: String = r.get(4)?;
    let schema: String = r.get(5)?;
    Ok(Table {
        arn: scope.table_arn(&database, &name),
        table_status: "ACTIVE".into(),
        retention_properties: RetentionProperties {
            memory_store_retention_period_in_hours: r.get(2)?,
            magnetic_store_retention_period_in_days: r.get(3)?,
        },
        magnetic_store_write_properties: from_json::<MagneticStoreWriteProperties>(&magnetic)?,
        schema: from_json::<Schema>(&schema)?,
        creation_time: from_nanos(r.get(6)?),
        last_updated_time: from_nanos(r.get(7)?),
        table_name: name,
        database_name: database,
    })
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Corrupt(e.to_string()))
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| Error::Corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{create_database, create_table, engine, scope};
    use super::*;
    use protocol::operations::create_database::CreateDatabaseInput;
    use protocol::shapes::PartitionKeyEnforcementLevel;

    fn setup() -> Engine {
        let e = engine();
        e.create_database(
            &scope(),
            CreateDatabaseInput {
                database_name: "monitoring".into(),
                kms_key_id: None,
                tags: vec![],
            },
        )
        .unwrap();
        e
    }

    fn create(e: &Engine, name: &str, schema: Option<Schema>) -> Result<Table> {
        e.create_table(
            &scope(),
            CreateTableInput {
                database_name: "monitoring".into(),
                table_name: name.into(),
                retention_properties: None,
                tags: vec![],
                magnetic_store_write_properties: None,
                schema,
            },
        )
    }

    fn dimension_key(enforcement: PartitionKeyEnforcementLevel) -> Schema {
        Schema {
            composite_partition_key: Some(vec![PartitionKey {
                r#type: PartitionKeyType::Dimension,
                name: Some("hostname".into()),
                enforcement_in_record: Some(enforcement),
            }]),
        }
    }

    #[test]
    fn defaults_and_table_count() {
        let e = setup();
        let t = create(&e, "server_metrics", None).unwrap();
        assert_eq!(
            t.arn,
            "arn:aws:timestream:us-east-1:123456789012:database/monitoring/table/server_metrics"
        );
        assert_eq!(t.retention_properties, RetentionProperties::default());
        assert!(
            !t.magnetic_store_write_properties
                .enable_magnetic_store_writes
        );
        assert_eq!(t.schema, Schema::default());
        assert_eq!(
            e.describe_database(&scope(), "monitoring")
                .unwrap()
                .table_count,
            1
        );
        assert!(matches!(
            create(&e, "server_metrics", None),
            Err(Error::TableExists { .. })
        ));
        assert!(matches!(
            e.delete_database(&scope(), "monitoring"),
            Err(Error::DatabaseNotEmpty(_))
        ));
    }

    #[test]
    fn missing_database_is_named_before_the_table() {
        let e = setup();
        let err = e.describe_table(&scope(), "nope", "t").unwrap_err();
        assert_eq!(err.to_string(), "The database nope does not exist.");
        let err = e.describe_table(&scope(), "monitoring", "t").unwrap_err();
        assert_eq!(err.to_string(), "The table t does not exist.");
    }

    #[test]
    fn partition_key_rules() {
        let e = setup();
        let mut two = dimension_key(PartitionKeyEnforcementLevel::Required);
        two.composite_partition_key
            .as_mut()
            .unwrap()
            .push(PartitionKey {
                r#type: PartitionKeyType::Measure,
                name: None,
                enforcement_in_record: None,
            });
        assert!(matches!(
            create(&e, "t2", Some(two)),
            Err(Error::TooManyPartitionKeys)
        ));
        create(
            &e,
            "keyed",
            Some(dimension_key(PartitionKeyEnforcementLevel::Required)),
        )
        .unwrap();
        let update = |schema| UpdateTableInput {
            database_name: "monitoring".into(),
            table_name: "keyed".into(),
            retention_properties: None,
            magnetic_store_write_properties: None,
            schema: Some(schema),
        };
        let t = e
            .update_table(
                &scope(),
                update(dimension_key(PartitionKeyEnforcementLevel::Optional)),
            )
            .unwrap();
        assert_eq!(
            t.schema,
            dimension_key(PartitionKeyEnforcementLevel::Optional)
        );
        assert!(matches!(
            e.update_table(&scope(), update(Schema::default())),
            Err(Error::InvalidSchema(_))
        ));
    }

    #[test]
    fn update_changes_only_given_sections() {
        let e = setup();
        let before = create(&e, "t", None).unwrap();
        e.clock().advance_ns(1_000_000_000);
        let after = e
            .update_table(
                &scope(),
                UpdateTableInput {
                    database_name: "monitoring".into(),
                    table_name: "t".into(),
                    retention_properties: None,
                    magnetic_store_write_properties: Some(MagneticStoreWriteProperties {
                        enable_magnetic_store_writes: true,
                        magnetic_store_rejected_data_location: None,
                    }),
                    schema: None,
                },
            )
            .unwrap();
        assert_eq!(after.retention_properties, before.retention_properties);
        assert!(
            after
                .magnetic_store_write_properties
                .enable_magnetic_store_writes
        );
        assert!(after.last_updated_time.as_secs_f64() > before.last_updated_time.as_secs_f64());
        assert_eq!(after.creation_time, before.creation_time);
    }

    #[test]
    fn list_across_databases_and_pages() {
        let e = setup();
        create_database(&e, "other");
        for i in 0..5 {
            create(&e, &format!("t{i}"), None).unwrap();
        }
        create_table(&e, "other", "x");
        let (page, next) = e.list_tables(&scope(), None, Some(4), None).unwrap();
        assert_eq!(page.len(), 4);
        let (rest, last) = e
            .list_tables(&scope(), None, Some(4), next.as_deref())
            .unwrap();
        assert_eq!(
            rest.iter()
                .map(|t| t.table_name.as_str())
                .collect::<Vec<_>>(),
            ["t4", "x"]
        );
        assert!(last.is_none());
        let (only, _) = e.list_tables(&scope(), Some("other"), None, None).unwrap();
        assert_eq!(only.len(), 1);
        assert!(matches!(
            e.list_tables(&scope(), Some("nope"), None, None),
            Err(Error::DatabaseNotFound(_))
        ));
    }
}
