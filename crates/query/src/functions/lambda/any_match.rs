//! `any_match(array(T), function(T,boolean)) → boolean` (Trino; timestream-functions.md §8):
//! true when the predicate returns true for some element; else NULL when it returns NULL for
//! some element; else false (so false for an empty array). A NULL array gives NULL. Shared with
//! the other two in [`super::matches`].
//!
//! Examples (Trino's rules): `any_match(ARRAY[1, 2, 3], x -> x > 2)` → true;
//! `any_match(ARRAY[1, NULL], x -> x > 2)` → NULL.

use super::matches::{Kind, Match, ARGS};
use super::Shape;

pub(super) const NAME: &str = "any_match";

pub(super) const SHAPE: Shape = Shape {
    sql_name: NAME,
    registered: NAME,
    args: ARGS,
};

pub fn any_match() -> Match {
    Match::new(NAME, Kind::Any)
}
