//! One handler per AWS operation, named like it; each turns a validated input into the
//! operation's output through the engine.

mod cancel_query;
mod create_database;
mod create_table;
mod delete_database;
mod delete_table;
mod describe_account_settings;
mod describe_database;
mod describe_endpoints;
mod describe_table;
mod list_databases;
mod list_tables;
mod list_tags_for_resource;
mod prepare_query;
mod query;
mod tag_resource;
mod untag_resource;
mod update_account_settings;
mod update_database;
mod update_table;
mod write_records;

pub use cancel_query::cancel_query;
pub use create_database::create_database;
pub use create_table::create_table;
pub use delete_database::delete_database;
pub use delete_table::delete_table;
pub use describe_account_settings::describe_account_settings;
pub use describe_database::describe_database;
pub use describe_endpoints::describe_endpoints;
pub use describe_table::describe_table;
pub use list_databases::list_databases;
pub use list_tables::list_tables;
pub use list_tags_for_resource::list_tags_for_resource;
pub use prepare_query::prepare_query;
pub use query::query;
pub use tag_resource::tag_resource;
pub use untag_resource::untag_resource;
pub use update_account_settings::update_account_settings;
pub use update_database::update_database;
pub use update_table::update_table;
pub use write_records::write_records;
