//! The catalogue: the decision table of every built-in role × every scope
//! against the Backstage role table (written out here independently of the
//! service's own table), and the migrated catalogue tables against the Rust
//! module they were seeded from.

mod common;

use std::collections::BTreeMap;

use common::{app, assign, capabilities, firm_admin, lines, send_ok};
use lawos_core::FirmId;
use lawos_svc_rbac::catalogue;
use lawos_testkit::TestUser;
use reqwest::Method;
use serde_json::Value;

/// A = ALL, S = ASSIGNED, - = not held. Backstage §4.2.1: SYSTEM_ADMIN admin
/// full + user read-only; LAWYER user full (billing management is the billing
/// role's); PARALEGAL limited, no billing, assigned matters; STAFF billing and
/// records, assigned matters (time entries and invoices firm-wide);
/// PARTNER_ATTORNEY assigned matters only; CLIENT nothing yet; FIRM_ADMIN: the firm-level admin scopes + user read-only.
const EXPECTED: &str = "
scope                  SYSTEM_ADMIN FIRM_ADMIN LAWYER PARALEGAL STAFF PARTNER_ATTORNEY CLIENT
firms:create           A - - - - - -
firms:read             A - - - - - -
firms:update           A - - - - - -
users:create           A A - - - - -
users:read             A A - - - - -
users:update           A A - - - - -
users:delete           A A - - - - -
access-grants:create   A A - - - - -
access-grants:read     A A - - - - -
access-grants:revoke   A A - - - - -
support-access:create  A - - - - - -
support-access:read    A - - - - - -
support-access:revoke  A - - - - - -
matters:create         - - A - - - -
matters:read           A A A S S S -
matters:update         - - A S - S -
matters:delete         - - A - - - -
clients:create         - - A - - - -
clients:read           A A A S S S -
clients:update         - - A - - - -
clients:delete         - - A - - - -
documents:create       - - A S S S -
documents:read         A A A S S S -
documents:update       - - A S S S -
documents:delete       - - A - - - -
documents:privileged   - - A - - S -
time-entries:create    - - A - A S -
time-entries:read      A A A - A S -
time-entries:update    - - A - A S -
time-entries:submit    - - A - A S -
time-entries:approve   - - - - A - -
invoices:read          A A A - A - -
invoices:create        - - - - A - -
invoices:update        - - - - A - -
tasks:create           - - A S - - -
tasks:read             A A A S S S -
tasks:update           - - A S - S -
tasks:delete           - - A - - - -
appointments:create    - - A S S - -
appointments:read      A A A S S S -
appointments:update    - - A S S - -
appointments:delete    - - A S S - -
channels:create        - - A S - - -
channels:read          A A A S S S -
channels:update        - - A - - - -
messages:create        - - A S S S -
messages:read          A A A S S S -
messages:delete        - - A - - - -
comments:create        - - A S S S -
comments:read          A A A S S S -
comments:update        - - A S - - -
comments:delete        - - A - - - -
notifications:read     A A A S S S -
notifications:update   - - A S S - -
audit:read             A A A - - - -
";

/// role → scope → reach, from the table above.
#[allow(clippy::unwrap_used)] // a helper outside #[test]
fn expected() -> BTreeMap<String, BTreeMap<String, String>> {
    let mut rows = EXPECTED.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = rows.next().unwrap().split_whitespace().skip(1).collect();
    let mut out: BTreeMap<String, BTreeMap<String, String>> = header
        .iter()
        .map(|r| ((*r).to_owned(), BTreeMap::new()))
        .collect();
    for row in rows {
        let mut cols = row.split_whitespace();
        let scope = cols.next().unwrap();
        let cells: Vec<&str> = cols.collect();
        assert_eq!(cells.len(), header.len(), "row {scope}");
        for (role, cell) in header.iter().zip(cells) {
            let reach = match cell {
                "A" => "ALL",
                "S" => "ASSIGNED",
                "-" => continue,
                other => panic!("bad cell {other}"),
            };
            out.get_mut(*role)
                .unwrap()
                .insert(scope.to_owned(), reach.to_owned());
        }
    }
    out
}

#[tokio::test]
async fn every_built_in_role_by_every_scope_matches_the_backstage_table() {
    let app = app().await;
    let firm = FirmId::new();
    let admin = firm_admin(firm);
    let permissions = send_ok(
        app.as_user(Method::GET, "/api/v1/rbac/permissions", &admin),
        200,
    )
    .await;
    let catalogue_scopes: Vec<String> = permissions["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["scope"].as_str().unwrap().to_owned())
        .collect();
    let table_scopes: Vec<String> = EXPECTED
        .lines()
        .skip(2)
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect();
    let mut a = catalogue_scopes.clone();
    let mut b = table_scopes.clone();
    a.sort();
    b.sort();
    assert_eq!(a, b, "the table covers exactly the catalogue");

    let expected = expected();
    assert_eq!(expected.len(), 7);
    for (role, want) in &expected {
        let user = TestUser::member(firm, "STAFF");
        assign(&app, firm, user.user_id, role).await;
        let caps = capabilities(&app, firm, &user).await;
        assert_eq!(caps["roles"], serde_json::json!([role]));
        let got: BTreeMap<String, String> = caps["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["scope"].as_str().unwrap().to_owned(),
                    s["reach"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        for scope in &catalogue_scopes {
            assert_eq!(
                got.get(scope),
                want.get(scope),
                "{role} × {scope}: capabilities say {:?}, the table says {:?}",
                got.get(scope),
                want.get(scope)
            );
        }
    }

    // The built-in roles endpoint serves the same rows, with reasoning.
    let builtin = send_ok(
        app.as_user(Method::GET, "/api/v1/rbac/builtin-roles", &admin),
        200,
    )
    .await;
    for role in builtin["data"].as_array().unwrap() {
        let code = role["code"].as_str().unwrap();
        assert!(
            role["reasoning"].as_str().is_some_and(|r| r.len() > 20),
            "{code}"
        );
        assert_eq!(
            role["scopes"].as_array().unwrap().len(),
            expected[code].len(),
            "{code}"
        );
    }
    // `cases:*` is documented as the alias of `matters:*`.
    let matters_read = permissions["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["scope"] == "matters:read")
        .unwrap();
    assert_eq!(matters_read["aliases"], serde_json::json!(["cases:read"]));
}

#[tokio::test]
async fn the_migrated_catalogue_equals_the_rust_module() {
    let app = app().await;
    let db = lines(
        &app,
        "select format('%s|%s|%s|%s', scope, module, admin::text, description) as line from rbac.permissions order by 1",
    )
    .await;
    let mut rust: Vec<String> = catalogue::PERMISSIONS
        .iter()
        .map(|p| format!("{}|{}|{}|{}", p.scope, p.module, p.admin, p.description))
        .collect();
    rust.sort();
    assert_eq!(db, rust);

    let db = lines(
        &app,
        "select format('%s|%s|%s', role, scope, reach) as line from rbac.builtin_role_permissions order by 1",
    )
    .await;
    let mut rust: Vec<String> = catalogue::BUILTIN_ROLES
        .iter()
        .flat_map(|r| {
            r.scopes()
                .map(move |(s, reach)| format!("{}|{}|{}", r.code, s, reach.as_str()))
        })
        .collect();
    rust.sort();
    assert_eq!(db, rust);

    let db = lines(
        &app,
        "select format('%s|%s', code, description) as line from rbac.builtin_roles order by 1",
    )
    .await;
    let mut rust: Vec<String> = catalogue::BUILTIN_ROLES
        .iter()
        .map(|r| format!("{}|{}", r.code, r.description))
        .collect();
    rust.sort();
    assert_eq!(db, rust);

    let db = lines(
        &app,
        "select format('%s|%s', t.code, coalesce(string_agg(s.child, ',' order by s.child), '')) as line \
         from rbac.resource_types t left join rbac.resource_subtypes s on s.parent = t.code group by t.code order by 1",
    )
    .await;
    let mut rust: Vec<String> = catalogue::RESOURCE_TYPES
        .iter()
        .map(|t| {
            let mut subs: Vec<&str> = t.subresources.to_vec();
            subs.sort();
            format!("{}|{}", t.code, subs.join(","))
        })
        .collect();
    rust.sort();
    assert_eq!(db, rust);

    let db = lines(
        &app,
        "select format('%s|%s|%s|%s|%s', resource_type, field, role, can_read::text, can_write::text) as line \
         from rbac.default_field_policies order by 1",
    )
    .await;
    let mut rust: Vec<String> = catalogue::DEFAULT_FIELD_POLICIES
        .iter()
        .map(|p| {
            format!(
                "{}|{}|{}|{}|{}",
                p.resource_type, p.field, p.role, p.read, p.write
            )
        })
        .collect();
    rust.sort();
    assert_eq!(db, rust);
}

#[tokio::test]
async fn resource_types_and_subresources() {
    let app = app().await;
    let admin = firm_admin(FirmId::new());
    let types = send_ok(
        app.as_user(
            Method::GET,
            "/api/v1/rbac/access-control/resource-types",
            &admin,
        ),
        200,
    )
    .await;
    let codes: Vec<&str> = types["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "MATTER",
            "CLIENT",
            "DOCUMENT",
            "TIME_ENTRY",
            "TASK",
            "APPOINTMENT"
        ]
    );
    // CASE is accepted for MATTER.
    let subs = send_ok(
        app.as_user(
            Method::GET,
            "/api/v1/rbac/access-control/resource-types/CASE/subresources",
            &admin,
        ),
        200,
    )
    .await;
    let codes: Vec<&str> = subs["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["type"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["DOCUMENT", "TIME_ENTRY", "TASK", "APPOINTMENT"]);
    let subs: Value = send_ok(
        app.as_user(
            Method::GET,
            "/api/v1/rbac/access-control/resource-types/CLIENT/subresources",
            &admin,
        ),
        200,
    )
    .await;
    assert_eq!(subs["data"][0]["type"], "DOCUMENT");
    let res = app
        .as_user(
            Method::GET,
            "/api/v1/rbac/access-control/resource-types/PLANET/subresources",
            &admin,
        )
        .send()
        .await
        .unwrap();
    common::expect_error(res, 404, "RESOURCE_NOT_FOUND").await;
    // A lawyer is not an administrator.
    let lawyer = TestUser::member(FirmId::new(), "LAWYER");
    let res = app
        .as_user(
            Method::GET,
            "/api/v1/rbac/access-control/resource-types",
            &lawyer,
        )
        .send()
        .await
        .unwrap();
    common::expect_error(res, 403, "PERMISSION_DENIED").await;
}
