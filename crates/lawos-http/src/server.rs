//! Runs an app on an address until SIGINT/SIGTERM, draining in-flight requests.

use actix_web::HttpServer;
use std::net::TcpListener;

use crate::app::{AppSettings, build_app};
use crate::mount::Mount;

/// Serves `mounts` on `listener` until a shutdown signal.
pub async fn serve(
    listener: TcpListener,
    settings: AppSettings,
    mounts: Vec<Mount>,
    workers: usize,
) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    tracing::info!(%addr, services = ?mounts.iter().map(|m| m.name).collect::<Vec<_>>(), "listening");
    HttpServer::new(move || build_app(settings.clone(), mounts.clone()))
        .workers(workers.max(1))
        .shutdown_timeout(20)
        .listen(listener)?
        .run()
        .await
}
