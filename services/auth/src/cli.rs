//! Operator commands of `lawos-auth` (besides the runtime's `serve` and `migrate`):
//!
//! - `lawos-auth rotate-keys [--publish-ahead-secs N]`: adds a signing key,
//!   published in the JWKS at once and signing after the publish-ahead
//!   (default `LAWOS_AUTH_KEY_PUBLISH_AHEAD_SECS`); earlier keys stay published
//!   until the last token they can sign has expired.
//! - `lawos-auth create-service-account <name> --scopes a:b,c:d`: creates the
//!   service account `lawos-<name>` (the client id `ServiceEnv` uses for service `<name>`) and prints its secret once (only its argon2id
//!   hash is stored).
//!
//! - `lawos-auth recover-admin --email <e-mail> --password-stdin`: creates or
//!   reactivates a system administrator (`crate::recovery`; the same as
//!   `lawos admin recover`), audited with a `system_admin.recovered` event.
//!
//! All use the service's runtime role (`LAWOS_DATABASE_URL`'s host and
//! database, `LAWOS_DB_APP_PASSWORD`) on a migrated schema.

use std::process::ExitCode;
use std::time::Duration;

use chrono::Utc;
use clap::{Parser, Subcommand};
use lawos_core::ApiError;
use lawos_core::validation::{FieldErrors, is_slug};
use lawos_db::tenant::ScopedFutureExt;
use lawos_db::{DbPool, ServiceRoles, TenantCtx, with_tenant};
use lawos_http::config::PlatformConfig;
use uuid::Uuid;

use crate::config::{AuthConfig, MIN_PUBLISH_AHEAD};
use crate::model::{ServiceAccount, SigningKeyRow};
use crate::{crypto, keys, storage};

const COMMANDS: [&str; 3] = ["rotate-keys", "create-service-account", "recover-admin"];

/// Whether `command` is one of these operator commands.
pub fn handles(command: &str) -> bool {
    COMMANDS.contains(&command)
}

#[derive(Parser)]
#[command(name = "lawos-auth", about = "LawOS auth service operator commands")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Add a signing key (published now, signing after the publish-ahead).
    RotateKeys {
        /// Seconds between publishing the key and signing with it (at least 45).
        #[arg(long)]
        publish_ahead_secs: Option<u64>,
    },
    /// Create a service account for the client_credentials grant; prints its secret once.
    CreateServiceAccount {
        /// Lowercase letters, digits and hyphens; the client id is `lawos-<name>`.
        name: String,
        /// Scopes the account may request (comma- or space-separated).
        #[arg(long, value_delimiter = ',', num_args = 1..)]
        scopes: Vec<String>,
    },
    /// Create or reactivate a system administrator (the password is read from standard input).
    RecoverAdmin {
        /// The administrator's e-mail (an existing local account is reactivated).
        #[arg(long)]
        email: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

/// A small pool of the auth service's runtime role for operator commands.
pub fn runtime_pool(config: &PlatformConfig) -> Result<DbPool, String> {
    let url = ServiceRoles::for_service(crate::NAME)
        .runtime_url(&config.database_url, &config.db_app_password)
        .map_err(|e| format!("LAWOS_DATABASE_URL is not a URL: {e}"))?;
    lawos_db::connect(&url, 1).map_err(|e| e.to_string())
}

/// Adds a signing key; see the module note.
pub async fn rotate_keys(
    db: &DbPool,
    config: &AuthConfig,
    publish_ahead: Duration,
) -> Result<SigningKeyRow, ApiError> {
    let master = config.master_key.clone();
    let ttl = config.access_ttl;
    with_tenant(db, &TenantCtx::platform(None), |conn| {
        async move { keys::rotate(conn, &master, publish_ahead, ttl).await }.scope_boxed()
    })
    .await
}

/// Creates a service account and returns it with its secret (shown once).
pub async fn create_service_account(
    db: &DbPool,
    name: &str,
    scopes: &[String],
) -> Result<(ServiceAccount, String), ApiError> {
    let mut errors = FieldErrors::new();
    if !is_slug(name) {
        errors.add(
            "name",
            lawos_core::ErrorCode::InvalidFieldFormat,
            "must be 2–63 lowercase letters, digits and single hyphens",
        );
    }
    let scopes: Vec<String> = scopes
        .iter()
        .flat_map(|s| s.split_whitespace())
        .map(str::to_owned)
        .collect();
    for scope in &scopes {
        let ok = scope.split_once(':').is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && scope
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-:_*".contains(c))
        });
        if !ok {
            errors.add(
                "scopes",
                lawos_core::ErrorCode::InvalidFieldFormat,
                format!("{scope:?} is not a scope such as matters:read"),
            );
        }
    }
    errors.into_result()?;
    let secret = crypto::opaque_token("lsa_").map_err(ApiError::internal)?;
    let to_hash = secret.clone();
    let secret_hash = tokio::task::spawn_blocking(move || crypto::hash_secret(&to_hash))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let now = Utc::now();
    let account = ServiceAccount {
        id: Uuid::now_v7(),
        name: name.to_owned(),
        client_id: format!("lawos-{name}"),
        secret_hash,
        scopes,
        is_active: true,
        created_at: now,
        updated_at: now,
    };
    let account = with_tenant(db, &TenantCtx::platform(None), |conn| {
        storage::insert_service_account(conn, account).scope_boxed()
    })
    .await?;
    Ok((account, secret))
}

#[allow(clippy::print_stdout)] // the commands' output is for the operator
async fn run(cli: Cli) -> Result<(), String> {
    let platform = PlatformConfig::from_env().map_err(|e| e.to_string())?;
    let config = AuthConfig::from_env().map_err(|e| e.to_string())?;
    let db = runtime_pool(&platform)?;
    match cli.command {
        Command::RotateKeys { publish_ahead_secs } => {
            let publish_ahead =
                publish_ahead_secs.map_or(config.publish_ahead, Duration::from_secs);
            if publish_ahead < MIN_PUBLISH_AHEAD {
                return Err(format!(
                    "--publish-ahead-secs must be at least {}",
                    MIN_PUBLISH_AHEAD.as_secs()
                ));
            }
            let key = rotate_keys(&db, &config, publish_ahead)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "added signing key {} (published now, signs from {}); earlier keys stay in \
                 the JWKS until {}",
                key.kid,
                key.not_before.to_rfc3339(),
                (key.not_before
                    + chrono::Duration::from_std(config.access_ttl + keys::RETIRE_MARGIN)
                        .unwrap_or_default())
                .to_rfc3339()
            );
        }
        Command::CreateServiceAccount { name, scopes } => {
            let (account, secret) =
                create_service_account(&db, &name, &scopes)
                    .await
                    .map_err(|e| match &e.details {
                        Some(details) => format!("{e} {details}"),
                        None => e.to_string(),
                    })?;
            println!("client_id={}", account.client_id);
            println!("client_secret={secret}");
            println!("scopes={}", account.scopes.join(" "));
            println!("The secret is shown only now; store it in the calling service's secrets.");
        }
        Command::RecoverAdmin {
            email,
            password_stdin,
        } => {
            let done = run_recover_admin(&db, &email, password_stdin).await?;
            println!("{}", recovery_report(&done));
        }
    }
    Ok(())
}

/// The `main` of the operator commands.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let _telemetry = lawos_telemetry::init("lawos-auth");
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("lawos-auth: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lawos-auth: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `recover-admin` / `lawos admin recover`: reads the password, recovers.
pub async fn run_recover_admin(
    db: &DbPool,
    email: &str,
    password_stdin: bool,
) -> Result<crate::recovery::Recovered, String> {
    if !password_stdin {
        return Err(
            "give the password on standard input with --password-stdin (never as an argument)"
                .to_owned(),
        );
    }
    let password = crate::recovery::password_from_stdin()?;
    crate::recovery::recover_admin(db, email, &password, &crate::recovery::operator_name())
        .await
        .map_err(|e| match &e.details {
            Some(details) => format!("{e} {details}"),
            None => e.to_string(),
        })
}

/// The operator's line about a recovery.
pub fn recovery_report(done: &crate::recovery::Recovered) -> String {
    let what = if done.created {
        "created"
    } else if done.reactivated {
        "reactivated"
    } else if done.promoted {
        "promoted"
    } else {
        "password reset for"
    };
    format!(
        "{what} system administrator {} (user {}); recorded as a {} event",
        done.email,
        done.user_id,
        crate::recovery::ADMIN_RECOVERED
    )
}
