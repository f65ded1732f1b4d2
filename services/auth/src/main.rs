//! `lawos-auth`: `serve` (default) or `migrate` (the platform runtime), and the
//! operator commands `rotate-keys`, `create-service-account` and `recover-admin`.

fn main() -> std::process::ExitCode {
    match std::env::args().nth(1).as_deref() {
        Some(command) if lawos_svc_auth::cli::handles(command) => lawos_svc_auth::cli::main(),
        _ => lawos_http::runtime::main(lawos_svc_auth::SPEC),
    }
}
