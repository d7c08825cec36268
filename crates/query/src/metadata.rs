//! The metadata statements of the Query API (timestream-sql.md §1.5): `SHOW DATABASES`,
//! `SHOW TABLES [FROM db]`, `SHOW MEASURES FROM db.table`, each with an optional
//! `LIKE 'pattern'`, and `DESCRIBE db.table`. DataFusion has no such statements for our catalog,
//! so they are recognised from their tokens and answered from the engine as ordinary results.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, BooleanArray, ListBuilder, RecordBatch, StringArray, StringBuilder,
    StructBuilder,
};
use datafusion::arrow::compute::filter_record_batch;
use datafusion::arrow::compute::kernels::comparison::like;
use datafusion::arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};
use engine::{ColumnKind, Engine, MeasureKind, Scope};
use protocol::shapes::MeasureValueType;

use crate::Error;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Metadata {
    ShowDatabases {
        like: Option<String>,
    },
    ShowTables {
        database: Option<Name>,
        like: Option<String>,
    },
    ShowMeasures {
        database: Name,
        table: Name,
        like: Option<String>,
    },
    Describe {
        database: Name,
        table: Name,
    },
}

/// An identifier and where it starts (line, column), for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub value: String,
    pub line: u64,
    pub column: u64,
}

/// Recognises a metadata statement; `None` when `sql` is not one (it is then planned as a
/// query), an error when it starts like one but does not parse.
pub fn parse(sql: &str) -> Option<Result<Metadata, Error>> {
    let tokens: Vec<TokenWithSpan> = Tokenizer::new(&GenericDialect {}, sql)
        .tokenize_with_location()
        .ok()?
        .into_iter()
        .filter(|t| {
            !matches!(
                t.token,
                Token::Whitespace(_) | Token::SemiColon | Token::EOF
            )
        })
        .collect();
    let mut p = Parser { tokens, at: 0 };
    let statement = if p.keyword("DESCRIBE") {
        p.qualified_name()
            .map(|(database, table)| Metadata::Describe { database, table })
    } else if p.keyword("SHOW") {
        if p.keyword("DATABASES") {
            p.like().map(|like| Metadata::ShowDatabases { like })
        } else if p.keyword("TABLES") {
            let database = if p.keyword("FROM") || p.keyword("IN") {
                p.name().map(Some)
            } else {
                Ok(None)
            };
            database
                .and_then(|database| p.like().map(|like| Metadata::ShowTables { database, like }))
        } else if p.keyword("MEASURES") {
            if p.keyword("FROM") || p.keyword("IN") {
                p.qualified_name().and_then(|(database, table)| {
                    p.like().map(|like| Metadata::ShowMeasures {
                        database,
                        table,
                        like,
                    })
                })
            } else {
                Err(p.unexpected("FROM"))
            }
        } else {
            Err(p.unexpected("DATABASES, TABLES, MEASURES"))
        }
    } else {
        return None;
    };
    Some(statement.and_then(|s| match p.tokens.get(p.at) {
        None => Ok(s),
        Some(_) => Err(p.unexpected("<EOF>")),
    }))
}

struct Parser {
    tokens: Vec<TokenWithSpan>,
    at: usize,
}

impl Parser {
    fn keyword(&mut self, word: &str) -> bool {
        let found = matches!(
            self.tokens.get(self.at).map(|t| &t.token),
            Some(Token::Word(w)) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word)
        );
        if found {
            self.at += 1;
        }
        found
    }

    fn name(&mut self) -> Result<Name, Error> {
        match self.tokens.get(self.at) {
            Some(TokenWithSpan {
                token: Token::Word(w),
                span,
            }) => {
                self.at += 1;
                Ok(Name {
                    value: w.value.clone(),
                    line: span.start.line,
                    column: span.start.column,
                })
            }
            _ => Err(self.unexpected("<identifier>")),
        }
    }

    fn qualified_name(&mut self) -> Result<(Name, Name), Error> {
        let database = self.name()?;
        if !matches!(
            self.tokens.get(self.at).map(|t| &t.token),
            Some(Token::Period)
        ) {
            return Err(self.unexpected("."));
        }
        self.at += 1;
        Ok((database, self.name()?))
    }

    fn like(&mut self) -> Result<Option<String>, Error> {
        if !self.keyword("LIKE") {
            return Ok(None);
        }
        match self.tokens.get(self.at).map(|t| &t.token) {
            Some(Token::SingleQuotedString(s)) => {
                self.at += 1;
                Ok(Some(s.clone()))
            }
            _ => Err(self.unexpected("<string>")),
        }
    }

    /// Trino's syntax error text: `line L:C: mismatched input 'x'. Expecting: …`.
    fn unexpected(&self, expecting: &str) -> Error {
        match self.tokens.get(self.at) {
            Some(t) => Error::Validation(format!(
                "line {}:{}: mismatched input '{}'. Expecting: {expecting}",
                t.span.start.line, t.span.start.column, t.token
            )),
            None => {
                let end = self
                    .tokens
                    .last()
                    .map_or((1, 1), |t| (t.span.end.line, t.span.end.column));
                Error::Validation(format!(
                    "line {}:{}: mismatched input '<EOF>'. Expecting: {expecting}",
                    end.0, end.1
                ))
            }
        }
    }
}

/// [`run`] on tokio's blocking pool, for async callers: metadata statements read the catalog
/// (SQLite), which never runs on an async worker thread.
pub async fn run_blocking(
    engine: &Arc<Engine>,
    scope: &Scope,
    statement: Metadata,
) -> Result<RecordBatch, Error> {
    let (store, scope) = (Arc::clone(engine), scope.clone());
    tokio::task::spawn_blocking(move || run(&store, &scope, &statement))
        .await
        .map_err(|e| Error::Engine(engine::Error::ReadAborted(e.to_string())))?
}

/// The statement's result: one batch (possibly empty) and its schema.
pub fn run(engine: &Engine, scope: &Scope, statement: &Metadata) -> Result<RecordBatch, Error> {
    match statement {
        Metadata::ShowDatabases { like } => {
            let names = engine.database_names(scope)?;
            filtered(names_batch("Database", names)?, like.as_deref())
        }
        Metadata::ShowTables { database, like } => {
            if let Some(db) = database {
                check_database(engine, scope, db, &db.value)?;
            }
            let names = match database {
                Some(db) => engine.table_names(scope, &db.value)?,
                None => {
                    let mut names = Vec::new();
                    for db in engine.database_names(scope)? {
                        names.extend(engine.table_names(scope, &db)?);
                    }
                    names
                }
            };
            filtered(names_batch("Table", names)?, like.as_deref())
        }
        Metadata::ShowMeasures {
            database,
            table,
            like,
        } => {
            check_table(engine, scope, database, table)?;
            let measures = engine.measures(scope, &database.value, &table.value)?;
            let types = measures.iter().map(|m| match m.kind {
                MeasureKind::Single(t) => type_name(t),
                MeasureKind::Multi => "multi",
            });
            let row_fields = Fields::from(vec![
                Field::new("dimension_name", DataType::Utf8, true),
                Field::new("data_type", DataType::Utf8, true),
            ]);
            let mut dimensions =
                ListBuilder::new(StructBuilder::from_fields(row_fields.clone(), 0)).with_field(
                    Arc::new(Field::new("item", DataType::Struct(row_fields), true)),
                );
            for m in &measures {
                for d in &m.dimensions {
                    let row = dimensions.values();
                    push_str(row, 0, d);
                    // Dimension values are always VARCHAR.
                    push_str(row, 1, "varchar");
                    row.append(true);
                }
                dimensions.append(true);
            }
            let dimensions = dimensions.finish();
            let schema = Arc::new(Schema::new(vec![
                Field::new("measure_name", DataType::Utf8, true),
                Field::new("data_type", DataType::Utf8, true),
                Field::new("dimensions", dimensions.data_type().clone(), true),
            ]));
            let names: ArrayRef = Arc::new(StringArray::from_iter_values(
                measures.iter().map(|m| m.name.as_str()),
            ));
            let batch = RecordBatch::try_new(
                schema,
                vec![
                    names,
                    Arc::new(StringArray::from_iter_values(types)),
                    Arc::new(dimensions),
                ],
            )
            .map_err(|e| Error::Execution(e.to_string()))?;
            filtered(batch, like.as_deref())
        }
        Metadata::Describe { database, table } => {
            check_table(engine, scope, database, table)?;
            let columns = engine.table_columns(scope, &database.value, &table.value)?;
            let mut rows: Vec<(String, &str, &str)> = columns
                .iter()
                .filter(|(_, k)| *k == ColumnKind::Dimension)
                .map(|(n, _)| (n.clone(), "varchar", "DIMENSION"))
                .collect();
            rows.push(("measure_name".into(), "varchar", "MEASURE_NAME"));
            rows.push(("time".into(), "timestamp", "TIMESTAMP"));
            rows.extend(columns.iter().filter_map(|(n, k)| match k {
                ColumnKind::Dimension => None,
                ColumnKind::MeasureValue(t) => Some((n.clone(), type_name(*t), "MEASURE_VALUE")),
                ColumnKind::Attribute(t) => Some((n.clone(), type_name(*t), "MULTI")),
            }));
            let schema = Arc::new(Schema::new(vec![
                Field::new("Column", DataType::Utf8, true),
                Field::new("Type", DataType::Utf8, true),
                Field::new("Timestream attribute type", DataType::Utf8, true),
            ]));
            RecordBatch::try_new(
                schema,
                vec![
                    Arc::new(StringArray::from_iter_values(
                        rows.iter().map(|r| r.0.as_str()),
                    )),
                    Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.1))),
                    Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.2))),
                ],
            )
            .map_err(|e| Error::Execution(e.to_string()))
        }
    }
}

fn push_str(row: &mut StructBuilder, field: usize, value: &str) {
    if let Some(b) = row.field_builder::<StringBuilder>(field) {
        b.append_value(value);
    }
}

/// The lower-case SQL type name Timestream prints for a measure type.
fn type_name(t: MeasureValueType) -> &'static str {
    match t {
        MeasureValueType::Double => "double",
        MeasureValueType::Bigint => "bigint",
        MeasureValueType::Varchar => "varchar",
        MeasureValueType::Boolean => "boolean",
        MeasureValueType::Timestamp => "timestamp",
        MeasureValueType::Multi => "multi",
    }
}

fn names_batch(column: &str, mut names: Vec<String>) -> Result<RecordBatch, Error> {
    names.sort();
    let schema: SchemaRef = Arc::new(Schema::new(vec![Field::new(column, DataType::Utf8, true)]));
    RecordBatch::try_new(schema, vec![Arc::new(StringArray::from(names))])
        .map_err(|e| Error::Execution(e.to_string()))
}

/// Keeps the rows whose first column matches the LIKE pattern (case-sensitive).
fn filtered(batch: RecordBatch, pattern: Option<&str>) -> Result<RecordBatch, Error> {
    let Some(pattern) = pattern else {
        return Ok(batch);
    };
    let keep: BooleanArray = like(batch.column(0), &StringArray::new_scalar(pattern))
        .map_err(|e| Error::Execution(e.to_string()))?;
    filter_record_batch(&batch, &keep).map_err(|e| Error::Execution(e.to_string()))
}

fn check_database(
    engine: &Engine,
    scope: &Scope,
    db: &Name,
    identifier: &str,
) -> Result<(), Error> {
    if engine.describe_database(scope, &db.value).is_err() {
        return Err(Error::Validation(format!(
            "Requested database '{}' not found for identifier '{identifier}' at line {}:{}",
            db.value, db.line, db.column
        )));
    }
    Ok(())
}

fn check_table(engine: &Engine, scope: &Scope, database: &Name, table: &Name) -> Result<(), Error> {
    let identifier = format!("{}.{}", database.value, table.value);
    check_database(engine, scope, database, &identifier)?;
    if engine
        .describe_table(scope, &database.value, &table.value)
        .is_err()
    {
        return Err(Error::Validation(format!(
            "Requested table '{}' not found for identifier '{identifier}' at line {}:{}",
            table.value, table.line, table.column
        )));
    }
    Ok(())
}
