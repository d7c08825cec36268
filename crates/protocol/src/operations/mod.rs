//! One module per AWS operation: its input, its output, and the [`Operation`] marker tying them
//! to the operation's name. Inputs are decoded only after [`crate::validate`] has checked them
//! against the model, so their types can be as strict as the model is.

use serde::de::DeserializeOwned;
use serde::Serialize;

pub mod cancel_query;
pub mod create_batch_load_task;
pub mod create_database;
pub mod create_scheduled_query;
pub mod create_table;
pub mod delete_database;
pub mod delete_scheduled_query;
pub mod delete_table;
pub mod describe_account_settings;
pub mod describe_batch_load_task;
pub mod describe_database;
pub mod describe_endpoints;
pub mod describe_scheduled_query;
pub mod describe_table;
pub mod execute_scheduled_query;
pub mod list_batch_load_tasks;
pub mod list_databases;
pub mod list_scheduled_queries;
pub mod list_tables;
pub mod list_tags_for_resource;
pub mod prepare_query;
pub mod query;
pub mod resume_batch_load_task;
pub mod tag_resource;
pub mod untag_resource;
pub mod update_account_settings;
pub mod update_database;
pub mod update_scheduled_query;
pub mod update_table;
pub mod write_records;

/// Like Smithy's `OperationShape`: the AWS name of an operation and its wire types.
pub trait Operation {
    const NAME: &'static str;
    type Input: DeserializeOwned + Send + 'static;
    type Output: Serialize + Send + 'static;
}

/// The output of operations whose model has no output members: `{}` on the wire.
#[derive(Debug, Default, Serialize)]
pub struct Empty {}

macro_rules! operation {
    ($marker:ident, $name:literal, $input:ty, $output:ty) => {
        #[doc = concat!("The `", $name, "` operation.")]
        pub struct $marker;
        impl $crate::operations::Operation for $marker {
            const NAME: &'static str = $name;
            type Input = $input;
            type Output = $output;
        }
    };
}
pub(crate) use operation;
