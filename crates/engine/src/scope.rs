//! The namespace of every resource: AWS keeps state per (account, region).

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scope {
    pub account: String,
    pub region: String,
}

impl Scope {
    pub fn new(account: impl Into<String>, region: impl Into<String>) -> Self {
        Self {
            account: account.into(),
            region: region.into(),
        }
    }

    pub fn database_arn(&self, database: &str) -> String {
        format!(
            "arn:aws:timestream:{}:{}:database/{database}",
            self.region, self.account
        )
    }

    pub fn table_arn(&self, database: &str, table: &str) -> String {
        format!("{}/table/{table}", self.database_arn(database))
    }
}
