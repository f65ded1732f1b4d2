//! `lawos-rbac`: serve (default) or `migrate`.

fn main() -> std::process::ExitCode {
    lawos_http::runtime::main(lawos_svc_rbac::SPEC)
}
