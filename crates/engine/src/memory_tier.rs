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

use crate::record::{Measures, Value};
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

    fn append(&mut self, v: Option<&Value>) {
        match (self, v) {
            (Self::Double(b), Some(Value::Double(d))) => b.append_value(*d),
            (Self::Bigint(b), Some(Value::Bigint(i))) => b.append_value(*i),
            (Self::Timestamp(b), Some(Value::Timestamp(i))) => b.append_value(*i),
            (Self::Boolean(b), Some(Value::Boolean(x))) => b.append_value(*x),
            (Self::Varchar(b), Some(Value::Varchar(s))) => b.append_value(s),
            (Self::Double(b), _) => b.append_null(),
            (Self::Bigint(b) | Self::Timestamp(b), _) => b.append_null(),
            (Self::Boolean(b), _) => b.append_null(),
            (Self::Varchar(b), _) => b.append_null(),
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

/// The value columns of a row: (column name, value).
fn row_values(row: &MemRow) -> Vec<(std::borrow::Cow<'_, str>, &Value)> {
    match &row.measures {
        Measures::Single(v) => vec![(measure_value_column(v.value_type()).into(), v)],
        Measures::Multi(attrs) => attrs.iter().map(|(n, v)| (n.as_str().into(), v)).collect(),
    }
}

pub(crate) fn build_chunk(rows: &[MemRow]) -> Chunk {
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
            if !index.contains_key(name.as_ref()) {
                index.insert(name.to_string(), builders.len());
                names.push(name.to_string());
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
            if let Some(&i) = index.get(name.as_ref()) {
                slots[i] = Some(v);
            }
        }
        for (b, v) in builders.iter_mut().zip(&slots) {
            b.append(*v);
        }
    }
    let mut fields = vec![
        Field::new("time", DataType::Int64, false),
        Field::new("series", DataType::UInt32, false),
        Field::new("measure", DataType::UInt32, false),
        Field::new("version", DataType::Int64, false),
    ];
    // In the order of `layout`.
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
    // Field count and lengths match by construction; an error here is a bug, so fall back to an
    // empty chunk rather than panic on a request path.
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .unwrap_or_else(|_| RecordBatch::new_empty(Arc::new(Schema::empty())));
    Chunk {
        batch,
        min_time,
        max_time,
        deleted: Vec::new(),
        deleted_count: 0,
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
}
