//! The claims of a LawOS access token (and of the external issuers' tokens we trust).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lawos_core::FirmId;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// The `aud` claim: one audience or several (RFC 7519 §4.1.3 allows both).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    pub fn contains(&self, audience: &str) -> bool {
        match self {
            Self::One(a) => a == audience,
            Self::Many(all) => all.iter().any(|a| a == audience),
        }
    }
}

impl From<&str> for Audience {
    fn from(a: &str) -> Self {
        Self::One(a.to_owned())
    }
}

impl From<String> for Audience {
    fn from(a: String) -> Self {
        Self::One(a)
    }
}

/// The `act` claim (RFC 8693 §4.1): who is acting on behalf of `sub`
/// (a support administrator using "act as").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub sub: String,
}

/// Access-token claims. Unknown claims are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    pub aud: Audience,
    pub exp: i64,
    pub iat: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// The firm (tenant) the token is scoped to; must be a uuid when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firm_id: Option<FirmId>,
    /// Logto organization tokens carry the organization instead of a firm;
    /// the tenants service resolves it to a firm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<Actor>,
    /// Space-separated scopes. An array (`["a","b"]`) is also accepted on input.
    #[serde(
        default,
        deserialize_with = "scope_string",
        skip_serializing_if = "String::is_empty"
    )]
    pub scope: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn scope_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Scope {
        Text(String),
        List(Vec<String>),
        Null(()),
    }
    Ok(match Scope::deserialize(d)? {
        Scope::Text(s) => s,
        Scope::List(l) => l.join(" "),
        Scope::Null(()) => String::new(),
    })
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl Claims {
    /// Claims issued now, valid for `ttl`, with a fresh `jti`.
    pub fn new(
        iss: impl Into<String>,
        sub: impl Into<String>,
        aud: impl Into<Audience>,
        ttl: Duration,
    ) -> Self {
        let iat = now_secs();
        let ttl = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
        Self {
            iss: iss.into(),
            sub: sub.into(),
            aud: aud.into(),
            exp: iat.saturating_add(ttl),
            iat,
            nbf: None,
            jti: Some(uuid::Uuid::now_v7().to_string()),
            firm_id: None,
            organization_id: None,
            client_id: None,
            sid: None,
            act: None,
            scope: String::new(),
            roles: Vec::new(),
            extra: Map::new(),
        }
    }

    pub fn with_firm(mut self, firm_id: FirmId) -> Self {
        self.firm_id = Some(firm_id);
        self
    }

    /// Sets `scope` to the given scopes, space-separated.
    pub fn with_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.scope = scopes
            .into_iter()
            .map(|s| s.as_ref().to_owned())
            .collect::<Vec<_>>()
            .join(" ");
        self
    }

    pub fn with_roles<I, S>(mut self, roles: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.roles = roles.into_iter().map(Into::into).collect();
        self
    }

    pub fn with_client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    pub fn with_session(mut self, sid: impl Into<String>) -> Self {
        self.sid = Some(sid.into());
        self
    }

    /// Marks the token as used by `actor` acting as `sub` (support access).
    pub fn with_actor(mut self, actor: impl Into<String>) -> Self {
        self.act = Some(Actor { sub: actor.into() });
        self
    }

    /// The scopes, split on whitespace.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split_whitespace()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_a_logto_organization_token() {
        let c: Claims = serde_json::from_value(json!({
            "iss": "https://logto.example/oidc", "sub": "u1abc", "aud": ["urn:lawos", "x"],
            "exp": 10, "iat": 1, "jti": "j", "client_id": "app", "organization_id": "org1",
            "scope": "matters:read matters:write", "custom": 5
        }))
        .unwrap();
        assert!(c.aud.contains("urn:lawos"));
        assert_eq!(c.organization_id.as_deref(), Some("org1"));
        assert_eq!(
            c.scopes().collect::<Vec<_>>(),
            ["matters:read", "matters:write"]
        );
        assert_eq!(c.extra.get("custom"), Some(&json!(5)));
        assert!(c.roles.is_empty() && c.firm_id.is_none());
    }

    #[test]
    fn accepts_scope_arrays_and_rejects_a_non_uuid_firm() {
        let c: Claims = serde_json::from_value(json!({
            "iss": "i", "sub": "s", "aud": "a", "exp": 10, "iat": 1, "scope": ["a", "b"],
            "act": {"sub": "admin"}, "roles": ["LAWYER"]
        }))
        .unwrap();
        assert_eq!(c.scope, "a b");
        assert_eq!(c.act.map(|a| a.sub).as_deref(), Some("admin"));
        let bad = serde_json::from_value::<Claims>(json!({
            "iss": "i", "sub": "s", "aud": "a", "exp": 10, "iat": 1, "firm_id": "nope"
        }));
        assert!(bad.is_err());
    }

    #[test]
    fn round_trips_without_empty_fields() {
        let firm = FirmId::new();
        let c = Claims::new("i", "s", "a", Duration::from_secs(60))
            .with_firm(firm)
            .with_scopes(["x:y"]);
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["aud"], "a");
        assert_eq!(v["firm_id"], firm.to_string());
        assert!(v.get("roles").is_none() && v.get("nbf").is_none());
        assert_eq!(v["exp"].as_i64(), Some(c.iat + 60));
        assert_eq!(serde_json::from_value::<Claims>(v).unwrap(), c);
    }
}
