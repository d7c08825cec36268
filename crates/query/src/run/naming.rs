//! AWS's names of result columns (timestream-sql.md §7.5).

use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::common::TableReference;
use datafusion::logical_expr::LogicalPlan;
use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::{
    Expr as SqlExpr, SelectItem, SetExpr, Statement, TableFactor,
};

use super::plan::Planned;

impl Planned {
    /// AWS's names of the result columns, in order.
    pub(crate) fn names(&self) -> Vec<String> {
        self.plan
            .schema()
            .fields()
            .iter()
            .enumerate()
            .map(|(i, f)| {
                self.columns
                    .as_ref()
                    .and_then(|c| c.get(i))
                    .map_or_else(|| f.name().clone(), |c| c.name.clone())
            })
            .collect()
    }
}

/// A result column as the select list names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct OutputColumn {
    pub(super) name: String,
    pub(super) aliased: bool,
    /// (database, table) when the item is a plain column reference.
    pub(super) source: Option<(String, String)>,
}

/// AWS's result column names (timestream-sql.md §7.5): the alias, the column name of a column
/// reference, else `_col<N>` by position; with the table a column reference reads. `None` when
/// the select list has a wildcard (the planner's names are then the table's column names).
/// `columns_of` lists a table's columns, to find the table of an unqualified column.
pub(super) fn output_columns(
    statement: &DfStatement,
    columns_of: impl Fn(&str, &str) -> Vec<String>,
) -> Option<Vec<OutputColumn>> {
    let DfStatement::Statement(stmt) = statement else {
        return None;
    };
    let Statement::Query(query) = stmt.as_ref() else {
        return None;
    };
    let mut body = query.body.as_ref();
    while let SetExpr::SetOperation { left, .. } = body {
        body = left.as_ref();
    }
    let SetExpr::Select(select) = body else {
        return None;
    };
    // Tables of the FROM clause by the name a column reference qualifies them with.
    let mut tables: Vec<(String, (String, String))> = Vec::new();
    for from in &select.from {
        for factor in std::iter::once(&from.relation).chain(from.joins.iter().map(|j| &j.relation))
        {
            if let TableFactor::Table { name, alias, .. } = factor {
                let parts: Vec<String> = name
                    .0
                    .iter()
                    .filter_map(|p| p.as_ident().map(|i| i.value.clone()))
                    .collect();
                if let [db, table] = parts.as_slice() {
                    let qualifier = alias
                        .as_ref()
                        .map_or(table.clone(), |a| a.name.value.clone());
                    tables.push((qualifier, (db.clone(), table.clone())));
                }
            }
        }
    }
    let source_of = |expr: &SqlExpr| -> Option<(String, String)> {
        match expr {
            SqlExpr::Identifier(id) => {
                let mut having = tables.iter().filter(|(_, (db, t))| {
                    id.value == "measure_name"
                        || id.value == "time"
                        || columns_of(db, t).contains(&id.value)
                });
                match (having.next(), having.next()) {
                    (Some((_, source)), None) => Some(source.clone()),
                    _ => None,
                }
            }
            SqlExpr::CompoundIdentifier(ids) if ids.len() >= 2 => {
                let qualifier = &ids[ids.len() - 2].value;
                tables
                    .iter()
                    .find(|(q, _)| q == qualifier)
                    .map(|(_, source)| source.clone())
            }
            _ => None,
        }
    };
    select
        .projection
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            SelectItem::ExprWithAlias { expr, alias } => Some(OutputColumn {
                name: alias.value.clone(),
                aliased: true,
                source: source_of(expr),
            }),
            SelectItem::UnnamedExpr(expr @ SqlExpr::Identifier(id)) => Some(OutputColumn {
                name: id.value.clone(),
                aliased: false,
                source: source_of(expr),
            }),
            SelectItem::UnnamedExpr(expr @ SqlExpr::CompoundIdentifier(ids)) => {
                ids.last().map(|id| OutputColumn {
                    name: id.value.clone(),
                    aliased: false,
                    source: source_of(expr),
                })
            }
            SelectItem::UnnamedExpr(_) => Some(OutputColumn {
                name: format!("_col{i}"),
                aliased: false,
                source: None,
            }),
            _ => None,
        })
        .collect()
}

/// The one table a plan reads, if it reads exactly one.
pub(super) fn single_table(plan: &LogicalPlan) -> Option<(String, String)> {
    let mut tables = Vec::new();
    let _ = plan.apply(|node| {
        if let LogicalPlan::TableScan(scan) = node {
            if let TableReference::Partial { schema, table } = &scan.table_name {
                tables.push((schema.to_string(), table.to_string()));
            }
        }
        Ok(TreeNodeRecursion::Continue)
    });
    tables.dedup();
    match tables.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}
