//! What the engine knows of one table's data, kept in RAM and persisted alongside the records:
//! the series dictionary (dimension sets → small ids), the measure-name dictionary, and the
//! table's columns in first-seen order with their kinds. The schema rules of WriteRecords
//! (a name used both as dimension and measure, a measure whose type changes, per-table counts)
//! are checked against it.

use std::collections::HashMap;
use std::sync::Arc;

use protocol::shapes::MeasureValueType;
use rusqlite::{params, Connection};

use crate::ingest::PreparedRecord;
use crate::record::Measures;
use crate::Result;

/// Per-table quotas (§5.1).
pub const MAX_DIMENSIONS_PER_TABLE: usize = 128;
pub const MAX_MEASURE_NAMES_PER_TABLE: usize = 8192;
pub const MAX_MULTI_ATTRIBUTES_PER_TABLE: usize = 1024;

/// A column of the table as queries will see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Dimension,
    /// `measure_value::<type>` of single-measure records.
    MeasureValue(MeasureValueType),
    /// An attribute of multi-measure records.
    Attribute(MeasureValueType),
}

/// How a measure name has been used: single-measure with a type, or multi-measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeasureKind {
    Single(MeasureValueType),
    Multi,
}

#[derive(Debug, Default)]
pub struct TableState {
    series_ids: HashMap<String, u32>,
    /// Dimension sets by series id, sorted by name. Shared with query snapshots, which take
    /// it per query; a new series copies it only while a snapshot still holds the old one.
    pub series: Arc<Vec<Vec<(String, String)>>>,
    measure_ids: HashMap<String, u32>,
    /// Measure names by id, with how they are used (shared as `series` is).
    pub measures: Arc<Vec<(String, MeasureKind)>>,
    /// Columns in first-seen order.
    pub columns: Vec<(String, ColumnKind)>,
    column_index: HashMap<String, usize>,
    attribute_count: usize,
    dimension_count: usize,
}

/// The canonical key of a dimension set: `name US value RS` per dimension, sorted by name, with
/// backslash escapes so that separators inside names or values cannot collide.
pub fn series_key(dims: &[(String, String)]) -> String {
    fn push_escaped(key: &mut String, part: &str) {
        for c in part.chars() {
            if matches!(c, '\\' | '\u{1f}' | '\u{1e}') {
                key.push('\\');
            }
            key.push(c);
        }
    }
    let mut key = String::with_capacity(dims.iter().map(|(n, v)| n.len() + v.len() + 2).sum());
    for (name, value) in dims {
        push_escaped(&mut key, name);
        key.push('\u{1f}');
        push_escaped(&mut key, value);
        key.push('\u{1e}');
    }
    key
}

fn kind_text(kind: ColumnKind) -> String {
    match kind {
        ColumnKind::Dimension => "dimension".into(),
        ColumnKind::MeasureValue(t) => format!("measure_value:{}", t.as_str()),
        ColumnKind::Attribute(t) => format!("attribute:{}", t.as_str()),
    }
}

fn parse_type(s: &str) -> Option<MeasureValueType> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

fn parse_kind(s: &str) -> Option<ColumnKind> {
    match s.split_once(':') {
        None if s == "dimension" => Some(ColumnKind::Dimension),
        Some(("measure_value", t)) => parse_type(t).map(ColumnKind::MeasureValue),
        Some(("attribute", t)) => parse_type(t).map(ColumnKind::Attribute),
        _ => None,
    }
}

/// The column name a single-measure value of `t` lands in.
pub fn measure_value_column(t: MeasureValueType) -> String {
    format!("measure_value::{}", t.as_str().to_ascii_lowercase())
}

impl TableState {
    pub fn load(conn: &Connection, table_id: i64) -> Result<Self> {
        let mut state = Self::default();
        let mut stmt = conn.prepare_cached(
            "SELECT series_id, dims FROM series WHERE table_id = ?1 ORDER BY series_id",
        )?;
        let rows = stmt.query_map(params![table_id], |r| {
            Ok((r.get::<_, u32>(0)?, r.get::<_, String>(1)?))
        })?;
        for row in rows {
            let (id, key) = row?;
            let dims = parse_series_key(&key);
            let series = Arc::make_mut(&mut state.series);
            if series.len() <= id as usize {
                series.resize(id as usize + 1, Vec::new());
            }
            series[id as usize] = dims;
            state.series_ids.insert(key, id);
        }
        let mut stmt = conn.prepare_cached("SELECT measure_id, name, kind FROM measure_names WHERE table_id = ?1 ORDER BY measure_id")?;
        let rows = stmt.query_map(params![table_id], |r| {
            Ok((
                r.get::<_, u32>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (id, name, kind) = row?;
            let kind = match kind.as_str() {
                "MULTI" => MeasureKind::Multi,
                t => MeasureKind::Single(parse_type(t).unwrap_or(MeasureValueType::Double)),
            };
            debug_assert_eq!(id as usize, state.measures.len());
            state.measure_ids.insert(name.clone(), id);
            Arc::make_mut(&mut state.measures).push((name, kind));
        }
        let mut stmt = conn.prepare_cached(
            "SELECT name, kind FROM table_columns WHERE table_id = ?1 ORDER BY ordinal",
        )?;
        let rows = stmt.query_map(params![table_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        for row in rows {
            let (name, kind) = row?;
            if let Some(kind) = parse_kind(&kind) {
                state.push_column(name, kind);
            }
        }
        Ok(state)
    }

    /// The state of `table_id` from `cache`, loaded from `conn` on first use.
    pub fn cached<'a>(
        cache: &'a mut HashMap<i64, TableState>,
        conn: &Connection,
        table_id: i64,
    ) -> Result<&'a mut Self> {
        Ok(match cache.entry(table_id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(Self::load(conn, table_id)?),
        })
    }

    fn push_column(&mut self, name: String, kind: ColumnKind) {
        match kind {
            ColumnKind::Dimension => self.dimension_count += 1,
            ColumnKind::Attribute(_) => self.attribute_count += 1,
            ColumnKind::MeasureValue(_) => {}
        }
        self.column_index.insert(name.clone(), self.columns.len());
        self.columns.push((name, kind));
    }

    fn column(&self, name: &str) -> Option<ColumnKind> {
        self.column_index.get(name).map(|&i| self.columns[i].1)
    }

    pub fn measure_kind(&self, name: &str) -> Option<MeasureKind> {
        self.measure_ids
            .get(name)
            .map(|&id| self.measures[id as usize].1)
    }

    /// The schema rules of one record against the table as it is; the reason on failure.
    pub fn check(
        &self,
        r: &PreparedRecord,
        required_dimension: Option<&str>,
    ) -> std::result::Result<(), String> {
        if let Some(required) = required_dimension {
            if !r.dimensions.iter().any(|(n, _)| n == required) {
                return Err(format!(
                    "The record is missing the dimension {required}, which the table's composite partition key requires (EnforcementInRecord is REQUIRED)."
                ));
            }
        }
        let mut new_dims = 0;
        for (name, _) in &r.dimensions {
            match self.column(name) {
                Some(ColumnKind::Dimension) => {}
                Some(_) => {
                    return Err(format!(
                        "The name {name} is already used as a measure in this table and cannot be used as a dimension."
                    ))
                }
                None => new_dims += 1,
            }
        }
        if self.dimension_count + new_dims > MAX_DIMENSIONS_PER_TABLE {
            return Err(format!(
                "The table would have more than {MAX_DIMENSIONS_PER_TABLE} dimensions."
            ));
        }
        let new_measure = self.measure_kind(&r.measure_name).is_none();
        if new_measure && self.measures.len() >= MAX_MEASURE_NAMES_PER_TABLE {
            return Err(format!("The table would have more than {MAX_MEASURE_NAMES_PER_TABLE} unique measure names."));
        }
        match &r.measures {
            Measures::Single(v) => match self.measure_kind(&r.measure_name) {
                Some(MeasureKind::Single(t)) if t != v.value_type() => Err(format!(
                    "The measure {} was previously ingested as {}; it cannot be ingested as {}.",
                    r.measure_name,
                    t.as_str(),
                    v.value_type().as_str()
                )),
                Some(MeasureKind::Multi) => Err(format!(
                    "The measure {} was previously ingested as a MULTI measure; it cannot be ingested as {}.",
                    r.measure_name,
                    v.value_type().as_str()
                )),
                _ => Ok(()),
            },
            Measures::Multi(attrs) => {
                if let Some(MeasureKind::Single(t)) = self.measure_kind(&r.measure_name) {
                    return Err(format!(
                        "The measure {} was previously ingested as {}; it cannot be ingested as MULTI.",
                        r.measure_name,
                        t.as_str()
                    ));
                }
                let mut new_attrs = 0;
                for (name, v) in attrs {
                    match self.column(name) {
                        Some(ColumnKind::Attribute(t)) if t != v.value_type() => {
                            return Err(format!(
                                "The measure {name} was previously ingested as {}; it cannot be ingested as {}.",
                                t.as_str(),
                                v.value_type().as_str()
                            ))
                        }
                        Some(ColumnKind::Dimension) => {
                            return Err(format!(
                                "The name {name} is already used as a dimension in this table and cannot be used as a measure."
                            ))
                        }
                        Some(_) => {}
                        None => new_attrs += 1,
                    }
                }
                if self.attribute_count + new_attrs > MAX_MULTI_ATTRIBUTES_PER_TABLE {
                    return Err(format!(
                        "The table would have more than {MAX_MULTI_ATTRIBUTES_PER_TABLE} unique measures across multi-measure records."
                    ));
                }
                Ok(())
            }
        }
    }

    /// Registers what `r` adds (series, measure name, columns) in RAM and in `conn`'s
    /// transaction; returns (series id, measure id).
    pub fn register(
        &mut self,
        conn: &Connection,
        table_id: i64,
        r: &PreparedRecord,
    ) -> Result<(u32, u32)> {
        let key = series_key(&r.dimensions);
        let series_id = match self.series_ids.get(&key) {
            Some(&id) => id,
            None => {
                let id = self.series.len() as u32;
                conn.prepare_cached(
                    "INSERT INTO series (table_id, series_id, dims) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![table_id, id, key])?;
                Arc::make_mut(&mut self.series).push(r.dimensions.clone());
                self.series_ids.insert(key, id);
                id
            }
        };
        let measure_id = match self.measure_ids.get(&r.measure_name) {
            Some(&id) => id,
            None => {
                let id = self.measures.len() as u32;
                let kind = match &r.measures {
                    Measures::Single(v) => MeasureKind::Single(v.value_type()),
                    Measures::Multi(_) => MeasureKind::Multi,
                };
                let kind_text = match kind {
                    MeasureKind::Single(t) => t.as_str(),
                    MeasureKind::Multi => "MULTI",
                };
                conn.prepare_cached("INSERT INTO measure_names (table_id, measure_id, name, kind) VALUES (?1, ?2, ?3, ?4)")?
                    .execute(params![table_id, id, r.measure_name, kind_text])?;
                self.measure_ids.insert(r.measure_name.clone(), id);
                Arc::make_mut(&mut self.measures).push((r.measure_name.clone(), kind));
                id
            }
        };
        let add = |state: &mut Self, name: &str, kind: ColumnKind| -> Result<()> {
            if state.column_index.contains_key(name) {
                return Ok(());
            }
            conn.prepare_cached(
                "INSERT INTO table_columns (table_id, ordinal, name, kind) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                table_id,
                state.columns.len() as i64,
                name,
                kind_text(kind)
            ])?;
            state.push_column(name.to_owned(), kind);
            Ok(())
        };
        for (name, _) in &r.dimensions {
            add(self, name, ColumnKind::Dimension)?;
        }
        match &r.measures {
            Measures::Single(v) => add(
                self,
                &measure_value_column(v.value_type()),
                ColumnKind::MeasureValue(v.value_type()),
            )?,
            Measures::Multi(attrs) => {
                for (name, v) in attrs {
                    add(self, name, ColumnKind::Attribute(v.value_type()))?;
                }
            }
        }
        Ok((series_id, measure_id))
    }
}

fn parse_series_key(key: &str) -> Vec<(String, String)> {
    let mut dims = Vec::new();
    let (mut name, mut current, mut escaped) = (String::new(), String::new(), false);
    for c in key.chars() {
        match (escaped, c) {
            (true, c) => {
                current.push(c);
                escaped = false;
            }
            (false, '\\') => escaped = true,
            (false, '\u{1f}') => name = std::mem::take(&mut current),
            (false, '\u{1e}') => {
                dims.push((std::mem::take(&mut name), std::mem::take(&mut current)))
            }
            (false, c) => current.push(c),
        }
    }
    dims
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_keys_round_trip_with_separators_in_values() {
        let dims = vec![
            ("a\u{1f}b".to_owned(), "x\\y\u{1e}".to_owned()),
            ("host".to_owned(), String::new()),
        ];
        assert_eq!(parse_series_key(&series_key(&dims)), dims);
        assert_ne!(
            series_key(&[("a".into(), "b".into())]),
            series_key(&[("ab".into(), String::new())])
        );
    }
}
