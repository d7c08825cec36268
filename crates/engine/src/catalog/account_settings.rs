//! DescribeAccountSettings and UpdateAccountSettings (§5.7). Settings are kept per (account,
//! region); nothing meters queries locally, so they are recorded and echoed, with AWS's rules.

use protocol::operations::update_account_settings::UpdateAccountSettingsInput;
use protocol::shapes::{
    AccountSettings, ComputeMode, LastUpdate, ProvisionedCapacityResponse, QueryComputeResponse,
    QueryPricingModel,
};
use rusqlite::{params, Connection, OptionalExtension};

use crate::{Engine, Error, Result, Scope};

/// `MaxQueryTCU` and provisioned TCUs: multiples of 4 from 4 to 1000.
fn check_tcu(member: &str, tcu: i32) -> Result<()> {
    if (4..=1000).contains(&tcu) && tcu % 4 == 0 {
        Ok(())
    } else {
        Err(Error::InvalidAccountSettings(format!(
            "{member} must be a multiple of 4 between 4 and 1000, but was {tcu}."
        )))
    }
}

impl Engine {
    pub fn describe_account_settings(&self, scope: &Scope) -> Result<AccountSettings> {
        self.read(|conn| load(conn, scope))
    }

    pub fn update_account_settings(
        &self,
        scope: &Scope,
        input: UpdateAccountSettingsInput,
    ) -> Result<AccountSettings> {
        self.write(|tx| {
            let mut settings = load(tx, scope)?;
            if let Some(tcu) = input.max_query_tcu {
                check_tcu("MaxQueryTCU", tcu)?;
                settings.max_query_tcu = Some(tcu);
            }
            if let Some(model) = input.query_pricing_model {
                if model == QueryPricingModel::BytesScanned
                    && settings.query_pricing_model == QueryPricingModel::ComputeUnits
                {
                    return Err(Error::InvalidAccountSettings(
                        "The query pricing model cannot be changed from COMPUTE_UNITS back to BYTES_SCANNED."
                            .into(),
                    ));
                }
                settings.query_pricing_model = model;
            }
            if let Some(compute) = input.query_compute {
                settings.query_compute = match compute.compute_mode {
                    Some(ComputeMode::Provisioned) => {
                        let capacity = compute.provisioned_capacity.ok_or_else(|| {
                            Error::InvalidAccountSettings(
                                "ProvisionedCapacity is required when ComputeMode is PROVISIONED."
                                    .into(),
                            )
                        })?;
                        check_tcu("TargetQueryTCU", capacity.target_query_tcu)?;
                        QueryComputeResponse {
                            compute_mode: Some(ComputeMode::Provisioned),
                            provisioned_capacity: Some(ProvisionedCapacityResponse {
                                active_query_tcu: Some(capacity.target_query_tcu),
                                notification_configuration: capacity.notification_configuration,
                                last_update: Some(LastUpdate {
                                    target_query_tcu: Some(capacity.target_query_tcu),
                                    status: Some("SUCCEEDED".into()),
                                    status_message: None,
                                }),
                            }),
                        }
                    }
                    Some(ComputeMode::OnDemand) | None => QueryComputeResponse {
                        compute_mode: Some(ComputeMode::OnDemand),
                        provisioned_capacity: None,
                    },
                };
            }
            let json = serde_json::to_string(&settings).map_err(|e| Error::Corrupt(e.to_string()))?;
            tx.execute(
                "INSERT INTO account_settings (account, region, settings) VALUES (?1, ?2, ?3)
                 ON CONFLICT (account, region) DO UPDATE SET settings = excluded.settings",
                params![scope.account, scope.region, json],
            )?;
            Ok(settings)
        })
    }
}

fn load(conn: &Connection, scope: &Scope) -> Result<AccountSettings> {
    let json: Option<String> = conn
        .query_row(
            "SELECT settings FROM account_settings WHERE account = ?1 AND region = ?2",
            params![scope.account, scope.region],
            |r| r.get(0),
        )
        .optional()?;
    match json {
        Some(j) => serde_json::from_str(&j).map_err(|e| Error::Corrupt(e.to_string())),
        None => Ok(AccountSettings::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{engine, scope};
    use super::*;

    fn update(tcu: Option<i32>, model: Option<QueryPricingModel>) -> UpdateAccountSettingsInput {
        UpdateAccountSettingsInput {
            max_query_tcu: tcu,
            query_pricing_model: model,
            query_compute: None,
        }
    }

    #[test]
    fn defaults_then_updates_with_rules() {
        let e = engine();
        let s = e.describe_account_settings(&scope()).unwrap();
        assert_eq!(s.query_pricing_model, QueryPricingModel::BytesScanned);
        assert_eq!(s.max_query_tcu, None);
        assert!(e
            .update_account_settings(&scope(), update(Some(6), None))
            .is_err());
        assert!(e
            .update_account_settings(&scope(), update(Some(1004), None))
            .is_err());
        let s = e
            .update_account_settings(
                &scope(),
                update(Some(8), Some(QueryPricingModel::ComputeUnits)),
            )
            .unwrap();
        assert_eq!(
            (s.max_query_tcu, s.query_pricing_model),
            (Some(8), QueryPricingModel::ComputeUnits)
        );
        assert!(e
            .update_account_settings(
                &scope(),
                update(None, Some(QueryPricingModel::BytesScanned))
            )
            .is_err());
        assert_eq!(e.describe_account_settings(&scope()).unwrap(), s);
    }
}
