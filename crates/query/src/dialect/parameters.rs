//! Query parameters (`@name`) found in and bound into a statement.

use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::{
    visit_expressions, visit_expressions_mut, Expr as SqlExpr, Value,
};
use std::ops::ControlFlow;

/// A query parameter in a statement: `@name` (Timestream's named parameters, of which
/// `@scheduled_runtime` is the one scheduled queries bind) or a positional `?`, which
/// Timestream does not support (timestream-sql.md §2.7). Positions are in the rewritten text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    /// `@name` as written (with the `@`), or `?`.
    pub name: String,
    pub line: usize,
    pub column: usize,
}

/// The parameters of `statement` in the order they appear, each once.
pub fn parameters(statement: &DfStatement) -> Vec<Parameter> {
    let DfStatement::Statement(statement) = statement else {
        return Vec::new();
    };
    let mut found: Vec<Parameter> = Vec::new();
    let _ = visit_expressions(statement.as_ref(), |expr| {
        let (name, location) = match expr {
            SqlExpr::Identifier(ident)
                if ident.quote_style.is_none() && ident.value.starts_with('@') =>
            {
                (ident.value.clone(), ident.span.start)
            }
            SqlExpr::Value(v) => match &v.value {
                Value::Placeholder(p) => (p.clone(), v.span.start),
                _ => return ControlFlow::<()>::Continue(()),
            },
            _ => return ControlFlow::Continue(()),
        };
        if name == "?" || !found.iter().any(|p| p.name.eq_ignore_ascii_case(&name)) {
            found.push(Parameter {
                name,
                line: location.line as usize,
                column: location.column as usize,
            });
        }
        ControlFlow::Continue(())
    });
    found.sort_by_key(|p| (p.line, p.column));
    found
}

/// Replaces every `@name` parameter that `value` knows (names compared without case, with the
/// `@`) by its value.
pub fn bind_parameters(statement: &mut DfStatement, value: impl Fn(&str) -> Option<SqlExpr>) {
    let DfStatement::Statement(statement) = statement else {
        return;
    };
    let _ = visit_expressions_mut(statement.as_mut(), |expr| {
        if let SqlExpr::Identifier(ident) = expr {
            if ident.quote_style.is_none() && ident.value.starts_with('@') {
                if let Some(v) = value(&ident.value) {
                    *expr = v;
                }
            }
        }
        ControlFlow::<()>::Continue(())
    });
}
