//! Development bootstrap: `lawos dev` signs tokens with a key generated at start
//! and prints a system-administrator token, until a real login exists.

use lawos_auth::{Claims, Es256Signer};
use lawos_http::config::PlatformConfig;
use lawos_http::runtime::LocalIssuer;
use std::time::Duration;

const DEV_TOKEN_TTL: Duration = Duration::from_secs(12 * 3600);
const ADMIN_SCOPES: [&str; 7] = [
    "firms:create",
    "firms:read",
    "firms:update",
    "users:create",
    "users:read",
    "users:update",
    "users:delete",
];

pub struct DevIssuer {
    signer: Es256Signer,
    issuer: String,
    audience: String,
}

impl DevIssuer {
    pub fn new(config: &PlatformConfig) -> Result<Self, String> {
        Ok(Self {
            signer: Es256Signer::generate()
                .map_err(|e| format!("cannot generate the development key: {e}"))?,
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
        })
    }

    /// The development key as the runtime's in-process issuer: services trust it
    /// and sign their service tokens with it.
    pub fn local(&self) -> LocalIssuer {
        LocalIssuer {
            signer: self.signer.clone(),
            issuer: self.issuer.clone(),
            audience: self.audience.clone(),
        }
    }

    /// Mints the bootstrap token, writes it to `.lawos/dev-token` and says how to use it.
    pub fn announce(&self, port: u16) -> Result<(), String> {
        let claims = Claims::new(
            &self.issuer,
            uuid::Uuid::now_v7().to_string(),
            self.audience.as_str(),
            DEV_TOKEN_TTL,
        )
        .with_roles(["SYSTEM_ADMIN"])
        .with_scopes(ADMIN_SCOPES);
        let token = self
            .signer
            .sign(&claims)
            .map_err(|e| format!("cannot sign the bootstrap token: {e}"))?;
        let path = std::path::Path::new(".lawos/dev-token");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create .lawos: {e}"))?;
        }
        std::fs::write(path, &token)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let message = format!(
            "\nLawOS is serving every service on http://127.0.0.1:{port}\n\
             API description: http://127.0.0.1:{port}/openapi.json\n\
             System-administrator token (12 h, also in .lawos/dev-token):\n\n{token}\n\n\
             Try: curl -H \"Authorization: Bearer $(cat .lawos/dev-token)\" http://127.0.0.1:{port}/api/v1/tenants/\n"
        );
        tracing::info!(port, "development token issued");
        eprintln!("{message}");
        Ok(())
    }
}
