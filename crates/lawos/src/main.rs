//! `lawos`: the all-in-one server and operator commands.
//!
//! - `lawos dev`: migrate every service, then serve all twelve on one port (8080),
//!   each under its own prefixes, with this process as the token issuer; the
//!   bootstrap administrator is logged in and how to log in is printed.
//! - `lawos serve`: serve all twelve with the configured token issuer.
//! - `lawos migrate [service]`: run one or every service's migrations, then
//!   declare their queues (the topology step: every `ServiceSpec::queues`).
//! - `lawos topology`: only the topology step (the phase-0 Job of Kubernetes).
//! - `lawos admin recover --email <e-mail> --password-stdin`: create or
//!   reactivate a system administrator (an operator with database access;
//!   audited with a `system_admin.recovered` event).

mod bootstrap;

use lawos::services;

use clap::{Parser, Subcommand};
use lawos_http::config::PlatformConfig;
use std::net::TcpListener;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "lawos", version, about = "LawOS practice-management platform")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate everything and serve every service with a development token issuer.
    Dev {
        #[arg(long, env = "LAWOS_HTTP_ADDR", default_value = "0.0.0.0:8080")]
        addr: String,
    },
    /// Serve every service with the configured token issuer.
    Serve {
        #[arg(long, env = "LAWOS_HTTP_ADDR", default_value = "0.0.0.0:8080")]
        addr: String,
    },
    /// Run migrations for one service, or for all in phase order, then declare
    /// their queues (the topology step).
    Migrate { service: Option<String> },
    /// Only the topology step: declare every service's queues and bindings.
    Topology,
    /// Operator commands on the platform's database.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create or reactivate a system administrator (the password is read from standard input).
    Recover {
        /// The administrator's e-mail (an existing local account is reactivated).
        #[arg(long)]
        email: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

async fn admin(config: &PlatformConfig, command: AdminCommand) -> Result<(), String> {
    match command {
        AdminCommand::Recover {
            email,
            password_stdin,
        } => {
            let db = lawos_svc_auth::cli::runtime_pool(config)?;
            let done = lawos_svc_auth::cli::run_recover_admin(&db, &email, password_stdin).await?;
            eprintln!("{}", lawos_svc_auth::cli::recovery_report(&done));
            Ok(())
        }
    }
}

async fn migrate(config: &PlatformConfig, service: Option<&str>) -> Result<(), String> {
    let specs: Vec<_> = match service {
        Some(name) => {
            vec![services::find(name).ok_or_else(|| format!("unknown service {name:?}"))?]
        }
        None => services::ALL.to_vec(),
    };
    for spec in &specs {
        lawos_http::runtime::migrate(spec, config)
            .await
            .map_err(|e| e.to_string())?;
    }
    lawos_http::runtime::declare_queues(&specs, config)
        .await
        .map_err(|e| e.to_string())
}

async fn run(cli: Cli) -> Result<(), String> {
    let mut config = PlatformConfig::from_env().map_err(|e| e.to_string())?;
    match cli.command {
        Command::Migrate { service } => migrate(&config, service.as_deref()).await,
        Command::Admin { command } => admin(&config, command).await,
        Command::Topology => lawos_http::runtime::declare_queues(&services::ALL, &config)
            .await
            .map_err(|e| e.to_string()),
        Command::Dev { addr } => {
            let listener =
                TcpListener::bind(&addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            let port = listener.local_addr().map_err(|e| e.to_string())?.port();
            // Inter-service calls go to this same process unless configured otherwise.
            let here = format!("http://127.0.0.1:{port}");
            for (var, url) in [
                ("LAWOS_TENANTS_URL", &mut config.tenants_url),
                ("LAWOS_EVENTS_URL", &mut config.events_url),
                ("LAWOS_RBAC_URL", &mut config.rbac_url),
                ("LAWOS_CONTACTS_URL", &mut config.contacts_url),
                ("LAWOS_MATTERS_URL", &mut config.matters_url),
                ("LAWOS_CHANNELS_URL", &mut config.channels_url),
                ("LAWOS_MESSAGES_URL", &mut config.messages_url),
                ("LAWOS_TASKS_URL", &mut config.tasks_url),
                ("LAWOS_DOCUMENTS_URL", &mut config.documents_url),
                ("LAWOS_BILLING_URL", &mut config.billing_url),
                ("LAWOS_NOTIFICATIONS_URL", &mut config.notifications_url),
            ] {
                if std::env::var(var).is_err() {
                    url.clone_from(&here);
                }
            }
            bootstrap::use_this_process_as_issuer(&mut config, port);
            migrate(&config, None).await?;
            let services_issuer = bootstrap::service_issuer(&config)?;
            tokio::spawn(bootstrap::log_in_admin(port));
            lawos_http::runtime::serve(
                &services::ALL,
                Arc::new(config),
                listener,
                Some(services_issuer),
            )
            .await
            .map_err(|e| e.to_string())
        }
        Command::Serve { addr } => {
            let listener =
                TcpListener::bind(&addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            lawos_http::runtime::serve(&services::ALL, Arc::new(config), listener, None)
                .await
                .map_err(|e| e.to_string())
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _telemetry = lawos_telemetry::init("lawos");
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("lawos: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lawos: {e}");
            ExitCode::FAILURE
        }
    }
}
