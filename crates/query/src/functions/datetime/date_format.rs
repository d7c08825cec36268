//! `date_format(timestamp, varchar) → varchar`: the timestamp formatted with MySQL specifiers
//! ([`super::mysql`]; timestream-functions.md §9.5, trap 1). DataFusion's `date_format` is an
//! alias of `to_char` with strftime meanings and is replaced by this. A varchar first argument
//! is read as a timestamp.
//! `date_format(TIMESTAMP '2019-10-20 10:20:20', '%Y-%m-%d %H:%i:%s')` → `2019-10-20 10:20:20`.

use super::format_datetime::FormatDatetime;
use super::mysql;

/// `date_format`: [`FormatDatetime`] with MySQL specifiers.
pub fn date_format() -> FormatDatetime {
    FormatDatetime::with(
        "date_format",
        "date_format(timestamp, varchar)",
        mysql::format,
    )
}
