//! A lawyer credential in a request body (Backstage §2.2.2: `type`,
//! `jurisdiction`, `licenseNumber`, `issuedDate`, `expiresAt`; dates as YYYY-MM-DD).

use chrono::NaiveDate;
use lawos_core::ErrorCode;
use lawos_core::validation::FieldErrors;
use schemars::JsonSchema;
use serde::Deserialize;

/// The credential types a lawyer can hold.
pub const CREDENTIAL_TYPES: [&str; 5] = [
    "BAR_LICENSE",
    "NOTARY_COMMISSION",
    "PRACTICE_CERTIFICATE",
    "SPECIALIST_CERTIFICATION",
    "OTHER",
];

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CredentialInput {
    #[serde(rename = "type")]
    pub credential_type: Option<String>,
    pub jurisdiction: Option<String>,
    pub license_number: Option<String>,
    pub issued_date: Option<String>,
    pub expires_at: Option<String>,
}

/// A validated credential.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidCredential {
    pub credential_type: String,
    pub jurisdiction: String,
    pub number: String,
    pub issued_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
}

fn date(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> Option<NaiveDate> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.add(
                field,
                ErrorCode::InvalidFieldFormat,
                "must be a date (YYYY-MM-DD)",
            );
            None
        }
    }
}

impl CredentialInput {
    /// Adds every problem to `errors` with field names under `prefix`
    /// (`""` or `credentials[0].`); `None` when the credential is invalid.
    pub fn check(&self, errors: &mut FieldErrors, prefix: &str) -> Option<ValidCredential> {
        let before = errors.fields().count();
        let name = |f: &str| format!("{prefix}{f}");
        let kind = self
            .credential_type
            .as_deref()
            .map(|t| t.trim().to_uppercase())
            .unwrap_or_default();
        if kind.is_empty() {
            errors.missing(&name("type"));
        } else {
            errors.one_of(&name("type"), &kind, &CREDENTIAL_TYPES);
        }
        errors.text(&name("jurisdiction"), self.jurisdiction.as_deref(), 100);
        errors.text(&name("licenseNumber"), self.license_number.as_deref(), 100);
        let issued_on = date(errors, &name("issuedDate"), self.issued_date.as_deref());
        let expires_on = date(errors, &name("expiresAt"), self.expires_at.as_deref());
        if let (Some(issued), Some(expires)) = (issued_on, expires_on)
            && expires < issued
        {
            errors.add(
                &name("expiresAt"),
                ErrorCode::InvalidFieldFormat,
                "must not be before issuedDate",
            );
        }
        (errors.fields().count() == before).then(|| ValidCredential {
            credential_type: kind,
            jurisdiction: self
                .jurisdiction
                .as_deref()
                .unwrap_or_default()
                .trim()
                .to_owned(),
            number: self
                .license_number
                .as_deref()
                .unwrap_or_default()
                .trim()
                .to_owned(),
            issued_on,
            expires_on,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_every_bad_field_under_the_prefix() {
        let mut errors = FieldErrors::new();
        let bad = CredentialInput {
            credential_type: Some("DIPLOMA".into()),
            issued_date: Some("2020-02-30".into()),
            ..CredentialInput::default()
        };
        assert!(bad.check(&mut errors, "credentials[1].").is_none());
        let fields: Vec<&str> = errors.fields().collect();
        for f in ["type", "jurisdiction", "licenseNumber", "issuedDate"] {
            assert!(
                fields.contains(&format!("credentials[1].{f}").as_str()),
                "{f}: {fields:?}"
            );
        }
        let mut errors = FieldErrors::new();
        let good = CredentialInput {
            credential_type: Some("bar_license".into()),
            jurisdiction: Some("CA".into()),
            license_number: Some(" 12345 ".into()),
            issued_date: Some("2015-06-01".into()),
            expires_at: Some("2025-12-31".into()),
        };
        let valid = good.check(&mut errors, "").unwrap();
        assert_eq!(valid.credential_type, "BAR_LICENSE");
        assert_eq!(valid.number, "12345");
    }
}
