//! Which family of Timestream types an Arrow type belongs to.

use datafusion::arrow::datatypes::DataType;

pub(super) fn is_float(t: &DataType) -> bool {
    matches!(t, DataType::Float64 | DataType::Float32)
}

pub(super) fn is_integer(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Int64 | DataType::Int32 | DataType::Int16 | DataType::Int8
    )
}

pub(super) fn is_text(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8)
}
