//! `create_time_series(time, value) → timeseries(T)`: the group's (time, value) points as one
//! series in ascending time order (timestream-functions.md §12.2); `value` is bigint, double,
//! boolean or varchar (integers widen to bigint, reals to double). Points with the same time
//! keep their input order (a stable sort). The guide says "the second parameter cannot be null":
//! a NULL value (or time) is a QueryExecutionException, not a silently dropped point.
//!
//! Documented example: `SELECT region, az, vpc, instance_id, CREATE_TIME_SERIES(time,
//! measure_value::double) AS cpu_utilization FROM metrics WHERE measure_name = 'cpu_utilization'
//! GROUP BY region, az, vpc, instance_id` → one series per instance.
//!
//! The grouped path keeps, per group, `(time, batch, row)` of each point and the batches' value
//! arrays; the series are built at the end with one sort per group and one `interleave` of the
//! values, whatever their type. The partial state of a multi-phase aggregation is the series
//! itself.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer, ScalarBuffer};
use datafusion::arrow::compute::{cast, interleave};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, TimeUnit, TimestampNanosecondType};
use datafusion::common::{exec_err, plan_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDFImpl, EmitTo, GroupsAccumulator, Signature, Volatility,
};

use super::{points, timeseries_array, timeseries_type};
use crate::functions::aggregate::type_list;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CreateTimeSeries {
    signature: Signature,
}

impl CreateTimeSeries {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

const NANOS: DataType = DataType::Timestamp(TimeUnit::Nanosecond, None);

impl AggregateUDFImpl for CreateTimeSeries {
    fn name(&self) -> &str {
        "create_time_series"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let value = match arg_types {
            [DataType::Timestamp(_, _) | DataType::Null, value] => match value {
                DataType::Dictionary(_, v) if v.is_string() => Some(DataType::Utf8),
                DataType::Int8
                | DataType::Int16
                | DataType::Int32
                | DataType::Int64
                | DataType::UInt8
                | DataType::UInt16
                | DataType::UInt32 => Some(DataType::Int64),
                DataType::Float32 | DataType::Float64 => Some(DataType::Float64),
                DataType::Boolean => Some(DataType::Boolean),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Some(DataType::Utf8),
                _ => None,
            },
            _ => None,
        };
        match value {
            Some(value) => Ok(vec![NANOS, value]),
            None => plan_err!(
                "Unexpected parameters ({}) for function create_time_series. Expected: \
                 create_time_series(timestamp, bigint), create_time_series(timestamp, double), \
                 create_time_series(timestamp, boolean), create_time_series(timestamp, varchar)",
                type_list(arg_types)
            ),
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types {
            [_, value] => Ok(timeseries_type(value.clone())),
            _ => plan_err!("create_time_series takes two arguments"),
        }
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format_state_name(args.name, "points"),
            args.return_field.data_type().clone(),
            true,
        ))])
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(Single(Points::new(value_type(&args)?))))
    }

    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(
        &self,
        args: AccumulatorArgs,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(Points::new(value_type(&args)?)))
    }
}

fn value_type(args: &AccumulatorArgs) -> Result<DataType> {
    match super::value_type(args.return_field.data_type()) {
        Some(t) => Ok(t.clone()),
        None => exec_err!("create_time_series returns a timeseries"),
    }
}

/// The points of every group: `(time, batch, row)` per point, and the batches' value arrays.
#[derive(Debug)]
struct Points {
    value_type: DataType,
    batches: Vec<ArrayRef>,
    groups: Vec<Vec<(i64, u32, u32)>>,
    /// Points held, for `size`.
    held: usize,
}

impl Points {
    fn new(value_type: DataType) -> Self {
        Self {
            value_type,
            batches: Vec::new(),
            groups: Vec::new(),
            held: 0,
        }
    }

    /// Keeps `values` and returns its batch number.
    fn keep(&mut self, values: ArrayRef) -> Result<u32> {
        let Ok(batch) = u32::try_from(self.batches.len()) else {
            return exec_err!("create_time_series: too many input batches");
        };
        self.batches.push(values);
        Ok(batch)
    }

    fn add(&mut self, group: usize, time: i64, batch: u32, row: usize) -> Result<()> {
        let Ok(row) = u32::try_from(row) else {
            return exec_err!("create_time_series: input batch too large");
        };
        self.groups[group].push((time, batch, row));
        self.held += 1;
        Ok(())
    }

    /// The series of the groups `emit_to` takes; a group without points is NULL.
    fn series(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let mut groups = emit_to.take_needed(&mut self.groups);
        let mut offsets = Vec::with_capacity(groups.len() + 1);
        offsets.push(0i32);
        let total: usize = groups.iter().map(Vec::len).sum();
        let mut times = Vec::with_capacity(total);
        let mut take = Vec::with_capacity(total);
        for points in &mut groups {
            // Stable: points with the same time keep their input order.
            points.sort_by_key(|p| p.0);
            for &(time, batch, row) in points.iter() {
                times.push(time);
                take.push((batch as usize, row as usize));
            }
            let Ok(end) = i32::try_from(times.len()) else {
                return exec_err!("create_time_series: more than 2^31 points in one result");
            };
            offsets.push(end);
        }
        self.held -= total;
        let values = if take.is_empty() {
            datafusion::arrow::array::new_empty_array(&self.value_type)
        } else {
            let arrays: Vec<&dyn Array> = self.batches.iter().map(|b| b.as_ref()).collect();
            interleave(&arrays, &take)?
        };
        if self.groups.is_empty() {
            self.batches.clear();
        }
        let nulls = NullBuffer::from(groups.iter().map(|g| !g.is_empty()).collect::<Vec<_>>());
        let times = datafusion::arrow::array::TimestampNanosecondArray::from(times);
        timeseries_array(
            OffsetBuffer::new(ScalarBuffer::from(offsets)),
            Arc::new(times),
            values,
            (nulls.null_count() > 0).then_some(nulls),
        )
    }
}

fn non_null(array: &dyn Array, row: usize, what: &str) -> Result<()> {
    if array.is_null(row) {
        return exec_err!("create_time_series: the {what} of a point cannot be null");
    }
    Ok(())
}

impl GroupsAccumulator for Points {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        let [time, value] = values else {
            return exec_err!("create_time_series takes two arguments");
        };
        let time = cast(time, &NANOS)?;
        let times = time.as_primitive::<TimestampNanosecondType>();
        self.groups.resize_with(total_num_groups, Vec::new);
        let batch = self.keep(value.clone())?;
        for (row, &group) in group_indices.iter().enumerate() {
            if opt_filter.is_some_and(|f| !f.is_valid(row) || !f.value(row)) {
                continue;
            }
            non_null(times, row, "time")?;
            non_null(value.as_ref(), row, "value")?;
            self.add(group, times.value(row), batch, row)?;
        }
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        self.series(emit_to)
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        Ok(vec![self.series(emit_to)?])
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        let [series] = values else {
            return exec_err!("create_time_series: unexpected state");
        };
        let (list, times, values) = points(series.as_ref())?;
        self.groups.resize_with(total_num_groups, Vec::new);
        let batch = self.keep(values.clone())?;
        for (row, &group) in group_indices.iter().enumerate() {
            if list.is_null(row) {
                continue;
            }
            let offsets = list.value_offsets();
            let (start, end) = (offsets[row] as usize, offsets[row + 1] as usize);
            for (point, &time) in times.iter().enumerate().take(end).skip(start) {
                self.add(group, time, batch, point)?;
            }
        }
        Ok(())
    }

    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        let [time, value] = values else {
            return exec_err!("create_time_series takes two arguments");
        };
        let time = cast(time, &NANOS)?;
        let times = time.as_primitive::<TimestampNanosecondType>();
        let mut offsets = Vec::with_capacity(value.len() + 1);
        let mut keep = Vec::with_capacity(value.len());
        offsets.push(0i32);
        for row in 0..value.len() {
            let selected = opt_filter.is_none_or(|f| f.is_valid(row) && f.value(row));
            if selected {
                non_null(times, row, "time")?;
                non_null(value.as_ref(), row, "value")?;
            }
            keep.push(selected);
            let last = offsets[offsets.len() - 1];
            offsets.push(last + i32::from(selected));
        }
        let mask = BooleanArray::from(keep.clone());
        let times = datafusion::arrow::compute::filter(times, &mask)?;
        let values = datafusion::arrow::compute::filter(value.as_ref(), &mask)?;
        let nulls = NullBuffer::from(keep);
        Ok(vec![timeseries_array(
            OffsetBuffer::new(ScalarBuffer::from(offsets)),
            times,
            values,
            (nulls.null_count() > 0).then_some(nulls),
        )?])
    }

    fn size(&self) -> usize {
        self.held * std::mem::size_of::<(i64, u32, u32)>()
            + self.groups.capacity() * std::mem::size_of::<Vec<(i64, u32, u32)>>()
            + self
                .batches
                .iter()
                .map(|b| b.get_array_memory_size())
                .sum::<usize>()
    }
}

/// The ungrouped form: one group.
#[derive(Debug)]
struct Single(Points);

impl Accumulator for Single {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let rows = values.first().map_or(0, |v| v.len());
        self.0.update_batch(values, &vec![0; rows], None, 1)
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let rows = states.first().map_or(0, |v| v.len());
        self.0.merge_batch(states, &vec![0; rows], 1)
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![self.evaluate()?])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        if self.0.groups.is_empty() {
            self.0.groups.push(Vec::new());
        }
        let series = self.0.series(EmitTo::All)?;
        ScalarValue::try_from_array(&series, 0)
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.0.size()
    }
}
