//! `lawos-events`: serve (default), `migrate`, or `archive` (retention; see
//! [`lawos_svc_events::archive`]).

fn main() -> std::process::ExitCode {
    if std::env::args().nth(1).as_deref() == Some("archive") {
        return lawos_svc_events::archive::main();
    }
    lawos_http::runtime::main(lawos_svc_events::SPEC)
}
