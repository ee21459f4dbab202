//! The vendor registry: what a run pays to get the embedded registry and look one MAC
//! up, a lookup alone, and the slow paths (parsing the embedded text, merging a file
//! into the embedded registry) for comparison.
//!
//! Run: `cargo bench --bench oui`. Figures go to BENCHMARKS.md.

use divan::black_box;
use v6sentinel::oui::{EMBEDDED_TABLE, Registry};
use v6sentinel::wire::Mac;

fn main() {
    divan::main();
}

fn mac(s: &str) -> Mac {
    s.parse().expect("mac")
}

/// What a run does at start-up: get the embedded registry, look up one MAC.
#[divan::bench]
fn embedded_and_lookup() -> Option<usize> {
    let reg = Registry::embedded();
    reg.lookup(black_box(mac("10:6f:3f:12:34:56")))
        .map(|v| v.name.len())
}

/// One lookup that ends in the /24 table (two misses first).
#[divan::bench]
fn lookup_ma_l(bencher: divan::Bencher) {
    let reg = Registry::embedded();
    let m = mac("10:6f:3f:12:34:56");
    bencher.bench(|| reg.lookup(black_box(m)).map(|v| v.name.len()));
}

/// One lookup that hits the /36 table first.
#[divan::bench]
fn lookup_ma_s(bencher: divan::Bencher) {
    let reg = Registry::embedded();
    let m = mac("70:b3:d5:12:3a:bc");
    bencher.bench(|| reg.lookup(black_box(m)).map(|v| v.name.len()));
}

/// A MAC no block holds: three misses.
#[divan::bench]
fn lookup_miss(bencher: divan::Bencher) {
    let reg = Registry::embedded();
    let m = mac("00:00:5e:00:53:01");
    bencher.bench(|| reg.lookup(black_box(m)).map(|v| v.name.len()));
}

/// The slow path: parsing the embedded text (what `embedded()` cost before the table
/// was compiled by `build.rs`).
#[divan::bench(sample_count = 20, sample_size = 1)]
fn from_table() -> usize {
    Registry::from_table(black_box(EMBEDDED_TABLE))
        .map(|r| r.len())
        .unwrap_or(0)
}

/// `--oui-file`: the embedded registry with one small file merged in.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn merge_into_embedded(bencher: divan::Bencher) {
    let extra = Registry::from_table("106F3F\tMA-L\tBuffalo Inc.\n").expect("table");
    bencher.bench(|| {
        let mut reg = Registry::embedded().clone();
        reg.merge(extra.clone());
        reg.len()
    });
}
