//! `date_parse(varchar, varchar) → timestamp`: the text parsed with MySQL specifiers
//! ([`super::mysql`]; timestream-functions.md §9.5). Fields the format does not set default
//! to 1970-01-01 00:00:00 [trino]; text that does not match, or leaves characters over, is an
//! error in Joda's words (`Invalid format: "…" is malformed at "…"`).
//! `date_parse('2019-10-20 10:20:20', '%Y-%m-%d %H:%i:%s')` → `2019-10-20 10:20:20.000000000`.

use super::mysql;
use super::parse_datetime::ParseDatetime;

/// `date_parse`: [`ParseDatetime`] with MySQL specifiers.
pub fn date_parse() -> ParseDatetime {
    ParseDatetime::with("date_parse", "date_parse(varchar, varchar)", mysql::parse)
}
