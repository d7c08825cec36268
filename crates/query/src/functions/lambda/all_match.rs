//! `all_match(array(T), function(T,boolean)) → boolean` (Trino; timestream-functions.md §8):
//! false when the predicate returns false for some element; else NULL when it returns NULL for
//! some element; else true (so true for an empty array). A NULL array gives NULL. Shared with
//! the other two in [`super::matches`].
//!
//! Examples (Trino's rules): `all_match(ARRAY[1, 2, 3], x -> x > 0)` → true;
//! `all_match(ARRAY[1, NULL], x -> x > 0)` → NULL.

use super::matches::{Kind, Match, ARGS};
use super::Shape;

pub(super) const NAME: &str = "all_match";

pub(super) const SHAPE: Shape = Shape {
    sql_name: NAME,
    registered: NAME,
    args: ARGS,
};

pub fn all_match() -> Match {
    Match::new(NAME, Kind::All)
}
