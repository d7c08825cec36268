//! Each Timestream table as a DataFusion `TableProvider` over both tiers. Its schema is the
//! table's live schema in AWS's `SELECT *` order: the dimensions (first-seen order), then
//! `measure_name`, `time` (nanosecond timestamp), then the `measure_value::<type>` columns and
//! multi-measure attributes (first-seen order). Filters on `time` are answered `Inexact`: the
//! provider derives a time range from them to prune (never reading the magnetic tier for recent
//! ranges) and DataFusion re-applies them, as InfluxDB's provider does.
//!
//! The query sees the engine through one narrow interface: each table it names is resolved
//! once, before planning and on a blocking thread, into an [`engine::TableHandle`] (its columns,
//! its settings, the handle snapshots are taken through), kept in [`ResolvedTables`]. The
//! reference checks, output naming, this catalog and QueryInsights read that resolution; a scan
//! takes its snapshot through the handle and reads its batches through the engine's typed
//! accessors ([`ChunkColumn`]), never the catalog or the chunk layout.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::array::{
    new_null_array, Array, ArrayRef, BooleanArray, DictionaryArray, Int64Array, StringArray,
    TimestampNanosecondArray, UInt32Array,
};
use datafusion::arrow::buffer::{BooleanBuffer, NullBuffer};
use datafusion::arrow::compute::filter_record_batch;
use datafusion::arrow::compute::kernels::cmp::eq;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit, UInt32Type};
use datafusion::arrow::record_batch::{RecordBatch, RecordBatchOptions};
use datafusion::catalog::{CatalogProvider, SchemaProvider, Session};
use datafusion::common::{DataFusionError, Result, ScalarValue, TableReference};
use datafusion::datasource::{TableProvider, TableType};
use datafusion::logical_expr::utils::split_conjunction;
use datafusion::logical_expr::{BinaryExpr, Expr, Operator, TableProviderFilterPushDown};
use datafusion::physical_plan::ExecutionPlan;
use engine::{ChunkColumn, ColumnKind, Engine, Scope, TableHandle, TableSnapshot};

use crate::scan::TimestreamScan;
use protocol::shapes::MeasureValueType;

pub(crate) fn timestamp_type() -> DataType {
    DataType::Timestamp(TimeUnit::Nanosecond, None)
}

fn dictionary_type() -> DataType {
    DataType::Dictionary(Box::new(DataType::UInt32), Box::new(DataType::Utf8))
}

pub fn value_type(t: MeasureValueType) -> DataType {
    match t {
        MeasureValueType::Double => DataType::Float64,
        MeasureValueType::Bigint => DataType::Int64,
        MeasureValueType::Boolean => DataType::Boolean,
        MeasureValueType::Timestamp => timestamp_type(),
        MeasureValueType::Varchar | MeasureValueType::Multi => DataType::Utf8,
    }
}

/// The table's schema in `SELECT *` order.
pub fn table_schema(columns: &[(String, ColumnKind)]) -> SchemaRef {
    let mut fields: Vec<Field> = columns
        .iter()
        .filter(|(_, k)| *k == ColumnKind::Dimension)
        .map(|(n, _)| Field::new(n, dictionary_type(), true))
        .collect();
    fields.push(Field::new("measure_name", dictionary_type(), false));
    fields.push(Field::new("time", timestamp_type(), false));
    for (name, kind) in columns {
        if let ColumnKind::MeasureValue(t) | ColumnKind::Attribute(t) = kind {
            fields.push(Field::new(name, value_type(*t), true));
        }
    }
    Arc::new(Schema::new(fields))
}

/// What one table scan of a query read: for `QueryStatus` and `QueryInsights`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    pub database: String,
    pub table: String,
    /// The time range read, `[lower, upper)` in nanoseconds, unbounded sides as `None`.
    pub lower: Option<i64>,
    pub upper: Option<i64>,
    pub bytes: usize,
    /// The table's memory + magnetic retention as of the query, nanoseconds (the floor of an
    /// open lower side, for QueryInsights).
    pub retention_ns: i64,
}

/// The scans of one query run, shared by every table provider of its session.
pub type ScanLog = Arc<std::sync::Mutex<Vec<Scan>>>;

/// One resolved table as DataFusion sees it.
#[derive(Debug)]
pub struct TimestreamTable {
    engine: Arc<Engine>,
    table: Arc<TableHandle>,
    schema: SchemaRef,
    scans: ScanLog,
}

impl TimestreamTable {
    pub fn new(engine: Arc<Engine>, table: Arc<TableHandle>, scans: ScanLog) -> Self {
        Self {
            schema: table_schema(&table.columns),
            engine,
            table,
            scans,
        }
    }
}

#[async_trait]
impl TableProvider for TimestreamTable {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> Result<Vec<TableProviderFilterPushDown>> {
        Ok(vec![TableProviderFilterPushDown::Inexact; filters.len()])
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let (lower, upper) = time_range(filters);
        // One partition per core the session may use, so that filters and partial aggregates
        // run in parallel from the first operator on.
        let partitions = state.config().target_partitions().max(1);
        let snapshot = self
            .engine
            .snapshot_of(&self.table, lower, upper, partitions)
            .map_err(|e| DataFusionError::External(Box::new(e)))?;
        let scan_index = {
            let mut scans = self.scans.lock().unwrap_or_else(|p| p.into_inner());
            scans.push(Scan {
                database: self.table.database.clone(),
                table: self.table.table.clone(),
                lower,
                upper,
                bytes: snapshot.bytes,
                retention_ns: self.table.retention_ns(),
            });
            scans.len() - 1
        };
        let projected: Vec<usize> = projection
            .cloned()
            .unwrap_or_else(|| (0..self.schema.fields().len()).collect());
        let schema = Arc::new(self.schema.project(&projected)?);
        let series = series_filter(filters, &snapshot).map(SeriesSelection::new);
        let converter = Converter::new(&snapshot, schema, series);
        Ok(Arc::new(TimestreamScan::new(
            self.table.table.clone(),
            snapshot,
            converter,
            partitions,
            self.scans.clone(),
            scan_index,
        )))
    }
}

/// The series (by id) that can satisfy the conjunctive filters `dim = 'x'` and
/// `dim IN ('x', …)` on dimension columns; `None` when no filter restricts the series. Rows of
/// other series never reach DataFusion (which still applies every filter: pushdown is Inexact).
fn series_filter(filters: &[Expr], snapshot: &TableSnapshot) -> Option<Vec<bool>> {
    let mut conditions: Vec<(String, Vec<String>)> =
        conjuncts(filters).filter_map(dimension_condition).collect();
    let dimension = |name: &str| {
        snapshot
            .columns
            .iter()
            .any(|(n, k)| n == name && *k == ColumnKind::Dimension)
    };
    conditions.retain(|(name, _)| dimension(name));
    if conditions.is_empty() {
        return None;
    }
    Some(
        snapshot
            .series
            .iter()
            .map(|dims| {
                conditions.iter().all(|(name, values)| {
                    dims.iter()
                        .find(|(n, _)| n == name)
                        .is_some_and(|(_, v)| values.contains(v))
                })
            })
            .collect(),
    )
}

/// Every conjunct of every filter (the filters are ANDed, and so are their `AND` operands).
fn conjuncts(filters: &[Expr]) -> impl Iterator<Item = &Expr> {
    filters.iter().flat_map(split_conjunction)
}

/// `dim = 'x'` (either way round) or `dim IN ('x', …)`: the column and its allowed values.
fn dimension_condition(expr: &Expr) -> Option<(String, Vec<String>)> {
    match expr {
        Expr::BinaryExpr(BinaryExpr {
            left,
            op: Operator::Eq,
            right,
        }) => {
            let (c, v) = match (column_name(left), string_literal(right)) {
                (Some(c), Some(v)) => (c, v),
                _ => column_name(right).zip(string_literal(left))?,
            };
            Some((c, vec![v]))
        }
        Expr::InList(list) if !list.negated => {
            let values: Option<Vec<String>> = list.list.iter().map(string_literal).collect();
            column_name(&list.expr).zip(values)
        }
        _ => None,
    }
}

fn column_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Column(c) => Some(c.name.clone()),
        Expr::Cast(c) => column_name(&c.expr),
        _ => None,
    }
}

fn string_literal(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Literal(
            ScalarValue::Utf8(Some(s))
            | ScalarValue::Utf8View(Some(s))
            | ScalarValue::LargeUtf8(Some(s)),
            _,
        ) => Some(s.clone()),
        Expr::Literal(ScalarValue::Dictionary(_, v), m) => {
            string_literal(&Expr::Literal(v.as_ref().clone(), m.clone()))
        }
        _ => None,
    }
}

/// The series a scan keeps, by id. A few are found with Arrow's vectorised comparison kernel
/// (a pass over a chunk's series ids per id); more are looked up row by row.
pub(crate) struct SeriesSelection {
    mask: Vec<bool>,
    /// The kept ids when they are few.
    ids: Option<Vec<u32>>,
}

impl SeriesSelection {
    const MAX_COMPARED: usize = 8;

    fn new(mask: Vec<bool>) -> Self {
        let ids: Vec<u32> = (0..mask.len())
            .filter(|&i| mask[i])
            .take(Self::MAX_COMPARED + 1)
            .filter_map(|i| u32::try_from(i).ok())
            .collect();
        Self {
            ids: (ids.len() <= Self::MAX_COMPARED).then_some(ids),
            mask,
        }
    }

    fn mask(&self) -> &[bool] {
        &self.mask
    }

    /// The rows of a chunk whose series id (`ids`) is kept.
    fn rows(&self, ids: &UInt32Array) -> Result<BooleanBuffer> {
        match &self.ids {
            Some(wanted) => {
                let mut kept = BooleanBuffer::new_unset(ids.len());
                for id in wanted {
                    let equal = eq(ids, &UInt32Array::new_scalar(*id))?;
                    kept = &kept | equal.values();
                }
                Ok(kept)
            }
            None => {
                let allowed = &self.mask;
                let ids = ids.values();
                Ok(BooleanBuffer::collect_bool(ids.len(), |i| {
                    allowed.get(ids[i] as usize).copied().unwrap_or(false)
                }))
            }
        }
    }
}

/// Turns chunk-layout batches of one table into batches of `schema` (a projection of the table
/// schema), keeping only the rows of the series `series` selects (all when `None`). Built once
/// per scan; shared by the memory tier's batches and the magnetic tier's streams.
pub(crate) struct Converter {
    schema: SchemaRef,
    /// One values array per projected dimension, indexed by series id.
    dimension_values: HashMap<String, ArrayRef>,
    measure_names: ArrayRef,
    /// Where each projected field's data is in a chunk.
    sources: Vec<Source>,
    series: Option<SeriesSelection>,
}

impl Converter {
    pub(crate) fn new(
        snapshot: &TableSnapshot,
        schema: SchemaRef,
        series: Option<SeriesSelection>,
    ) -> Self {
        let mut dimension_values: HashMap<String, ArrayRef> = HashMap::new();
        for field in schema.fields() {
            if snapshot
                .columns
                .iter()
                .any(|(n, k)| n == field.name() && *k == ColumnKind::Dimension)
            {
                let values: StringArray = snapshot
                    .series
                    .iter()
                    .map(|dims| {
                        dims.iter()
                            .find(|(n, _)| n == field.name())
                            .map(|(_, v)| v.as_str())
                    })
                    .collect();
                dimension_values.insert(field.name().clone(), Arc::new(values));
            }
        }
        let measure_names: ArrayRef = Arc::new(
            snapshot
                .measures
                .iter()
                .map(|(n, _)| Some(n.as_str()))
                .collect::<StringArray>(),
        );
        let sources = schema
            .fields()
            .iter()
            .map(|f| match f.name().as_str() {
                n if dimension_values.contains_key(n) => Source::Series,
                "measure_name" => Source::Measure,
                "time" => Source::Time,
                n => Source::Value(n.to_owned()),
            })
            .collect();
        Self {
            schema,
            dimension_values,
            measure_names,
            sources,
            series,
        }
    }

    pub(crate) fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// The series ids the scan keeps (`None`: all), for pruning before decoding.
    pub(crate) fn series_mask(&self) -> Option<&[bool]> {
        self.series.as_ref().map(SeriesSelection::mask)
    }

    /// `chunk`'s kept rows (live, of a selected series) as a batch of the scan's schema;
    /// `None` when no row is kept.
    pub(crate) fn convert(
        &self,
        chunk: &RecordBatch,
        live: Option<&[bool]>,
    ) -> Result<Option<RecordBatch>> {
        let schema = &self.schema;
        let Some((chunk, at)) = select_rows(chunk, &self.sources, self.series.as_ref(), live)?
        else {
            return Ok(None);
        };
        let rows = chunk.num_rows();
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
        for ((field, source), at) in schema.fields().iter().zip(&self.sources).zip(at) {
            let column = at.map(|i| chunk.column(i));
            let keys = || -> Result<UInt32Array> {
                column
                    .and_then(|c| c.as_any().downcast_ref::<UInt32Array>().cloned())
                    .ok_or_else(|| DataFusionError::Internal(format!("chunk without {source:?}")))
            };
            let array: ArrayRef = match source {
                Source::Series => {
                    let values = self
                        .dimension_values
                        .get(field.name().as_str())
                        .ok_or_else(|| DataFusionError::Internal("dimension values".into()))?;
                    let series = keys()?;
                    if let Some(max) = series.values().iter().max() {
                        if *max as usize >= values.len() {
                            return Err(DataFusionError::Internal(format!(
                                "series {max} missing from the snapshot's dictionary"
                            )));
                        }
                    }
                    // A series without the dimension has a NULL key, not a key to a NULL value:
                    // Arrow kernels that read only the keys' validity (casts to Utf8View, the
                    // null-aware anti join of `NOT IN`) would otherwise see a value.
                    let keys = if values.null_count() == 0 {
                        series
                    } else {
                        let ids = series.values();
                        let valid =
                            BooleanBuffer::collect_bool(rows, |i| values.is_valid(ids[i] as usize));
                        UInt32Array::new(ids.clone(), Some(NullBuffer::new(valid)))
                    };
                    Arc::new(DictionaryArray::<UInt32Type>::try_new(
                        keys,
                        values.clone(),
                    )?)
                }
                Source::Measure => Arc::new(DictionaryArray::<UInt32Type>::try_new(
                    keys()?,
                    self.measure_names.clone(),
                )?),
                Source::Time => as_timestamp(column.cloned(), rows),
                Source::Value(_) => match (column, field.data_type()) {
                    (Some(c), DataType::Timestamp(_, _)) => as_timestamp(Some(c.clone()), rows),
                    (Some(c), _) => c.clone(),
                    (None, dt) => new_null_array(dt, rows),
                },
            };
            columns.push(array);
        }
        Ok(Some(RecordBatch::try_new_with_options(
            schema.clone(),
            columns,
            &RecordBatchOptions::new().with_row_count(Some(rows)),
        )?))
    }
}

/// Which column of a chunk a projected field's data comes from.
#[derive(Debug, Clone)]
enum Source {
    Series,
    Measure,
    Time,
    Value(String),
}

impl Source {
    fn index(&self, chunk: &Schema) -> Option<usize> {
        match self {
            Source::Series => ChunkColumn::Series,
            Source::Measure => ChunkColumn::Measure,
            Source::Time => ChunkColumn::Time,
            Source::Value(name) => ChunkColumn::Value(name),
        }
        .index(chunk)
    }
}

/// The rows of `chunk` a scan keeps (live, of an allowed series) with only the columns the
/// `sources` read, and where each source is in the result (`None`: the chunk lacks it); `None`
/// when no row is kept. Selecting before anything is built makes a scan for one host cost a
/// pass over the series ids, not a copy of every row.
fn select_rows(
    chunk: &RecordBatch,
    sources: &[Source],
    series: Option<&SeriesSelection>,
    live: Option<&[bool]>,
) -> Result<Option<(RecordBatch, Vec<Option<usize>>)>> {
    let rows = chunk.num_rows();
    let live = live.map(|l| BooleanBuffer::collect_bool(rows, |i| l[i]));
    let keep = match (series, live) {
        (None, live) => live,
        (Some(selection), live) => {
            let ids = ChunkColumn::series_ids(chunk)
                .ok_or_else(|| DataFusionError::Internal("chunk without series".into()))?;
            let kept = selection.rows(ids)?;
            Some(match live {
                Some(live) => &kept & &live,
                None => kept,
            })
        }
    };
    let kept = keep.as_ref().map_or(rows, BooleanBuffer::count_set_bits);
    if kept == 0 {
        return Ok(None);
    }
    let schema = chunk.schema();
    let mut indices: Vec<usize> = Vec::new();
    let at = sources
        .iter()
        .map(|s| {
            s.index(&schema)
                .map(|i| match indices.iter().position(|&j| j == i) {
                    Some(p) => p,
                    None => {
                        indices.push(i);
                        indices.len() - 1
                    }
                })
        })
        .collect();
    let projected = chunk.project(&indices)?;
    let selected = match keep {
        Some(mask) if kept < rows => {
            filter_record_batch(&projected, &BooleanArray::new(mask, None))?
        }
        _ => projected,
    };
    Ok(Some((selected, at)))
}

/// The chunk layout keeps times as Int64 nanoseconds; reinterpret without copying.
fn as_timestamp(column: Option<ArrayRef>, rows: usize) -> ArrayRef {
    match column
        .as_ref()
        .and_then(|c| c.as_any().downcast_ref::<Int64Array>())
    {
        Some(ints) => Arc::new(TimestampNanosecondArray::new(
            ints.values().clone(),
            ints.nulls().cloned(),
        )),
        None => new_null_array(&timestamp_type(), rows),
    }
}

/// `[lower, upper)` in nanoseconds implied by conjunctive filters on `time`.
fn time_range(filters: &[Expr]) -> (Option<i64>, Option<i64>) {
    let (mut lower, mut upper): (Option<i64>, Option<i64>) = (None, None);
    let mut tighten_lower = |v: i64| lower = Some(lower.map_or(v, |l| l.max(v)));
    let mut uppers = Vec::new();
    for (op, v) in conjuncts(filters).flat_map(time_bounds) {
        match op {
            Operator::Gt => tighten_lower(v.saturating_add(1)),
            Operator::GtEq => tighten_lower(v),
            Operator::Lt => uppers.push(v),
            Operator::LtEq => uppers.push(v.saturating_add(1)),
            Operator::Eq => {
                tighten_lower(v);
                uppers.push(v.saturating_add(1));
            }
            _ => {}
        }
    }
    for v in uppers {
        upper = Some(upper.map_or(v, |u| u.min(v)));
    }
    (lower, upper)
}

/// The bounds one conjunct puts on `time`: `time op literal` (either way round), `BETWEEN`.
fn time_bounds(expr: &Expr) -> Vec<(Operator, i64)> {
    match expr {
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => {
            match (is_time(left), timestamp_literal(right)) {
                (Some(()), Some(v)) => vec![(*op, v)],
                _ => match (timestamp_literal(left), is_time(right), op.swap()) {
                    (Some(v), Some(()), Some(swapped)) => vec![(swapped, v)],
                    _ => vec![],
                },
            }
        }
        Expr::Between(b) if !b.negated => match (
            is_time(&b.expr),
            timestamp_literal(&b.low),
            timestamp_literal(&b.high),
        ) {
            (Some(()), Some(lo), Some(hi)) => vec![(Operator::GtEq, lo), (Operator::LtEq, hi)],
            _ => vec![],
        },
        _ => vec![],
    }
}

fn is_time(expr: &Expr) -> Option<()> {
    match expr {
        Expr::Column(c) if c.name == "time" => Some(()),
        Expr::Cast(c) => is_time(&c.expr),
        _ => None,
    }
}

fn timestamp_literal(expr: &Expr) -> Option<i64> {
    match expr {
        Expr::Literal(ScalarValue::TimestampNanosecond(Some(v), _), _) => Some(*v),
        Expr::Literal(ScalarValue::TimestampMicrosecond(Some(v), _), _) => v.checked_mul(1_000),
        Expr::Literal(ScalarValue::TimestampMillisecond(Some(v), _), _) => v.checked_mul(1_000_000),
        Expr::Literal(ScalarValue::TimestampSecond(Some(v), _), _) => v.checked_mul(1_000_000_000),
        Expr::Cast(c) => timestamp_literal(&c.expr),
        _ => None,
    }
}

/// The tables one query names, each resolved once before planning: see the module's docs.
#[derive(Debug, Default)]
pub struct ResolvedTables {
    tables: HashMap<(String, String), Resolution>,
}

/// What a `database.table` reference resolved to.
#[derive(Debug, Clone)]
pub enum Resolution {
    Table(Arc<TableHandle>),
    /// The database does not exist.
    NoDatabase,
    /// The database exists, the table does not.
    NoTable,
}

impl ResolvedTables {
    /// Resolves every `database.table` of `refs` (the other forms name no table of ours) on
    /// tokio's blocking pool: a catalog read never runs on an async worker thread. A storage
    /// failure is an error; a missing database or table is a [`Resolution`].
    pub async fn resolve(
        engine: &Arc<Engine>,
        scope: &Scope,
        refs: &[TableReference],
    ) -> engine::Result<Self> {
        let names: Vec<(String, String)> = refs
            .iter()
            .filter_map(|r| match r {
                TableReference::Partial { schema, table } => {
                    Some((schema.to_string(), table.to_string()))
                }
                TableReference::Bare { .. } | TableReference::Full { .. } => None,
            })
            .collect();
        if names.is_empty() {
            return Ok(Self::default());
        }
        let (engine, scope) = (Arc::clone(engine), scope.clone());
        tokio::task::spawn_blocking(move || Self::resolve_now(&engine, &scope, names))
            .await
            .map_err(|e| engine::Error::ReadAborted(e.to_string()))?
    }

    fn resolve_now(
        engine: &Engine,
        scope: &Scope,
        names: Vec<(String, String)>,
    ) -> engine::Result<Self> {
        let mut tables = HashMap::new();
        for (database, table) in names {
            if tables.contains_key(&(database.clone(), table.clone())) {
                continue;
            }
            let resolution = match engine.resolve_table(scope, &database, &table) {
                Ok(handle) => Resolution::Table(Arc::new(handle)),
                Err(engine::Error::DatabaseNotFound(_)) => Resolution::NoDatabase,
                Err(engine::Error::TableNotFound { .. }) => Resolution::NoTable,
                Err(e) => return Err(e),
            };
            tables.insert((database, table), resolution);
        }
        Ok(Self { tables })
    }

    /// What `database.table` resolved to; `None` when the query does not name it.
    pub fn get(&self, database: &str, table: &str) -> Option<&Resolution> {
        self.tables.get(&(database.to_owned(), table.to_owned()))
    }

    /// The table `database.table`, when the query names it and it exists.
    pub fn table(&self, database: &str, table: &str) -> Option<&Arc<TableHandle>> {
        match self.get(database, table)? {
            Resolution::Table(t) => Some(t),
            Resolution::NoDatabase | Resolution::NoTable => None,
        }
    }

    /// The databases the query names that exist.
    fn databases(&self) -> impl Iterator<Item = &str> {
        self.tables
            .iter()
            .filter(|(_, r)| !matches!(r, Resolution::NoDatabase))
            .map(|((database, _), _)| database.as_str())
    }
}

/// The default catalog: one schema per database the query names, over its resolved tables.
#[derive(Debug)]
pub struct TimestreamCatalog {
    pub engine: Arc<Engine>,
    pub tables: Arc<ResolvedTables>,
    pub scans: ScanLog,
}

impl CatalogProvider for TimestreamCatalog {
    fn schema_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.tables.databases().map(str::to_owned).collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    fn schema(&self, name: &str) -> Option<Arc<dyn SchemaProvider>> {
        self.tables.databases().any(|d| d == name).then(|| {
            Arc::new(TimestreamDatabase {
                engine: self.engine.clone(),
                database: name.into(),
                tables: self.tables.clone(),
                scans: self.scans.clone(),
            }) as Arc<dyn SchemaProvider>
        })
    }
}

/// One database of the query's catalog.
#[derive(Debug)]
pub struct TimestreamDatabase {
    engine: Arc<Engine>,
    database: String,
    tables: Arc<ResolvedTables>,
    scans: ScanLog,
}

#[async_trait]
impl SchemaProvider for TimestreamDatabase {
    /// The tables of this database the query names (DataFusion lists them only for
    /// `information_schema` and suggestions, neither of which a query here reaches).
    fn table_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .tables
            .tables
            .iter()
            .filter(|((d, _), r)| d == &self.database && matches!(r, Resolution::Table(_)))
            .map(|((_, t), _)| t.clone())
            .collect();
        names.sort_unstable();
        names
    }

    async fn table(&self, name: &str) -> Result<Option<Arc<dyn TableProvider>>> {
        Ok(self.tables.table(&self.database, name).map(|t| {
            Arc::new(TimestreamTable::new(
                self.engine.clone(),
                t.clone(),
                self.scans.clone(),
            )) as Arc<dyn TableProvider>
        }))
    }

    fn table_exist(&self, name: &str) -> bool {
        self.tables.table(&self.database, name).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::logical_expr::{col, lit};

    #[test]
    fn time_range_from_conjunctions() {
        let ts = |v| lit(ScalarValue::TimestampNanosecond(Some(v), None));
        let f = col("time")
            .gt_eq(ts(100))
            .and(col("time").lt(ts(200)))
            .and(col("host").eq(lit("a")));
        assert_eq!(time_range(&[f]), (Some(100), Some(200)));
        assert_eq!(time_range(&[ts(50).lt(col("time"))]), (Some(51), None));
        assert_eq!(
            time_range(&[col("time").gt(ts(1)).or(col("time").lt(ts(0)))]),
            (None, None)
        );
    }
}
