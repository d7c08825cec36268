//! Statements too deeply nested to plan without exhausting the stack.

use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::{
    BinaryOperator, Expr as SqlExpr, Query, SetExpr, Visit, Visitor,
};
use std::ops::ControlFlow;

/// How deeply expressions may nest, in all and in calls (function calls and arithmetic, which
/// plans as calls where it checks for overflow): deeper statements are refused with Trino's
/// "statement is too large" before they are planned. Planning walks such trees many times (time
/// grows with the square of the depth, with its cube for nested calls, whose argument names are
/// rebuilt at every level): the limits keep the worst accepted statement under a second in a
/// release build. Generated `OR` chains of a thousand terms pass.
const MAX_EXPRESSION_DEPTH: usize = 2000;
const MAX_CALL_DEPTH: usize = 200;

/// Whether `statement` nests deeper than the planner handles in reasonable time.
pub fn too_deep(statement: &DfStatement) -> bool {
    let DfStatement::Statement(statement) = statement else {
        return false;
    };
    let mut depth = Depth::default();
    statement.visit(&mut depth).is_break()
}

#[derive(Default)]
struct Depth {
    all: usize,
    calls: usize,
    set_operations: usize,
}

/// How much an expression adds to the depth the planner's cubic cost counts: calls and
/// arithmetic 1, a nested `ARRAY[…]` 2 (each level coerces every element type below it again:
/// depth 600 took 45 s in a release build).
fn call_weight(expr: &SqlExpr) -> usize {
    match expr {
        SqlExpr::BinaryOp {
            op:
                BinaryOperator::Plus
                | BinaryOperator::Minus
                | BinaryOperator::Multiply
                | BinaryOperator::Divide
                | BinaryOperator::Modulo,
            ..
        }
        | SqlExpr::UnaryOp { .. }
        | SqlExpr::Function(_)
        | SqlExpr::Cast { .. }
        | SqlExpr::Case { .. } => 1,
        SqlExpr::Array(_) => 2,
        _ => 0,
    }
}

/// Set operations (`UNION`, `INTERSECT`, `EXCEPT`) a statement may chain: planning them costs
/// the square of their number (3 000 `UNION ALL` took 12 s in a release build; 1 000, about
/// one).
const MAX_SET_OPERATIONS: usize = 1000;

fn set_operations(body: &SetExpr) -> usize {
    match body {
        SetExpr::SetOperation { left, right, .. } => {
            1 + set_operations(left) + set_operations(right)
        }
        _ => 0,
    }
}

impl Visitor for Depth {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        self.set_operations += set_operations(&query.body);
        if self.set_operations > MAX_SET_OPERATIONS {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    fn pre_visit_expr(&mut self, expr: &SqlExpr) -> ControlFlow<()> {
        self.all += 1;
        self.calls += call_weight(expr);
        if self.all > MAX_EXPRESSION_DEPTH || self.calls > MAX_CALL_DEPTH {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    fn post_visit_expr(&mut self, expr: &SqlExpr) -> ControlFlow<()> {
        self.all -= 1;
        self.calls -= call_weight(expr);
        ControlFlow::Continue(())
    }
}
