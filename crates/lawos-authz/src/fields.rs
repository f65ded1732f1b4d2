//! Field policies on responses (forbidden fields are absent) and on requests (a
//! forbidden field write is 403 naming the field). A field without a policy is
//! readable and writable.

use lawos_core::ApiError;
use serde_json::{Value, json};

use crate::capabilities::{Capabilities, fold_field};

impl Capabilities {
    fn rule(&self, resource_type: &str, field: &str) -> (bool, bool) {
        self.fields
            .get(&(resource_type.to_owned(), fold_field(field)))
            .copied()
            .unwrap_or((true, true))
    }

    pub fn can_read_field(&self, resource_type: &str, field: &str) -> bool {
        self.rule(resource_type, field).0
    }

    /// Whether any field of `resource_type` is hidden from this user.
    pub fn hides_fields_of(&self, resource_type: &str) -> bool {
        self.fields
            .iter()
            .any(|((t, _), (read, _))| t == resource_type && !read)
    }

    pub fn can_write_field(&self, resource_type: &str, field: &str) -> bool {
        self.rule(resource_type, field).1
    }

    /// Removes the fields of `resource_type` the user may not read from `value`:
    /// an object, or an array of objects, or a list body `{"data": [...]}`.
    pub fn redact(&self, resource_type: &str, value: &mut Value) {
        if self.fields.is_empty() {
            return;
        }
        match value {
            Value::Array(items) => items.iter_mut().for_each(|v| self.redact(resource_type, v)),
            Value::Object(map) => {
                if let Some(Value::Array(items)) = map.get_mut("data") {
                    items.iter_mut().for_each(|v| self.redact(resource_type, v));
                    return;
                }
                map.retain(|field, _| self.can_read_field(resource_type, field));
            }
            _ => {}
        }
    }

    /// `Ok` when every field present in the request `body` may be written; else
    /// 403 `PERMISSION_DENIED` naming the fields.
    pub fn check_writes(&self, resource_type: &str, body: &Value) -> Result<(), ApiError> {
        let Value::Object(map) = body else {
            return Ok(());
        };
        let forbidden: Vec<&str> = map
            .keys()
            .filter(|field| !self.can_write_field(resource_type, field))
            .map(String::as_str)
            .collect();
        if forbidden.is_empty() {
            return Ok(());
        }
        Err(ApiError::permission_denied(format!(
            "You may not write the field{} {} of {resource_type}",
            if forbidden.len() == 1 { "" } else { "s" },
            forbidden.join(", ")
        ))
        .with_details(json!({ "fields": forbidden, "resourceType": resource_type })))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::capabilities::sample::caps;
    use serde_json::json;

    #[test]
    fn unreadable_fields_are_absent_from_objects_arrays_and_lists() {
        let c = caps(
            &[],
            &[],
            &[],
            &[
                ("CLIENT", "ssn", false, false),
                ("CLIENT", "date_of_birth", false, true),
            ],
        );
        let mut one = json!({ "id": 1, "ssn": "x", "dateOfBirth": "y", "name": "n" });
        c.redact("CLIENT", &mut one);
        assert_eq!(one, json!({ "id": 1, "name": "n" }));
        let mut list = json!({ "data": [{ "ssn": "x", "name": "a" }], "pagination": {} });
        c.redact("CLIENT", &mut list);
        assert_eq!(list["data"], json!([{ "name": "a" }]));
        let mut other = json!({ "ssn": "kept: another resource type" });
        c.redact("MATTER", &mut other);
        assert!(other.get("ssn").is_some());
    }

    #[test]
    fn bodies_are_written_straight_unless_a_field_of_their_type_is_hidden() {
        #[derive(serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Client {
            name: &'static str,
            date_of_birth: &'static str,
        }
        let c = caps(&[], &[], &[], &[("CLIENT", "date_of_birth", false, true)]);
        assert!(c.hides_fields_of("CLIENT") && !c.hides_fields_of("MATTER"));
        let access = crate::Access::User(std::sync::Arc::new(c));
        let value = Client {
            name: "n",
            date_of_birth: "1970-01-01",
        };
        let redacted: serde_json::Value =
            serde_json::from_slice(&access.to_json("CLIENT", &value).unwrap()).unwrap();
        assert_eq!(redacted, json!({ "name": "n" }));
        let whole: serde_json::Value =
            serde_json::from_slice(&access.to_json("MATTER", &value).unwrap()).unwrap();
        assert_eq!(whole, json!({ "name": "n", "dateOfBirth": "1970-01-01" }));
    }

    #[test]
    fn a_forbidden_write_names_every_forbidden_field() {
        let c = caps(
            &[],
            &[],
            &[],
            &[
                ("CLIENT", "ssn", false, false),
                ("CLIENT", "dateOfBirth", false, true),
            ],
        );
        assert!(
            c.check_writes(
                "CLIENT",
                &json!({ "name": "n", "dateOfBirth": "1970-01-01" })
            )
            .is_ok()
        );
        let err = c
            .check_writes("CLIENT", &json!({ "name": "n", "ssn": "1" }))
            .unwrap_err();
        let body = err.body("req");
        assert_eq!(body["error"]["code"], "PERMISSION_DENIED");
        assert_eq!(body["error"]["details"]["fields"], json!(["ssn"]));
        assert!(c.can_read_field("CLIENT", "name") && !c.can_read_field("CLIENT", "SSN"));
    }
}
