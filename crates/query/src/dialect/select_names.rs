//! Output names of SELECT items made unique, and ORDER BY aliases that shadow input columns.

use datafusion::sql::sqlparser::ast::{
    visit_expressions, Expr as SqlExpr, Ident, OrderBy, OrderByKind, Query, SelectItem, SetExpr,
    TableFactor, VisitMut, VisitorMut,
};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;
use std::ops::ControlFlow;

#[derive(Default)]
pub(super) struct UniqueSelectNames {
    /// How many queries enclose the one being visited.
    depth: usize,
}

impl VisitorMut for UniqueSelectNames {
    type Break = ();

    fn pre_visit_query(&mut self, _query: &mut Query) -> ControlFlow<()> {
        self.depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        self.depth -= 1;
        name_select_items(query.body.as_mut());
        if let Some(names) = order_by_input_columns(query) {
            // The statement's own result columns are named from the user's text; a subquery's
            // are seen by the query around it, which gets them back under the user's names.
            if self.depth > 0 {
                if let Some(renaming) = renamed_back(query, &names) {
                    *query = renaming;
                }
            }
        }
        ControlFlow::Continue(())
    }
}

/// `SELECT round(h.x, 3) AS x FROM t h ORDER BY h.x`: in Trino the qualified `h.x` is the input
/// column and an unqualified `x` the output column. DataFusion plans the sort on the input
/// column by adding it to the projection beside the alias `x`, and refuses that projection as
/// ambiguous. Such an alias gets a hidden name (the result keeps the user's names, taken before
/// this rewrite), and the unqualified references to it in ORDER BY follow it.
/// Returns the names of the select items as the query around sees them, when one was renamed.
fn order_by_input_columns(query: &mut Query) -> Option<Vec<(String, Ident)>> {
    let Some(OrderBy {
        kind: OrderByKind::Expressions(order_by),
        ..
    }) = query.order_by.as_mut()
    else {
        return None;
    };
    let SetExpr::Select(select) = query.body.as_mut() else {
        return None;
    };
    let wildcard = select.projection.iter().any(|item| {
        matches!(
            item,
            SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(_, _)
        )
    });
    if wildcard {
        return None;
    }
    let mut qualified = Vec::new();
    for item in order_by.iter() {
        let _ = visit_expressions(&item.expr, |e| {
            if let SqlExpr::CompoundIdentifier(ids) = e {
                if let Some(last) = ids.last().filter(|_| ids.len() > 1) {
                    qualified.push(last.value.clone());
                }
            }
            ControlFlow::<()>::Continue(())
        });
    }
    // Every item's name first: a subquery's are needed to rename them back.
    let mut names = select
        .projection
        .iter()
        .map(|item| match item {
            SelectItem::ExprWithAlias { alias, .. } => Some(alias.clone()),
            SelectItem::UnnamedExpr(SqlExpr::Identifier(id)) => Some(id.clone()),
            SelectItem::UnnamedExpr(SqlExpr::CompoundIdentifier(ids)) => ids.last().cloned(),
            _ => None,
        })
        .map(|name| name.map(|n| (n.value.clone(), n)))
        .collect::<Option<Vec<_>>>()?;
    let mut renamed = Vec::new();
    for (i, item) in select.projection.iter_mut().enumerate() {
        if let SelectItem::ExprWithAlias { alias, .. } = item {
            if qualified.contains(&alias.value) {
                let hidden = Ident::with_quote('"', format!("{}\u{1}o{i}", alias.value));
                names[i].1 = hidden.clone();
                renamed.push((std::mem::replace(alias, hidden.clone()), hidden));
            }
        }
    }
    if renamed.is_empty() {
        return None;
    }
    let mut aliases = OutputAliases {
        renamed,
        subqueries: 0,
    };
    for item in order_by.iter_mut() {
        let _ = VisitMut::visit(&mut item.expr, &mut aliases);
    }
    Some(names)
}

/// `SELECT "x\u{1}o0" AS x, … FROM (query) AS __ordered`: a subquery whose columns
/// [`order_by_input_columns`] renamed, under the user's names again (its ORDER BY matters only
/// with its LIMIT, which stays inside). `names`: (user's name, name in `query`) per column.
fn renamed_back(query: &Query, names: &[(String, Ident)]) -> Option<Query> {
    let columns = names
        .iter()
        .map(|(user, inner)| format!("{inner} AS {}", Ident::with_quote('"', user.clone())))
        .collect::<Vec<_>>()
        .join(", ");
    let mut outer = Parser::new(&GenericDialect {})
        .try_with_sql(&format!("SELECT {columns} FROM (SELECT 1) AS __ordered"))
        .and_then(|mut p| p.parse_query())
        .ok()?;
    let SetExpr::Select(select) = outer.body.as_mut() else {
        return None;
    };
    let TableFactor::Derived { subquery, .. } = &mut select.from.first_mut()?.relation else {
        return None;
    };
    **subquery = query.clone();
    Some(*outer)
}

/// Points the unqualified references to renamed output aliases at their new names (outside
/// subqueries, whose names are their own).
struct OutputAliases {
    /// (the user's alias, its hidden name)
    renamed: Vec<(Ident, Ident)>,
    subqueries: usize,
}

impl VisitorMut for OutputAliases {
    type Break = ();

    fn pre_visit_query(&mut self, _query: &mut Query) -> ControlFlow<()> {
        self.subqueries += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &mut Query) -> ControlFlow<()> {
        self.subqueries -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &mut SqlExpr) -> ControlFlow<()> {
        if let SqlExpr::Identifier(id) = expr {
            let hidden = self
                .renamed
                .iter()
                .find(|(alias, _)| alias.value == id.value)
                .map(|(_, hidden)| hidden);
            if let (0, Some(hidden)) = (self.subqueries, hidden) {
                *id = Ident::with_span(id.span, hidden.value.clone());
                id.quote_style = Some('"');
            }
        }
        ControlFlow::Continue(())
    }
}

fn name_select_items(body: &mut SetExpr) {
    let select = match body {
        SetExpr::Select(select) => select,
        SetExpr::SetOperation { left, right, .. } => {
            name_select_items(left);
            name_select_items(right);
            return;
        }
        _ => return,
    };
    let has_wildcard = select.projection.iter().any(|item| {
        matches!(
            item,
            SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(_, _)
        )
    });
    let mut seen = std::collections::HashSet::new();
    for (i, item) in select.projection.iter_mut().enumerate() {
        let unique = |seen: &mut std::collections::HashSet<String>, name: &str| {
            if seen.insert(name.to_owned()) || has_wildcard {
                None
            } else {
                Some(Ident::with_quote('"', format!("{name}\u{1}{i}")))
            }
        };
        let renamed = match item {
            SelectItem::UnnamedExpr(expr @ SqlExpr::Identifier(_))
            | SelectItem::UnnamedExpr(expr @ SqlExpr::CompoundIdentifier(_)) => {
                let name = match &*expr {
                    SqlExpr::Identifier(id) => id.value.clone(),
                    SqlExpr::CompoundIdentifier(ids) => {
                        ids.last().map(|id| id.value.clone()).unwrap_or_default()
                    }
                    _ => String::new(),
                };
                unique(&mut seen, &name).map(|alias| (expr.clone(), alias))
            }
            SelectItem::UnnamedExpr(expr) => {
                let name = format!("_col{i}");
                seen.insert(name.clone());
                Some((expr.clone(), Ident::with_quote('"', name)))
            }
            SelectItem::ExprWithAlias { expr, alias } => {
                unique(&mut seen, &alias.value.clone()).map(|alias| (expr.clone(), alias))
            }
            _ => None,
        };
        if let Some((expr, alias)) = renamed {
            *item = SelectItem::ExprWithAlias { expr, alias };
        }
    }
}
