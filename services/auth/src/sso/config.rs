//! The identity providers, from the environment:
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `LAWOS_SSO_PROVIDERS` | empty (no SSO) | comma-separated provider names (`[a-z0-9-]`, e.g. `logto,azure`), the `{provider}` of the SSO routes |
//! | `LAWOS_SSO_<NAME>_ISSUER` | required | the provider's OpenID issuer URL (discovery at `<issuer>/.well-known/openid-configuration`) |
//! | `LAWOS_SSO_<NAME>_CLIENT_ID` | required | this platform's client id at the provider; the `aud` of its ID tokens |
//! | `LAWOS_SSO_<NAME>_CLIENT_SECRET` | required | the client's secret (`client_secret_basic`) |
//! | `LAWOS_SSO_<NAME>_REDIRECT_URL` | required | the public URL of `/api/v1/auth/sso/<name>/callback`, as registered at the provider |
//! | `LAWOS_SSO_<NAME>_SCOPES` | `openid email profile` | scopes requested (space- or comma-separated; `openid` is always sent) |
//! | `LAWOS_SSO_<NAME>_FIRM_ID` | none | the firm whose users this provider signs in; absent: the user's firm comes from their profiles |
//!
//! `<NAME>` is the name upper-cased with `-` as `_`.

use lawos_core::config::ConfigError;
use url::Url;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderConfig {
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub redirect_url: String,
    /// Scopes besides `openid`.
    pub scopes: Vec<String>,
    pub firm_id: Option<Uuid>,
}

fn invalid(name: &str, value: &str, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        name: name.into(),
        value: value.into(),
        reason: reason.into(),
    }
}

fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 40
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A URL setting: absolute http(s), no fragment.
fn url_setting(var: &str, value: &str) -> Result<String, ConfigError> {
    let url = Url::parse(value).map_err(|e| invalid(var, value, &e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.fragment().is_some() {
        return Err(invalid(
            var,
            value,
            "must be an http(s) URL without a fragment",
        ));
    }
    Ok(value.to_owned())
}

/// The providers named by `LAWOS_SSO_PROVIDERS`, read through `lookup`
/// (the environment in production); empty values count as unset.
pub fn providers(
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Vec<ProviderConfig>, ConfigError> {
    let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
    let Some(list) = get("LAWOS_SSO_PROVIDERS") else {
        return Ok(Vec::new());
    };
    let mut out: Vec<ProviderConfig> = Vec::new();
    for raw in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let name = raw.to_lowercase();
        if !is_name(&name) {
            return Err(invalid(
                "LAWOS_SSO_PROVIDERS",
                &list,
                "provider names are 1..40 of a-z, 0-9 and -",
            ));
        }
        if out.iter().any(|p| p.name == name) {
            return Err(invalid(
                "LAWOS_SSO_PROVIDERS",
                &list,
                "a provider is named twice",
            ));
        }
        let prefix = format!("LAWOS_SSO_{}_", name.to_uppercase().replace('-', "_"));
        let required = |key: &str| -> Result<String, ConfigError> {
            let var = format!("{prefix}{key}");
            get(&var)
                .map(|v| v.trim().to_owned())
                .ok_or(ConfigError::Missing { name: var })
        };
        let issuer_var = format!("{prefix}ISSUER");
        let issuer = url_setting(&issuer_var, &required("ISSUER")?)?;
        let redirect_var = format!("{prefix}REDIRECT_URL");
        let redirect_url = url_setting(&redirect_var, &required("REDIRECT_URL")?)?;
        let scopes = get(&format!("{prefix}SCOPES"))
            .unwrap_or_else(|| "openid email profile".to_owned())
            .split([' ', ','])
            .filter(|s| !s.is_empty() && *s != "openid")
            .map(str::to_owned)
            .collect();
        let firm_var = format!("{prefix}FIRM_ID");
        let firm_id = get(&firm_var)
            .map(|v| {
                v.trim()
                    .parse::<Uuid>()
                    .map_err(|_| invalid(&firm_var, &v, "not a uuid"))
            })
            .transpose()?;
        if out.iter().any(|p| p.issuer == issuer) {
            return Err(invalid(
                &issuer_var,
                &issuer,
                "another provider has the same issuer",
            ));
        }
        out.push(ProviderConfig {
            name,
            issuer,
            client_id: required("CLIENT_ID")?,
            client_secret: required("CLIENT_SECRET")?,
            redirect_url,
            scopes,
            firm_id,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(vars: &[(&str, &str)]) -> Result<Vec<ProviderConfig>, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        providers(|name| map.get(name).cloned())
    }

    const AZURE: [(&str, &str); 5] = [
        ("LAWOS_SSO_PROVIDERS", "Azure-AD"),
        (
            "LAWOS_SSO_AZURE_AD_ISSUER",
            "https://login.example.com/t/v2.0",
        ),
        ("LAWOS_SSO_AZURE_AD_CLIENT_ID", "cid"),
        ("LAWOS_SSO_AZURE_AD_CLIENT_SECRET", "secret"),
        (
            "LAWOS_SSO_AZURE_AD_REDIRECT_URL",
            "https://api.example.com/api/v1/auth/sso/azure-ad/callback",
        ),
    ];

    #[test]
    fn reads_each_provider_with_defaults() {
        assert!(parse(&[]).unwrap().is_empty());
        let p = parse(&AZURE).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].name, "azure-ad");
        assert_eq!(p[0].scopes, vec!["email", "profile"]);
        assert_eq!(p[0].firm_id, None);
        let mut vars = AZURE.to_vec();
        vars.push(("LAWOS_SSO_AZURE_AD_SCOPES", "openid,email offline_access"));
        vars.push((
            "LAWOS_SSO_AZURE_AD_FIRM_ID",
            "0190b6a0-0000-7000-8000-000000000001",
        ));
        let p = parse(&vars).unwrap();
        assert_eq!(p[0].scopes, vec!["email", "offline_access"]);
        assert!(p[0].firm_id.is_some());
    }

    #[test]
    fn names_the_bad_or_missing_setting() {
        let mut vars = AZURE.to_vec();
        vars.retain(|(k, _)| *k != "LAWOS_SSO_AZURE_AD_CLIENT_SECRET");
        let err = parse(&vars).unwrap_err().to_string();
        assert!(err.contains("LAWOS_SSO_AZURE_AD_CLIENT_SECRET"), "{err}");
        let mut vars = AZURE.to_vec();
        vars.push(("LAWOS_SSO_AZURE_AD_FIRM_ID", "acme"));
        assert!(parse(&vars).unwrap_err().to_string().contains("FIRM_ID"));
        let mut vars = AZURE.to_vec();
        vars[1].1 = "ftp://idp";
        assert!(parse(&vars).unwrap_err().to_string().contains("ISSUER"));
        assert!(parse(&[("LAWOS_SSO_PROVIDERS", "a b")]).is_err());
    }
}
