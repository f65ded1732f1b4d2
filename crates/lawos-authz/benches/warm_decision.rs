//! The cost of a warm access decision: capabilities already in the process
//! cache (fetched once, cold, from a real rbac service), then
//! `authz.access(principal, firm)` + `access.require(scope, resource)` as a
//! handler calls them. Baseline from the same run: one read-locked `HashMap`
//! lookup of an `Arc`, the floor any in-process cache pays.
//!
//! Prints medians over batches (ns per decision) and the ratio to the baseline.
//! `cargo bench -p lawos-authz --bench warm_decision` (part of `make bench`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use lawos_auth::Principal;
use lawos_authz::{Authz, Resource};
use lawos_core::FirmId;
use lawos_testkit::{TestApp, TestUser};
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

const BATCHES: usize = 21;
const PER_BATCH: u32 = 100_000;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// ns per call of `f`, median over batches.
fn measure(mut f: impl FnMut()) -> f64 {
    for _ in 0..PER_BATCH / 10 {
        f();
    }
    let batches = (0..BATCHES)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..PER_BATCH {
                f();
            }
            start.elapsed().as_nanos() as f64 / f64::from(PER_BATCH)
        })
        .collect();
    median(batches)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let app = rt.block_on(TestApp::spawn(&[lawos_svc_rbac::SPEC]));
    let firm = FirmId::new();
    let lawyer = TestUser::member(firm, "LAWYER");
    rt.block_on(async {
        let res = app
            .as_user(
                Method::POST,
                "/api/v1/rbac/assignments",
                &TestUser::member(firm, "FIRM_ADMIN"),
            )
            .json(&json!({ "userId": lawyer.user_id, "role": "LAWYER" }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
    });
    let local = app.issuer.local();
    let tokens = Arc::new(lawos_auth::SignedServiceTokens::new(
        local.signer.clone(),
        &local.issuer,
        &local.audience,
        "bench",
        &[],
    ));
    let authz = Authz::new(&app.base_url, tokens, None);
    let principal = Principal::from_claims(app.issuer.claims(&lawyer), "token");
    let matter = Resource::matter(Uuid::now_v7());
    let cold_start = Instant::now();
    rt.block_on(authz.access(&principal, firm)).unwrap();
    let cold = cold_start.elapsed();

    // Baseline: the floor of any in-process cache.
    let map: RwLock<HashMap<(Uuid, Uuid), Arc<u64>>> = RwLock::new(
        (0..1000)
            .map(|i| ((Uuid::now_v7(), Uuid::now_v7()), Arc::new(i)))
            .collect(),
    );
    let key = *map.read().unwrap().keys().next().unwrap();
    let baseline = measure(|| {
        black_box(map.read().unwrap().get(black_box(&key)).cloned());
    });

    let caps = authz.cached(firm.0, lawyer.user_id.0).unwrap();
    let decide = measure(|| {
        black_box(caps.decide(black_box("matters:read"), black_box(&matter)));
    });
    let cached = measure(|| {
        let caps = authz.cached(firm.0, lawyer.user_id.0).unwrap();
        black_box(caps.decide("matters:read", &matter));
    });
    let request_path = rt.block_on(async {
        let mut runs = Vec::with_capacity(BATCHES);
        for _ in 0..BATCHES {
            let start = Instant::now();
            for _ in 0..PER_BATCH {
                let access = authz.access(black_box(&principal), firm).await.unwrap();
                black_box(access.require("matters:read", &matter)).unwrap();
            }
            runs.push(start.elapsed().as_nanos() as f64 / f64::from(PER_BATCH));
        }
        median(runs)
    });
    assert_eq!(
        authz.stats().rbac_calls,
        1,
        "warm decisions must not call rbac"
    );

    println!(
        "warm access decision, LAWYER on a matter (median of {BATCHES} batches of {PER_BATCH})"
    );
    println!("{:<52} {:>10} {:>8}", "row", "ns/op", "ratio");
    let row = |name: &str, ns: f64| println!("{name:<52} {ns:>10.1} {:>8.2}", ns / baseline);
    row("baseline: RwLock<HashMap> get of an Arc", baseline);
    row("Capabilities::decide (capabilities in hand)", decide);
    row("Authz::cached + decide", cached);
    row(
        "authz.access(..).await + access.require (handler)",
        request_path,
    );
    println!(
        "cold decision (one REST call to rbac on loopback, first call): {:.2} ms",
        cold.as_secs_f64() * 1e3
    );
    rt.block_on(async move { drop(app) });
}
