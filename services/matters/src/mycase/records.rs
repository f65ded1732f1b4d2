//! MyCase's records as the sync reads them (`/cases`, `/clients`, `/staff`)
//! and what each becomes in LawOS. Ids come as numbers or strings; fields
//! that are objects in some answers and names in others (`practice_area`,
//! `case_stage`) are read either way; what LawOS does not take is ignored.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value, json};

const TITLE_MAX: usize = 300;
const DESCRIPTION_MAX: usize = 10_000;
const PRACTICE_AREA_MAX: usize = 100;
const NAME_MAX: usize = 200;
const ADDRESS_PART_MAX: usize = 200;

fn ext_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::Number(n) => Ok(n.to_string()),
        Value::String(s) if !s.trim().is_empty() && s.len() <= 100 => Ok(s.trim().to_owned()),
        other => Err(serde::de::Error::custom(format!(
            "not a MyCase id: {other}"
        ))),
    }
}

/// A name, or an object with one.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Named {
    Text(String),
    Object { name: Option<String> },
}

impl Named {
    pub fn name(&self) -> Option<&str> {
        match self {
            Self::Text(s) => Some(s),
            Self::Object { name } => name.as_deref(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct IdRef {
    #[serde(deserialize_with = "ext_id")]
    pub id: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CaseStaff {
    #[serde(deserialize_with = "ext_id")]
    pub id: String,
    #[serde(default)]
    pub lead_lawyer: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct McCase {
    #[serde(deserialize_with = "ext_id")]
    pub id: String,
    pub name: Option<String>,
    pub case_number: Option<String>,
    pub description: Option<String>,
    pub status: Option<String>,
    pub practice_area: Option<Named>,
    pub case_stage: Option<Named>,
    pub opened_date: Option<String>,
    pub closed_date: Option<String>,
    #[serde(default)]
    pub clients: Vec<IdRef>,
    #[serde(default)]
    pub staff: Vec<CaseStaff>,
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct McAddress {
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip_code: Option<String>,
    pub country: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct McClient {
    #[serde(deserialize_with = "ext_id")]
    pub id: String,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub cell_phone_number: Option<String>,
    pub work_phone_number: Option<String>,
    pub home_phone_number: Option<String>,
    pub address: Option<McAddress>,
    pub archived: Option<bool>,
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct McStaff {
    #[serde(deserialize_with = "ext_id")]
    pub id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    #[serde(alias = "staff_type")]
    pub r#type: Option<String>,
    pub title: Option<String>,
    pub updated_at: Option<String>,
}

/// A MyCase timestamp (RFC 3339, or without an offset: UTC, or a date).
pub fn timestamp(value: Option<&str>) -> Option<DateTime<Utc>> {
    let v = value?.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(t.and_utc());
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

fn text(value: Option<&str>, max: usize) -> Option<String> {
    let v = value?.trim();
    (!v.is_empty()).then(|| v.chars().take(max).collect())
}

fn lead_like(stage: &str) -> bool {
    let s = stage.to_ascii_lowercase();
    ["lead", "intake", "prospect", "consult"]
        .iter()
        .any(|w| s.contains(w))
}

/// The LawOS stage a case's state calls for, coarsely: `LEAD`, `OPEN` or
/// `CLOSED` (a matter `IN_PROGRESS` is `OPEN` to MyCase, `ARCHIVED` `CLOSED`).
pub fn case_stage(case: &McCase) -> &'static str {
    let status = case
        .status
        .as_deref()
        .unwrap_or("open")
        .to_ascii_lowercase();
    if status == "closed" {
        "CLOSED"
    } else if case
        .case_stage
        .as_ref()
        .and_then(Named::name)
        .is_some_and(lead_like)
    {
        "LEAD"
    } else {
        "OPEN"
    }
}

/// The matter's coarse stage, as [`case_stage`] speaks.
pub fn coarse_stage(stage: &str) -> &'static str {
    match stage {
        "LEAD" => "LEAD",
        "CLOSED" | "ARCHIVED" => "CLOSED",
        _ => "OPEN",
    }
}

impl McCase {
    pub fn title(&self) -> String {
        text(self.name.as_deref(), TITLE_MAX).unwrap_or_else(|| {
            let n = self.case_number.as_deref().unwrap_or(&self.id);
            format!("MyCase case {n}")
        })
    }

    /// The mapped fields compared field by field: title, description,
    /// practiceArea, stage (coarse) and client (the first client's MyCase id).
    pub fn values(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("title".into(), json!(self.title()));
        m.insert(
            "description".into(),
            json!(text(self.description.as_deref(), DESCRIPTION_MAX)),
        );
        m.insert(
            "practiceArea".into(),
            json!(text(
                self.practice_area.as_ref().and_then(Named::name),
                PRACTICE_AREA_MAX
            )),
        );
        m.insert("stage".into(), json!(case_stage(self)));
        m.insert(
            "client".into(),
            json!(self.clients.first().map(|c| c.id.clone())),
        );
        m
    }

    pub fn number(&self) -> Option<String> {
        text(self.case_number.as_deref(), 100)
    }
}

impl McClient {
    pub fn full_name(&self) -> String {
        let parts: Vec<&str> = [&self.first_name, &self.middle_name, &self.last_name]
            .into_iter()
            .filter_map(|p| p.as_deref().map(str::trim).filter(|p| !p.is_empty()))
            .collect();
        if parts.is_empty() {
            return format!("MyCase client {}", self.id);
        }
        parts.join(" ").chars().take(NAME_MAX).collect()
    }

    fn address_value(&self) -> Value {
        let Some(a) = &self.address else {
            return Value::Null;
        };
        let street = [&a.address1, &a.address2]
            .into_iter()
            .filter_map(|p| p.as_deref().map(str::trim).filter(|p| !p.is_empty()))
            .collect::<Vec<_>>()
            .join(", ");
        let mut m = Map::new();
        for (key, value) in [
            ("street", Some(street.as_str())),
            ("city", a.city.as_deref()),
            ("state", a.state.as_deref()),
            ("zip", a.zip_code.as_deref()),
            ("country", a.country.as_deref()),
        ] {
            if let Some(v) = text(value, ADDRESS_PART_MAX) {
                m.insert(key.into(), json!(v));
            }
        }
        if m.is_empty() {
            Value::Null
        } else {
            Value::Object(m)
        }
    }

    /// A client's fields at contacts (`/api/v1/contacts/clients/`), compared
    /// field by field: fullName, email, phone, address, status.
    pub fn values(&self) -> Map<String, Value> {
        let phone = [
            &self.cell_phone_number,
            &self.work_phone_number,
            &self.home_phone_number,
        ]
        .into_iter()
        .find_map(|p| text(p.as_deref(), 40));
        let mut m = Map::new();
        m.insert("fullName".into(), json!(self.full_name()));
        m.insert(
            "email".into(),
            json!(text(self.email.as_deref(), 254).map(|e| e.to_lowercase())),
        );
        m.insert("phone".into(), json!(phone));
        m.insert("address".into(), self.address_value());
        m.insert(
            "status".into(),
            json!(if self.archived == Some(true) {
                "INACTIVE"
            } else {
                "ACTIVE"
            }),
        );
        m
    }
}

impl McStaff {
    pub fn email(&self) -> Option<String> {
        text(self.email.as_deref(), 254).map(|e| e.to_lowercase())
    }

    /// The role on a matter's team of this staff member (a case's lead lawyer
    /// is its `LEAD_ATTORNEY` whatever their type).
    pub fn team_role(kind: Option<&str>, lead: bool) -> &'static str {
        if lead {
            return "LEAD_ATTORNEY";
        }
        let k = kind.unwrap_or_default().to_ascii_lowercase();
        if k.contains("paralegal") {
            "PARALEGAL"
        } else if ["attorney", "lawyer", "partner", "associate"]
            .iter()
            .any(|w| k.contains(w))
        {
            "ASSOCIATE"
        } else {
            "STAFF"
        }
    }

    pub fn values(&self) -> Map<String, Value> {
        let name = [&self.first_name, &self.last_name]
            .into_iter()
            .filter_map(|p| p.as_deref().map(str::trim).filter(|p| !p.is_empty()))
            .collect::<Vec<_>>()
            .join(" ");
        let mut m = Map::new();
        m.insert("email".into(), json!(self.email()));
        m.insert("name".into(), json!(name));
        m.insert(
            "type".into(),
            json!(self.r#type.as_deref().or(self.title.as_deref())),
        );
        m
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_case_maps_onto_a_matter() {
        let case: McCase = serde_json::from_value(json!({
            "id": 41, "name": "  Smith v. Jones ", "case_number": "2024-77",
            "status": "open", "practice_area": {"id": 3, "name": "Personal Injury"},
            "case_stage": "Intake", "clients": [{"id": 9}, {"id": "10"}],
            "staff": [{"id": 5, "lead_lawyer": true}], "updated_at": "2026-03-01T10:00:00Z"
        }))
        .unwrap();
        let v = case.values();
        assert_eq!(v["title"], "Smith v. Jones");
        assert_eq!(v["practiceArea"], "Personal Injury");
        assert_eq!(v["stage"], "LEAD");
        assert_eq!(v["client"], "9");
        assert_eq!(v["description"], Value::Null);
        assert_eq!(case.number().as_deref(), Some("2024-77"));
        let closed: McCase =
            serde_json::from_value(json!({"id": "a1", "status": "closed"})).unwrap();
        assert_eq!(case_stage(&closed), "CLOSED");
        assert_eq!(closed.title(), "MyCase case a1");
        assert_eq!(coarse_stage("IN_PROGRESS"), "OPEN");
        assert_eq!(coarse_stage("ARCHIVED"), "CLOSED");
    }

    #[test]
    fn a_client_maps_onto_a_contacts_client() {
        let c: McClient = serde_json::from_value(json!({
            "id": 9, "first_name": "Ada", "middle_name": "", "last_name": "Lovelace",
            "email": " Ada@Example.com ", "work_phone_number": "+1 555 010 2030",
            "address": {"address1": "1 Main St", "address2": "Apt 2", "city": "Springfield", "zip_code": "12345"},
            "archived": true
        }))
        .unwrap();
        let v = c.values();
        assert_eq!(v["fullName"], "Ada Lovelace");
        assert_eq!(v["email"], "ada@example.com");
        assert_eq!(v["phone"], "+1 555 010 2030");
        assert_eq!(
            v["address"],
            json!({"street": "1 Main St, Apt 2", "city": "Springfield", "zip": "12345"})
        );
        assert_eq!(v["status"], "INACTIVE");
    }

    #[test]
    fn timestamps_with_or_without_an_offset() {
        let t = timestamp(Some("2026-03-01T10:00:00-05:00")).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-01T15:00:00+00:00");
        assert!(timestamp(Some("2026-03-01T10:00:00")).is_some());
        assert!(timestamp(Some("2026-03-01")).is_some());
        assert!(timestamp(Some("yesterday")).is_none());
        assert_eq!(McStaff::team_role(Some("Paralegal"), false), "PARALEGAL");
        assert_eq!(McStaff::team_role(Some("Attorney"), true), "LEAD_ATTORNEY");
        assert_eq!(McStaff::team_role(Some("Attorney"), false), "ASSOCIATE");
        assert_eq!(McStaff::team_role(None, false), "STAFF");
    }
}
