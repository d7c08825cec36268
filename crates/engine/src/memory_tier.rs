//! The memory tier: the records of each table inside its memory-store retention, also held in
//! RAM in columnar form, so that queries over recent data never touch disk. Rows arrive in an
//! active buffer and are sealed every [`CHUNK_ROWS`] rows into an Arrow `RecordBatch`
//! (time, series id, measure id, version, then one nullable column per value column present).
//! The series id column is the dictionary key of every dimension column: a query builds
//! `DictionaryArray`s from it and the table's series dictionary without copying keys.
//! Updates (version upserts) mark the old row deleted and append the new one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int64Builder, StringBuilder, UInt32Builder,
};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray, UInt32Array,
};
use arrow_schema::{DataType, Field, Schema};
use protocol::shapes::MeasureValueType;

use crate::record::{EncodedMeasures, Measures, Value, ValueRef};
use crate::table_state::{measure_value_column, MeasureKind, TableState};

/// Rows per sealed chunk.
pub const CHUNK_ROWS: usize = 8192;

/// Positions of a chunk's fixed columns; value columns (looked up by name) follow them. A
/// multi-measure attribute may be called `series` or `version`: look values up from
/// [`layout::FIRST_VALUE`] on, never by name alone.
pub mod layout {
    pub const TIME: usize = 0;
    pub const SERIES: usize = 1;
    pub const MEASURE: usize = 2;
    pub const VERSION: usize = 3;
    pub const FIRST_VALUE: usize = 4;
}

/// One record in the memory tier.
#[derive(Debug, Clone, PartialEq)]
pub struct MemRow {
    pub series: u32,
    pub measure: u32,
    pub time_ns: i64,
    pub version: i64,
    pub measures: Measures,
}

impl MemRow {
    fn same_identity(&self, series: u32, measure: u32, time_ns: i64) -> bool {
        self.series == series && self.measure == measure && self.time_ns == time_ns
    }
}

/// A sealed, immutable chunk.
#[derive(Debug)]
pub struct Chunk {
    pub batch: RecordBatch,
    pub min_time: i64,
    pub max_time: i64,
    /// Rows replaced by a later version (bit i set ⇒ row i is gone).
    deleted: Vec<u64>,
    deleted_count: usize,
}

impl Chunk {
    pub fn is_deleted(&self, row: usize) -> bool {
        self.deleted
            .get(row / 64)
            .is_some_and(|w| w & (1 << (row % 64)) != 0)
    }

    fn delete(&mut self, row: usize) {
        if self.deleted.is_empty() {
            self.deleted = vec![0; self.batch.num_rows().div_ceil(64)];
        }
        self.deleted[row / 64] |= 1 << (row % 64);
        self.deleted_count += 1;
    }

    /// The rows still live, as a selection mask; `None` when none was replaced.
    pub fn live_mask(&self) -> Option<Vec<bool>> {
        (self.deleted_count > 0).then(|| {
            (0..self.batch.num_rows())
                .map(|i| !self.is_deleted(i))
                .collect()
        })
    }

    fn live_rows(&self) -> usize {
        self.batch.num_rows() - self.deleted_count
    }

    fn column<T: 'static>(&self, i: usize) -> Option<&T> {
        self.batch.column(i).as_any().downcast_ref::<T>()
    }

    fn find(&self, series: u32, measure: u32, time_ns: i64) -> Option<usize> {
        if time_ns < self.min_time || time_ns > self.max_time {
            return None;
        }
        let times = self.column::<Int64Array>(layout::TIME)?;
        let sids = self.column::<UInt32Array>(layout::SERIES)?;
        let mids = self.column::<UInt32Array>(layout::MEASURE)?;
        (0..times.len()).find(|&i| {
            times.value(i) == time_ns
                && sids.value(i) == series
                && mids.value(i) == measure
                && !self.is_deleted(i)
        })
    }
}

#[derive(Debug, Default)]
pub struct MemTable {
    pub chunks: Vec<Chunk>,
    active: Vec<MemRow>,
    /// The active rows in chunk layout, built by the first query after a change: queries
    /// between writes share it instead of each converting up to a chunk of rows.
    active_batch: Mutex<Option<RecordBatch>>,
}

impl MemTable {
    /// The active (not yet sealed) rows in chunk layout; `None` when there are none.
    pub fn active_batch(&self) -> Option<RecordBatch> {
        if self.active.is_empty() {
            return None;
        }
        let mut cached = self.active_batch.lock().unwrap_or_else(|p| p.into_inner());
        Some(
            cached
                .get_or_insert_with(|| build_chunk(&self.active).batch)
                .clone(),
        )
    }

    /// The active rows changed: the shared batch no longer shows them.
    fn active_changed(&mut self) {
        *self
            .active_batch
            .get_mut()
            .unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Adds a record known to be new.
    pub fn insert(&mut self, row: MemRow) {
        self.active_changed();
        self.active.push(row);
        if self.active.len() >= CHUNK_ROWS {
            self.seal();
        }
    }

    /// Replaces the record with the same identity, or adds it.
    pub fn upsert(&mut self, row: MemRow) {
        if let Some(existing) = self
            .active
            .iter_mut()
            .rev()
            .find(|r| r.same_identity(row.series, row.measure, row.time_ns))
        {
            *existing = row;
            self.active_changed();
            return;
        }
        for chunk in self.chunks.iter_mut().rev() {
            if let Some(i) = chunk.find(row.series, row.measure, row.time_ns) {
                chunk.delete(i);
                break;
            }
        }
        self.insert(row);
    }

    /// Drops every record older than `cutoff_ns` (it lives on in SQLite, the magnetic tier).
    pub fn evict_before(&mut self, cutoff_ns: i64) {
        self.chunks
            .retain(|c| c.max_time >= cutoff_ns && c.live_rows() > 0);
        let before = self.active.len();
        self.active.retain(|r| r.time_ns >= cutoff_ns);
        if self.active.len() != before {
            self.active_changed();
        }
    }

    pub fn len(&self) -> usize {
        self.active.len() + self.chunks.iter().map(Chunk::live_rows).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// RAM held by this table's memory tier, in bytes.
    pub fn memory_bytes(&self) -> usize {
        let chunks: usize = self
            .chunks
            .iter()
            .map(|c| c.batch.get_array_memory_size() + c.deleted.len() * 8)
            .sum();
        let active: usize = self
            .active
            .iter()
            .map(|r| {
                std::mem::size_of::<MemRow>()
                    + match &r.measures {
                        Measures::Single(Value::Varchar(s)) => s.capacity(),
                        Measures::Single(_) => 0,
                        Measures::Multi(a) => {
                            a.capacity() * std::mem::size_of::<(String, Value)>()
                                + a.iter()
                                    .map(|(n, v)| n.capacity() + varchar_len(v))
                                    .sum::<usize>()
                        }
                    }
            })
            .sum();
        chunks + active
    }

    /// A table as inserting its rows one by one would leave it: `chunks` sealed, each of
    /// [`CHUNK_ROWS`] rows, then fewer than that many `active` rows.
    pub(crate) fn rebuilt(chunks: Vec<Chunk>, active: Vec<MemRow>) -> Self {
        debug_assert!(active.len() < CHUNK_ROWS);
        debug_assert!(chunks.iter().all(|c| c.batch.num_rows() == CHUNK_ROWS));
        Self {
            chunks,
            active,
            active_batch: Mutex::new(None),
        }
    }

    /// Seals the active rows into an Arrow chunk.
    pub fn seal(&mut self) {
        if self.active.is_empty() {
            return;
        }
        let rows = std::mem::take(&mut self.active);
        self.active_changed();
        self.chunks.push(build_chunk(&rows));
    }

    /// Every live row (for the engine's read API), sealed chunks decoded with `state`.
    pub fn rows(&self, state: &TableState) -> Vec<MemRow> {
        let mut out = Vec::with_capacity(self.len());
        for chunk in &self.chunks {
            decode_chunk(chunk, state, &mut out);
        }
        out.extend(self.active.iter().cloned());
        out
    }
}

fn varchar_len(v: &Value) -> usize {
    match v {
        Value::Varchar(s) => s.capacity(),
        _ => 0,
    }
}

enum ColumnBuilder {
    Double(Float64Builder),
    Bigint(Int64Builder),
    Varchar(StringBuilder),
    Boolean(BooleanBuilder),
    Timestamp(Int64Builder),
}

impl ColumnBuilder {
    fn new(t: MeasureValueType, capacity: usize) -> Self {
        match t {
            MeasureValueType::Double => Self::Double(Float64Builder::with_capacity(capacity)),
            MeasureValueType::Bigint => Self::Bigint(Int64Builder::with_capacity(capacity)),
            MeasureValueType::Boolean => Self::Boolean(BooleanBuilder::with_capacity(capacity)),
            MeasureValueType::Timestamp => Self::Timestamp(Int64Builder::with_capacity(capacity)),
            MeasureValueType::Varchar | MeasureValueType::Multi => {
                Self::Varchar(StringBuilder::with_capacity(capacity, capacity * 8))
            }
        }
    }

    /// Appends `v` if it has the column's type; a value of another type is not appended (its
    /// row gets a null).
    fn append(&mut self, v: ValueRef<'_>) -> bool {
        match (self, v) {
            (Self::Double(b), ValueRef::Double(d)) => b.append_value(d),
            (Self::Bigint(b), ValueRef::Bigint(i)) => b.append_value(i),
            (Self::Timestamp(b), ValueRef::Timestamp(i)) => b.append_value(i),
            (Self::Boolean(b), ValueRef::Boolean(x)) => b.append_value(x),
            (Self::Varchar(b), ValueRef::Varchar(s)) => b.append_value(s),
            _ => return false,
        }
        true
    }

    fn append_nulls(&mut self, n: usize) {
        match self {
            Self::Double(b) => b.append_nulls(n),
            Self::Bigint(b) | Self::Timestamp(b) => b.append_nulls(n),
            Self::Boolean(b) => b.append_nulls(n),
            Self::Varchar(b) => b.append_nulls(n),
        }
    }

    fn finish(self) -> (DataType, ArrayRef) {
        match self {
            Self::Double(mut b) => (DataType::Float64, Arc::new(b.finish())),
            Self::Bigint(mut b) => (DataType::Int64, Arc::new(b.finish())),
            Self::Timestamp(mut b) => (DataType::Int64, Arc::new(b.finish())),
            Self::Boolean(mut b) => (DataType::Boolean, Arc::new(b.finish())),
            Self::Varchar(mut b) => (DataType::Utf8, Arc::new(b.finish())),
        }
    }
}

/// [`measure_value_column`] as a constant: the chunk builder looks it up once per row.
fn single_value_column(t: MeasureValueType) -> &'static str {
    match t {
        MeasureValueType::Double => "measure_value::double",
        MeasureValueType::Bigint => "measure_value::bigint",
        MeasureValueType::Varchar => "measure_value::varchar",
        MeasureValueType::Boolean => "measure_value::boolean",
        MeasureValueType::Timestamp => "measure_value::timestamp",
        MeasureValueType::Multi => "measure_value::multi",
    }
}

struct ValueColumn {
    name: String,
    builder: ColumnBuilder,
    /// Rows the builder holds. A row without a value in this column gets its null when the
    /// column's next value (or the end of the chunk) comes, many at once.
    len: usize,
}

/// Columns looked up by a scan of their names up to this many, by hash past it.
const SCAN_COLUMNS: usize = 16;

/// Builds a chunk row by row, straight from borrowed values (decoded [`MemRow`]s, or encoded
/// values read from SQLite at start-up): value columns in the order their names are first seen,
/// each with the type of its first value, a null where a row has no value of that name and
/// type.
struct ChunkBuilder {
    capacity: usize,
    rows: usize,
    time: Int64Builder,
    series: UInt32Builder,
    measure: UInt32Builder,
    version: Int64Builder,
    min_time: i64,
    max_time: i64,
    columns: Vec<ValueColumn>,
    index: HashMap<String, usize>,
    /// The column of each value position in the previous row. The rows of a table mostly
    /// share one layout (a multi-measure record's attributes are sorted by name), so a value's
    /// column is usually found by one comparison of its name, without hashing or UTF-8 checks.
    last_layout: Vec<usize>,
}

impl ChunkBuilder {
    fn new(capacity: usize) -> Self {
        Self {
            capacity,
            rows: 0,
            time: Int64Builder::with_capacity(capacity),
            series: UInt32Builder::with_capacity(capacity),
            measure: UInt32Builder::with_capacity(capacity),
            version: Int64Builder::with_capacity(capacity),
            min_time: i64::MAX,
            max_time: i64::MIN,
            columns: Vec::new(),
            index: HashMap::new(),
            last_layout: Vec::new(),
        }
    }

    fn start_row(&mut self, series: u32, measure: u32, time_ns: i64, version: i64) {
        self.time.append_value(time_ns);
        self.series.append_value(series);
        self.measure.append_value(measure);
        self.version.append_value(version);
        self.min_time = self.min_time.min(time_ns);
        self.max_time = self.max_time.max(time_ns);
        self.rows += 1;
    }

    /// Adds the value at `position` among the current row's values, to the column called
    /// `name`. `None` when `name` is new and not UTF-8 (an undecodable record).
    fn value(&mut self, position: usize, name: &[u8], v: ValueRef<'_>) -> Option<()> {
        let c = match self.last_layout.get(position) {
            Some(&c) if self.columns[c].name.as_bytes() == name => c,
            _ => {
                let c = self.column(name, v.value_type())?;
                match self.last_layout.get_mut(position) {
                    Some(slot) => *slot = c,
                    None => self.last_layout.push(c),
                }
                c
            }
        };
        let row = self.rows - 1;
        let column = &mut self.columns[c];
        // A name twice in one row (never encoded: attributes are unique) keeps its first value.
        if column.len > row {
            return Some(());
        }
        if column.len < row {
            column.builder.append_nulls(row - column.len);
            column.len = row;
        }
        if column.builder.append(v) {
            column.len += 1;
        }
        Some(())
    }

    /// The column called `name`, added with type `t` if it is new.
    fn column(&mut self, name: &[u8], t: MeasureValueType) -> Option<usize> {
        if self.columns.len() <= SCAN_COLUMNS {
            if let Some(c) = self.columns.iter().position(|c| c.name.as_bytes() == name) {
                return Some(c);
            }
        }
        let name = std::str::from_utf8(name).ok()?;
        if let Some(&c) = self.index.get(name) {
            return Some(c);
        }
        let c = self.columns.len();
        self.index.insert(name.to_owned(), c);
        self.columns.push(ValueColumn {
            name: name.to_owned(),
            builder: ColumnBuilder::new(t, self.capacity),
            len: 0,
        });
        Some(c)
    }

    fn finish(mut self) -> Chunk {
        let mut fields = vec![
            Field::new("time", DataType::Int64, false),
            Field::new("series", DataType::UInt32, false),
            Field::new("measure", DataType::UInt32, false),
            Field::new("version", DataType::Int64, false),
        ];
        // In the order of `layout`.
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(self.time.finish()),
            Arc::new(self.series.finish()),
            Arc::new(self.measure.finish()),
            Arc::new(self.version.finish()),
        ];
        for mut column in self.columns {
            if column.len < self.rows {
                column.builder.append_nulls(self.rows - column.len);
            }
            let (dt, array) = column.builder.finish();
            fields.push(Field::new(column.name, dt, true));
            columns.push(array);
        }
        // Field count and lengths match by construction; an error here is a bug, so fall back
        // to an empty chunk rather than panic on a request path.
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
            .unwrap_or_else(|_| RecordBatch::new_empty(Arc::new(Schema::empty())));
        Chunk {
            batch,
            min_time: self.min_time,
            max_time: self.max_time,
            deleted: Vec::new(),
            deleted_count: 0,
        }
    }
}

pub(crate) fn build_chunk(rows: &[MemRow]) -> Chunk {
    let mut b = ChunkBuilder::new(rows.len());
    for row in rows {
        b.start_row(row.series, row.measure, row.time_ns, row.version);
        // Names of `Measures` are `str`s: `value` cannot fail on them.
        let _ = match &row.measures {
            Measures::Single(v) => b.value(
                0,
                single_value_column(v.value_type()).as_bytes(),
                v.as_ref(),
            ),
            Measures::Multi(attrs) => attrs
                .iter()
                .enumerate()
                .try_for_each(|(i, (n, v))| b.value(i, n.as_bytes(), v.as_ref())),
        };
    }
    b.finish()
}

/// Records as SQLite holds them, values still encoded, gathered for one chunk by the start-up
/// rebuild: one buffer per field instead of an allocation per record.
#[derive(Debug, Default)]
pub(crate) struct EncodedRows {
    series: Vec<u32>,
    measure: Vec<u32>,
    time: Vec<i64>,
    version: Vec<i64>,
    /// Where each record's value ends in `values`.
    ends: Vec<usize>,
    values: Vec<u8>,
}

impl EncodedRows {
    pub fn with_capacity(rows: usize) -> Self {
        Self {
            series: Vec::with_capacity(rows),
            measure: Vec::with_capacity(rows),
            time: Vec::with_capacity(rows),
            version: Vec::with_capacity(rows),
            ends: Vec::with_capacity(rows),
            values: Vec::with_capacity(rows * 16),
        }
    }

    pub fn push(&mut self, series: u32, measure: u32, time_ns: i64, version: i64, value: &[u8]) {
        self.series.push(series);
        self.measure.push(measure);
        self.time.push(time_ns);
        self.version.push(version);
        self.values.extend_from_slice(value);
        self.ends.push(self.values.len());
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn clear(&mut self) {
        self.series.clear();
        self.measure.clear();
        self.time.clear();
        self.version.clear();
        self.ends.clear();
        self.values.clear();
    }

    fn value(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.values[start..self.ends[i]]
    }

    /// The chunk [`build_chunk`] makes of these records once decoded, built without decoding
    /// them into [`MemRow`]s; `None` when a value is not a valid encoding.
    pub fn build_chunk(&self) -> Option<Chunk> {
        let mut b = ChunkBuilder::new(self.len());
        for i in 0..self.len() {
            b.start_row(
                self.series[i],
                self.measure[i],
                self.time[i],
                self.version[i],
            );
            match EncodedMeasures::parse(self.value(i))? {
                EncodedMeasures::Single(v) => {
                    b.value(0, single_value_column(v.value_type()).as_bytes(), v)?
                }
                EncodedMeasures::Multi(attrs) => {
                    for (position, attr) in attrs.enumerate() {
                        let (name, v) = attr?;
                        b.value(position, name, v)?;
                    }
                }
            }
        }
        Some(b.finish())
    }

    /// The records decoded (for the active buffer); `None` when a value is not a valid
    /// encoding.
    pub fn decode(&self) -> Option<Vec<MemRow>> {
        (0..self.len())
            .map(|i| {
                Some(MemRow {
                    series: self.series[i],
                    measure: self.measure[i],
                    time_ns: self.time[i],
                    version: self.version[i],
                    measures: Measures::decode(self.value(i))?,
                })
            })
            .collect()
    }
}

fn decode_value(array: &dyn Array, i: usize, t: MeasureValueType) -> Option<Value> {
    if array.is_null(i) {
        return None;
    }
    let any = array.as_any();
    Some(match t {
        MeasureValueType::Double => Value::Double(any.downcast_ref::<Float64Array>()?.value(i)),
        MeasureValueType::Bigint => Value::Bigint(any.downcast_ref::<Int64Array>()?.value(i)),
        MeasureValueType::Timestamp => Value::Timestamp(any.downcast_ref::<Int64Array>()?.value(i)),
        MeasureValueType::Boolean => Value::Boolean(any.downcast_ref::<BooleanArray>()?.value(i)),
        MeasureValueType::Varchar | MeasureValueType::Multi => {
            Value::Varchar(any.downcast_ref::<StringArray>()?.value(i).to_owned())
        }
    })
}

fn decode_chunk(chunk: &Chunk, state: &TableState, out: &mut Vec<MemRow>) {
    let (Some(times), Some(sids), Some(mids), Some(versions)) = (
        chunk.column::<Int64Array>(layout::TIME),
        chunk.column::<UInt32Array>(layout::SERIES),
        chunk.column::<UInt32Array>(layout::MEASURE),
        chunk.column::<Int64Array>(layout::VERSION),
    ) else {
        return;
    };
    let schema = chunk.batch.schema();
    let column_type = |name: &str| -> Option<MeasureValueType> {
        state
            .columns
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, k)| match k {
                crate::table_state::ColumnKind::MeasureValue(t)
                | crate::table_state::ColumnKind::Attribute(t) => Some(*t),
                crate::table_state::ColumnKind::Dimension => None,
            })
    };
    let value_columns: Vec<(usize, String, Option<MeasureValueType>)> = (layout::FIRST_VALUE
        ..schema.fields().len())
        .map(|i| {
            (
                i,
                schema.field(i).name().clone(),
                column_type(schema.field(i).name()),
            )
        })
        .collect();
    for i in 0..times.len() {
        if chunk.is_deleted(i) {
            continue;
        }
        let measure = mids.value(i);
        let kind = state.measures.get(measure as usize).map(|m| m.1);
        let measures = match kind {
            Some(MeasureKind::Single(t)) => {
                let name = measure_value_column(t);
                let v = value_columns
                    .iter()
                    .find(|(_, n, _)| *n == name)
                    .and_then(|(c, _, _)| decode_value(chunk.batch.column(*c).as_ref(), i, t));
                match v {
                    Some(v) => Measures::Single(v),
                    None => continue,
                }
            }
            _ => Measures::Multi(
                value_columns
                    .iter()
                    .filter(|(_, n, _)| !n.starts_with("measure_value::"))
                    .filter_map(|(c, n, t)| {
                        Some((
                            n.clone(),
                            decode_value(chunk.batch.column(*c).as_ref(), i, (*t)?)?,
                        ))
                    })
                    .collect(),
            ),
        };
        out.push(MemRow {
            series: sids.value(i),
            measure,
            time_ns: times.value(i),
            version: versions.value(i),
            measures,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(series: u32, time: i64, v: f64) -> MemRow {
        MemRow {
            series,
            measure: 0,
            time_ns: time,
            version: 1,
            measures: Measures::Single(Value::Double(v)),
        }
    }

    #[test]
    fn upsert_replaces_in_active_and_in_sealed_chunks() {
        let mut t = MemTable::default();
        for i in 0..(CHUNK_ROWS as i64 + 10) {
            t.insert(row(0, i, i as f64));
        }
        assert_eq!(t.chunks.len(), 1);
        assert_eq!(t.len(), CHUNK_ROWS + 10);
        t.upsert(MemRow {
            version: 2,
            ..row(0, 5, 500.0)
        });
        t.upsert(MemRow {
            version: 2,
            ..row(0, CHUNK_ROWS as i64 + 1, 7.0)
        });
        assert_eq!(t.len(), CHUNK_ROWS + 10);
        assert!(t.chunks[0].is_deleted(5));
        t.evict_before(CHUNK_ROWS as i64);
        assert_eq!(
            t.chunks.len(),
            0,
            "a chunk wholly older than the cutoff is dropped"
        );
        assert_eq!(
            t.len(),
            10,
            "the re-written row at time 5 is older than the cutoff too"
        );
    }

    #[test]
    fn memory_per_sealed_double_record_is_small() {
        let mut t = MemTable::default();
        for i in 0..(CHUNK_ROWS as i64 * 4) {
            t.insert(row((i % 100) as u32, i, 1.0));
        }
        let per_record = t.memory_bytes() / t.len();
        assert!(per_record <= 40, "{per_record} bytes per record");
    }

    /// The chunk builder before issue 16 (every row's values gathered into a `Vec` and looked
    /// up by name in a map), kept as the reference the faster one must match.
    fn reference_build_chunk(rows: &[MemRow]) -> Chunk {
        fn row_values(row: &MemRow) -> Vec<(String, &Value)> {
            match &row.measures {
                Measures::Single(v) => vec![(measure_value_column(v.value_type()), v)],
                Measures::Multi(attrs) => attrs.iter().map(|(n, v)| (n.clone(), v)).collect(),
            }
        }
        let n = rows.len();
        let mut time = Int64Builder::with_capacity(n);
        let mut series = UInt32Builder::with_capacity(n);
        let mut measure = UInt32Builder::with_capacity(n);
        let mut version = Int64Builder::with_capacity(n);
        let mut names: Vec<String> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut builders: Vec<ColumnBuilder> = Vec::new();
        for row in rows {
            for (name, v) in row_values(row) {
                if !index.contains_key(&name) {
                    index.insert(name.clone(), builders.len());
                    names.push(name);
                    builders.push(ColumnBuilder::new(v.value_type(), n));
                }
            }
        }
        let mut slots: Vec<Option<&Value>> = vec![None; builders.len()];
        let (mut min_time, mut max_time) = (i64::MAX, i64::MIN);
        for row in rows {
            time.append_value(row.time_ns);
            series.append_value(row.series);
            measure.append_value(row.measure);
            version.append_value(row.version);
            min_time = min_time.min(row.time_ns);
            max_time = max_time.max(row.time_ns);
            slots.iter_mut().for_each(|s| *s = None);
            for (name, v) in row_values(row) {
                slots[index[&name]] = Some(v);
            }
            for (b, v) in builders.iter_mut().zip(&slots) {
                if !v.is_some_and(|v| b.append(v.as_ref())) {
                    b.append_nulls(1);
                }
            }
        }
        let mut fields = vec![
            Field::new("time", DataType::Int64, false),
            Field::new("series", DataType::UInt32, false),
            Field::new("measure", DataType::UInt32, false),
            Field::new("version", DataType::Int64, false),
        ];
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(time.finish()),
            Arc::new(series.finish()),
            Arc::new(measure.finish()),
            Arc::new(version.finish()),
        ];
        for (name, b) in names.into_iter().zip(builders) {
            let (dt, array) = b.finish();
            fields.push(Field::new(name, dt, true));
            columns.push(array);
        }
        Chunk {
            batch: RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap(),
            min_time,
            max_time,
            deleted: Vec::new(),
            deleted_count: 0,
        }
    }

    /// Rows of every kind a chunk holds: single-measure values of each type under several
    /// measures, multi-measure records with varying attribute sets (columns that appear
    /// mid-chunk, rows without some columns), a name used with two types, a varchar
    /// attribute named like a single-measure column.
    fn varied_rows(n: usize) -> Vec<MemRow> {
        let text = |i: usize| format!("v{}", "é".repeat(i % 5));
        (0..n)
            .map(|i| {
                let measures = match i % 11 {
                    0 => Measures::Single(Value::Double(i as f64 / 3.0)),
                    1 => Measures::Single(Value::Bigint(-(i as i64))),
                    2 => Measures::Single(Value::Varchar(text(i))),
                    3 => Measures::Single(Value::Boolean(i % 2 == 0)),
                    4 => Measures::Single(Value::Timestamp(i as i64 * 1_000)),
                    5 | 6 => Measures::Multi(vec![
                        ("cpu".into(), Value::Double(i as f64)),
                        ("mem".into(), Value::Bigint(i as i64)),
                    ]),
                    7 => Measures::Multi(vec![
                        ("cpu".into(), Value::Double(0.5)),
                        ("host".into(), Value::Varchar(text(i))),
                        ("up".into(), Value::Boolean(true)),
                    ]),
                    // `mem` as a DOUBLE where the chunk's column is BIGINT: a null there.
                    8 => Measures::Multi(vec![("mem".into(), Value::Double(1.0))]),
                    9 if i > n / 2 => {
                        Measures::Multi(vec![("late".into(), Value::Timestamp(i as i64))])
                    }
                    9 => Measures::Multi(vec![]),
                    _ => Measures::Multi(vec![(
                        "measure_value::varchar".into(),
                        Value::Varchar(text(i)),
                    )]),
                };
                MemRow {
                    series: (i % 7) as u32,
                    measure: (i % 11) as u32,
                    time_ns: 1_000 + (i as i64 * 37) % 500,
                    version: 1 + (i % 3) as i64,
                    measures,
                }
            })
            .collect()
    }

    fn assert_same_chunk(a: &Chunk, b: &Chunk) {
        assert_eq!(a.batch, b.batch);
        assert_eq!((a.min_time, a.max_time), (b.min_time, b.max_time));
        assert_eq!(
            a.batch.get_array_memory_size(),
            b.batch.get_array_memory_size()
        );
        assert_eq!(a.live_mask(), b.live_mask());
    }

    #[test]
    fn chunks_match_the_reference_builder() {
        for n in [1, 2, 11, 100, 1000, CHUNK_ROWS] {
            let rows = varied_rows(n);
            let expected = reference_build_chunk(&rows);
            assert_same_chunk(&build_chunk(&rows), &expected);
            let mut encoded = EncodedRows::with_capacity(n);
            for r in &rows {
                encoded.push(
                    r.series,
                    r.measure,
                    r.time_ns,
                    r.version,
                    &r.measures.encode(),
                );
            }
            assert_same_chunk(&encoded.build_chunk().unwrap(), &expected);
            assert_eq!(encoded.decode().unwrap(), rows);
        }
    }

    #[test]
    fn undecodable_encoded_rows_are_refused() {
        let mut encoded = EncodedRows::default();
        encoded.push(0, 0, 1, 1, &Measures::Single(Value::Double(1.0)).encode());
        let mut cut = Measures::Multi(vec![("a".into(), Value::Bigint(1))]).encode();
        cut.pop();
        encoded.push(0, 0, 2, 1, &cut);
        assert!(encoded.build_chunk().is_none());
        assert!(encoded.decode().is_none());
        let mut bad_name = EncodedRows::default();
        bad_name.push(0, 0, 1, 1, &[0xFF, 1, 0, 1, 0, 0xC3, 4, 1]);
        assert!(bad_name.build_chunk().is_none());
        assert!(bad_name.decode().is_none());
    }

    #[test]
    fn a_rebuilt_table_is_the_one_inserting_its_rows_builds() {
        let rows = varied_rows(2 * CHUNK_ROWS + 100);
        let mut inserted = MemTable::default();
        for r in &rows {
            inserted.insert(r.clone());
        }
        let chunks = rows
            .chunks(CHUNK_ROWS)
            .filter(|c| c.len() == CHUNK_ROWS)
            .map(build_chunk)
            .collect();
        let rebuilt = MemTable::rebuilt(chunks, rows[2 * CHUNK_ROWS..].to_vec());
        assert_eq!(rebuilt.chunks.len(), inserted.chunks.len());
        for (a, b) in rebuilt.chunks.iter().zip(&inserted.chunks) {
            assert_same_chunk(a, b);
        }
        assert_eq!(rebuilt.active, inserted.active);
        assert_eq!(rebuilt.len(), inserted.len());
        assert_eq!(rebuilt.memory_bytes(), inserted.memory_bytes());
        assert_eq!(rebuilt.active_batch(), inserted.active_batch());
    }

    #[test]
    fn single_value_columns_are_the_table_columns() {
        for t in [
            MeasureValueType::Double,
            MeasureValueType::Bigint,
            MeasureValueType::Varchar,
            MeasureValueType::Boolean,
            MeasureValueType::Timestamp,
            MeasureValueType::Multi,
        ] {
            assert_eq!(single_value_column(t), measure_value_column(t));
        }
    }
}
