//! The cost of checking an access token as every request does: signature
//! (ES256), claims and key lookup, `TokenValidator::validate` on a static key
//! set (no network, no revocation store). Baseline from the same run: one
//! read-locked `HashMap` lookup of an `Arc`, the floor of any in-process cache
//! (what a validated-token cache would cost per hit).
//!
//! Two validators: with the validated-token cache (the default: a hit after the
//! first check) and without it (`token_cache(0)`: the full check every time).
//!
//! Prints medians over batches (µs per check) and the ratio to the baseline.
//! `cargo bench -p lawos-auth --bench token_check` (part of `make bench`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use lawos_auth::{Claims, Es256Signer, KeySource, TokenValidator, TrustedIssuer};

const BATCHES: usize = 21;
const PER_BATCH: u32 = 2_000;
const ISSUER: &str = "http://bench.invalid";
const AUDIENCE: &str = "lawos";

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// µs per call of `f`, median over batches (after a warm-up batch).
fn measure(mut f: impl FnMut()) -> f64 {
    for _ in 0..PER_BATCH {
        f();
    }
    let batches = (0..BATCHES)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..PER_BATCH {
                f();
            }
            start.elapsed().as_nanos() as f64 / f64::from(PER_BATCH) / 1_000.0
        })
        .collect();
    median(batches)
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let signer = Es256Signer::generate().unwrap();
    let issuer = || TrustedIssuer::new(ISSUER, AUDIENCE, KeySource::Static(signer.jwk_set()));
    let validator = TokenValidator::builder()
        .issuer(issuer())
        .token_cache(0)
        .build();
    let cached = TokenValidator::new(vec![issuer()]);
    let claims = Claims::new(
        ISSUER,
        uuid::Uuid::now_v7().to_string(),
        AUDIENCE,
        Duration::from_secs(900),
    );
    let token = signer.sign(&claims).unwrap();
    assert!(rt.block_on(validator.validate(&token)).is_ok());
    assert!(rt.block_on(cached.validate(&token)).is_ok());

    let map: RwLock<HashMap<String, Arc<String>>> = RwLock::new(HashMap::from([(
        token.clone(),
        Arc::new(claims.sub.clone()),
    )]));
    let baseline = measure(|| {
        let hit = map.read().unwrap().get(black_box(token.as_str())).cloned();
        black_box(hit);
    });
    let check = measure(|| {
        let principal = rt.block_on(validator.validate(black_box(&token)));
        black_box(principal.is_ok());
    });
    let hit = measure(|| {
        let principal = rt.block_on(cached.validate(black_box(&token)));
        black_box(principal.is_ok());
    });
    println!("token check, medians of {BATCHES} × {PER_BATCH}");
    println!("{:<58} {:>10} {:>8}", "what", "µs/check", "ratio");
    println!(
        "{:<58} {:>10.3} {:>8}",
        "baseline: RwLock<HashMap> get of the token", baseline, "1.00"
    );
    println!(
        "{:<58} {:>10.3} {:>8.1}",
        "TokenValidator::validate, no cache (ES256, static keys)",
        check,
        check / baseline
    );
    println!(
        "{:<58} {:>10.3} {:>8.1}",
        "TokenValidator::validate, cached (SHA-256 + lookup + claims)",
        hit,
        hit / baseline
    );
}
