//! The service models in `api-models/`, embedded at build time: the one source of the
//! operations, shapes and constraints that [`crate::validate`] enforces.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;
use serde_json::Value;

/// The two services that share one port and one `X-Amz-Target` prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    Write,
    Query,
}

impl Service {
    pub fn id(self) -> &'static str {
        match self {
            Self::Write => "timestream-write",
            Self::Query => "timestream-query",
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ServiceModel {
    pub metadata: Metadata,
    pub operations: BTreeMap<String, OperationDef>,
    pub shapes: BTreeMap<String, Shape>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    pub target_prefix: String,
    pub signing_name: String,
}

#[derive(Debug, Deserialize)]
pub struct OperationDef {
    pub input: Option<ShapeRef>,
    pub output: Option<ShapeRef>,
    #[serde(default)]
    pub errors: Vec<ShapeRef>,
}

#[derive(Debug, Deserialize)]
pub struct ShapeRef {
    pub shape: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShapeType {
    Structure,
    List,
    Map,
    String,
    Integer,
    Long,
    Double,
    Float,
    Boolean,
    Timestamp,
    Blob,
}

#[derive(Debug, Deserialize)]
pub struct Shape {
    #[serde(rename = "type")]
    pub kind: ShapeType,
    /// In declaration order (serde_json's `preserve_order`), which is the order Coral reports
    /// violations in.
    #[serde(default)]
    pub members: Vec<(String, ShapeRef)>,
    #[serde(default)]
    pub required: Vec<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub pattern: Option<String>,
    #[serde(rename = "enum")]
    pub enum_values: Option<Vec<String>>,
    pub member: Option<ShapeRef>,
    #[serde(default)]
    pub exception: bool,
    /// The model's `sensitive` trait (`QueryString`, `ClientToken`, `ClientRequestToken`): the
    /// value never appears in an error message (see [`crate::validate`]).
    #[serde(default)]
    pub sensitive: bool,
    #[serde(skip)]
    pub compiled_pattern: Option<Regex>,
}

impl ServiceModel {
    pub fn shape(&self, name: &str) -> Option<&Shape> {
        self.shapes.get(name)
    }

    pub fn input_shape(&self, operation: &str) -> Option<&str> {
        self.operations
            .get(operation)?
            .input
            .as_ref()
            .map(|r| r.shape.as_str())
    }
}

fn load(service: Service, source: &str) -> ServiceModel {
    // The models are part of the binary; a broken one is a build defect caught by the tests
    // below, not a request-time condition.
    #[allow(clippy::expect_used)]
    let mut raw: Value = serde_json::from_str(source).expect("api-models JSON is valid");
    convert_members(&mut raw);
    #[allow(clippy::expect_used)]
    let mut model: ServiceModel =
        serde_json::from_value(raw).expect("api-models match ServiceModel");
    apply_documented_constraints(service, &mut model);
    for shape in model.shapes.values_mut() {
        if let Some(p) = &shape.pattern {
            shape.compiled_pattern = Regex::new(&format!("^(?:{p})$")).ok();
        }
    }
    model
}

/// `members` is a JSON object in the files; keep its order by turning it into pairs.
fn convert_members(raw: &mut Value) {
    let Some(shapes) = raw.get_mut("shapes").and_then(Value::as_object_mut) else {
        return;
    };
    for shape in shapes.values_mut() {
        if let Some(members) = shape.get_mut("members") {
            if let Value::Object(map) = members.take() {
                *members = Value::Array(
                    map.into_iter()
                        .map(|(k, v)| Value::Array(vec![Value::String(k), v]))
                        .collect(),
                );
            }
        }
    }
}

fn apply_documented_constraints(service: Service, model: &mut ServiceModel) {
    let Ok(overlay) = serde_json::from_str::<Value>(DOCUMENTED) else {
        return;
    };
    let Some(shapes) = overlay.get(service.id()).and_then(Value::as_object) else {
        return;
    };
    for (name, extra) in shapes {
        if let Some(shape) = model.shapes.get_mut(name) {
            if let Some(min) = extra.get("min").and_then(Value::as_f64) {
                shape.min = Some(min);
            }
            if let Some(max) = extra.get("max").and_then(Value::as_f64) {
                shape.max = Some(max);
            }
        }
    }
}

const DOCUMENTED: &str = include_str!("../../../api-models/documented-constraints.json");

static WRITE: LazyLock<ServiceModel> = LazyLock::new(|| {
    load(
        Service::Write,
        include_str!("../../../api-models/timestream-write.json"),
    )
});
static QUERY: LazyLock<ServiceModel> = LazyLock::new(|| {
    load(
        Service::Query,
        include_str!("../../../api-models/timestream-query.json"),
    )
});

pub fn model(service: Service) -> &'static ServiceModel {
    match service {
        Service::Write => &WRITE,
        Service::Query => &QUERY,
    }
}

/// Every operation name of both services (the four shared names once).
pub fn all_operations() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = WRITE
        .operations
        .keys()
        .chain(QUERY.operations.keys())
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_models_load_with_every_pattern_compiled() {
        for service in [Service::Write, Service::Query] {
            let m = model(service);
            assert_eq!(m.metadata.target_prefix, "Timestream_20181101");
            assert_eq!(m.metadata.signing_name, "timestream");
            for (name, shape) in &m.shapes {
                assert_eq!(
                    shape.pattern.is_some(),
                    shape.compiled_pattern.is_some(),
                    "pattern of {name} does not compile"
                );
            }
        }
        assert_eq!(model(Service::Write).operations.len(), 19);
        assert_eq!(model(Service::Query).operations.len(), 15);
        assert_eq!(all_operations().len(), 30);
    }

    #[test]
    fn documented_name_lengths_are_merged() {
        let s = model(Service::Write)
            .shape("ResourceCreateAPIName")
            .unwrap();
        assert_eq!((s.min, s.max), (Some(3.0), Some(256.0)));
    }

    #[test]
    fn sensitive_trait_is_read() {
        let sensitive = |service, name| model(service).shape(name).unwrap().sensitive;
        assert!(sensitive(Service::Query, "QueryString"));
        assert!(sensitive(Service::Query, "ClientToken"));
        assert!(sensitive(Service::Query, "ClientRequestToken"));
        assert!(sensitive(Service::Write, "ClientRequestToken"));
        assert!(!sensitive(Service::Write, "ResourceName"));
    }

    #[test]
    fn members_keep_declaration_order() {
        let s = model(Service::Write).shape("CreateTableRequest").unwrap();
        let names: Vec<_> = s.members.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(&names[..2], ["DatabaseName", "TableName"]);
    }
}
