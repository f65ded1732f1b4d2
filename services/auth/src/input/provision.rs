//! `POST /api/v1/auth/firms/{firmId}/users` (Backstage §2.2.2): `email`,
//! `fullName`, `role`, `invite`, `logtoOrgId`, `credentials`, `password`.
//!
//! Without the Logto bridge the identity is local: `password` is required and
//! `invite: true` / `logtoOrgId` are refused by name. With the bridge
//! configured, `invite` and `logtoOrgId` are accepted here (whether the firm
//! has an organization is checked by `crate::provisioning`); `password` is
//! optional (the initial Logto password, or the local one when the firm has no
//! organization) and refused together with `invite: true`.

use lawos_core::validation::FieldErrors;
use lawos_core::{ApiError, ErrorCode};
use schemars::JsonSchema;
use serde::Deserialize;

use super::credential::{CredentialInput, ValidCredential};
use crate::roles::FIRM_ROLES;

/// Roles that count as a lawyer on the profile.
const LAWYER_ROLES: [&str; 2] = ["LAWYER", "PARTNER_ATTORNEY"];
pub const MIN_PASSWORD: usize = 8;
const MAX_CREDENTIALS: usize = 20;

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProvisionUser {
    pub email: Option<String>,
    pub full_name: Option<String>,
    pub role: Option<String>,
    pub invite: Option<bool>,
    pub logto_org_id: Option<String>,
    pub credentials: Option<Vec<CredentialInput>>,
    pub password: Option<String>,
}

/// A validated provisioning request.
#[derive(Debug)]
pub struct ValidProvision {
    pub email: String,
    pub full_name: String,
    pub role: String,
    pub is_lawyer: bool,
    pub password: Option<String>,
    pub invite: bool,
    pub logto_org_id: Option<String>,
    pub credentials: Vec<ValidCredential>,
}

impl ProvisionUser {
    /// Validates the body; `bridge` tells whether the Logto bridge is configured.
    pub fn validate(self, bridge: bool) -> Result<ValidProvision, ApiError> {
        let mut errors = FieldErrors::new();
        errors.email("email", self.email.as_deref().map(str::trim));
        errors.text("fullName", self.full_name.as_deref(), 200);
        let role = self
            .role
            .as_deref()
            .unwrap_or_default()
            .trim()
            .to_uppercase();
        if role.is_empty() {
            errors.missing("role");
        } else {
            errors.one_of("role", &role, &FIRM_ROLES);
        }
        let invite = self.invite == Some(true);
        let org = self
            .logto_org_id
            .as_deref()
            .map(str::trim)
            .map(str::to_owned);
        if !bridge && invite {
            errors.add(
                "invite",
                ErrorCode::InvalidFieldFormat,
                "invitations need the Logto bridge, which is not configured",
            );
        }
        match &org {
            Some(_) if !bridge => errors.add(
                "logtoOrgId",
                ErrorCode::InvalidFieldFormat,
                "Logto identities need the Logto bridge, which is not configured",
            ),
            Some(o) if o.is_empty() || o.len() > 128 => errors.add(
                "logtoOrgId",
                ErrorCode::InvalidFieldFormat,
                "must be 1 to 128 characters",
            ),
            _ => {}
        }
        match self.password.as_deref() {
            None | Some("") if !bridge => errors.missing("password"),
            None | Some("") => {}
            Some(_) if bridge && invite => errors.add(
                "password",
                ErrorCode::InvalidFieldFormat,
                "an invited person chooses their own password; leave it out with invite",
            ),
            Some(p) if p.chars().count() < MIN_PASSWORD => errors.add(
                "password",
                ErrorCode::InvalidFieldFormat,
                format!("must be at least {MIN_PASSWORD} characters"),
            ),
            Some(p) if p.len() > 1024 => errors.add(
                "password",
                ErrorCode::InvalidFieldFormat,
                "must be at most 1024 bytes",
            ),
            Some(_) => {}
        }
        let inputs = self.credentials.unwrap_or_default();
        if inputs.len() > MAX_CREDENTIALS {
            errors.add(
                "credentials",
                ErrorCode::InvalidFieldFormat,
                format!("at most {MAX_CREDENTIALS} credentials"),
            );
        }
        let credentials: Vec<ValidCredential> = inputs
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.check(&mut errors, &format!("credentials[{i}].")))
            .collect();
        errors.into_result()?;
        Ok(ValidProvision {
            email: self.email.unwrap_or_default().trim().to_lowercase(),
            full_name: self.full_name.unwrap_or_default().trim().to_owned(),
            is_lawyer: LAWYER_ROLES.contains(&role.as_str()) || !credentials.is_empty(),
            role,
            password: self.password.filter(|p| !p.is_empty()),
            invite,
            logto_org_id: org,
            credentials,
        })
    }
}
