//! VALUES items that are row constructors read as rows of their fields.

use datafusion::sql::sqlparser::ast::{Expr as SqlExpr, Query, SetExpr, VisitorMut};
use std::ops::ControlFlow;

use super::lambdas::{call_args, call_name};

/// `VALUES (('a', 1)), (ROW('b', 2))`: Trino makes a row of each VALUES item that is a row, one
/// column per field, so that these are the rows `('a', 1)` and `('b', 2)` of two columns;
/// DataFusion makes one struct column of them. The row constructors (`(…)`, `ROW(…)`, in any
/// parentheses) are expanded here; a row-typed expression of another kind (a column, a cast)
/// stays one column.
pub(super) struct RowValues;

impl VisitorMut for RowValues {
    type Break = ();

    fn post_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        expand_row_values(query.body.as_mut());
        ControlFlow::Continue(())
    }
}

fn expand_row_values(body: &mut SetExpr) {
    match body {
        SetExpr::Values(values) => {
            for row in values.rows.iter_mut() {
                if let [item] = row.content.as_mut_slice() {
                    if let Some(fields) = row_constructor(item) {
                        row.content = fields;
                    }
                }
            }
        }
        SetExpr::SetOperation { left, right, .. } => {
            expand_row_values(left);
            expand_row_values(right);
        }
        _ => {}
    }
}

/// The fields of a row constructor of two or more fields, `(a, b)` or `ROW(a, b)`, however
/// parenthesized (`ROW(a)` is a row of one field).
fn row_constructor(expr: &mut SqlExpr) -> Option<Vec<SqlExpr>> {
    match expr {
        SqlExpr::Nested(inner) => row_constructor(inner),
        SqlExpr::Tuple(fields) => Some(std::mem::take(fields)),
        SqlExpr::Function(f) if call_name(f).as_deref() == Some("row") && f.over.is_none() => {
            let fields = call_args(f)?.into_iter().cloned().collect();
            Some(fields)
        }
        _ => None,
    }
}
