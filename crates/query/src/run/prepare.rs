//! The PrepareQuery operation.

use engine::Scope;
use protocol::operations::prepare_query::{
    ParameterMapping, PrepareQueryInput, PrepareQueryOutput, SelectColumn,
};

use crate::provider::timestamp_type;
use crate::{encode, metadata, Error};

use super::naming::single_table;
use super::QueryService;

impl QueryService {
    /// The PrepareQuery operation (`ValidateOnly`): the query is analysed as Query would, and
    /// its result columns described without running it.
    pub async fn prepare(
        &self,
        scope: &Scope,
        input: PrepareQueryInput,
    ) -> Result<PrepareQueryOutput, Error> {
        if input.validate_only != Some(true) {
            return Err(Error::Validation(
                "PrepareQuery is only supported with ValidateOnly set to true".into(),
            ));
        }
        let query = &input.query_string;
        let mut parameters = Vec::new();
        let columns = if let Some(statement) = metadata::parse(query) {
            let batch = metadata::run_blocking(&self.engine, scope, statement?).await?;
            batch
                .schema()
                .fields()
                .iter()
                .map(|f| SelectColumn {
                    name: f.name().clone(),
                    r#type: encode::column_type(f.data_type()),
                    database_name: None,
                    table_name: None,
                    aliased: false,
                })
                .collect()
        } else {
            // Analysed as a scheduled run at this instant would be.
            let planned = self
                .plan(scope, query, Some(self.engine.clock().now_ns()))
                .await?;
            parameters = planned
                .parameters
                .iter()
                .map(|name| ParameterMapping {
                    name: name.clone(),
                    r#type: encode::column_type(&timestamp_type()),
                })
                .collect();
            let schema = planned.plan.schema().as_arrow().clone();
            schema
                .fields()
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let column = planned.columns.as_ref().and_then(|c| c.get(i));
                    let source = column.and_then(|c| c.source.clone()).or_else(|| {
                        planned
                            .columns
                            .is_none()
                            .then(|| single_table(&planned.plan))
                            .flatten()
                    });
                    SelectColumn {
                        name: column.map_or_else(|| f.name().clone(), |c| c.name.clone()),
                        r#type: encode::column_type(f.data_type()),
                        database_name: source.as_ref().map(|s| s.0.clone()),
                        table_name: source.map(|s| s.1),
                        aliased: column.is_some_and(|c| c.aliased),
                    }
                })
                .collect()
        };
        Ok(PrepareQueryOutput {
            query_string: input.query_string,
            columns,
            parameters,
        })
    }
}
