//! The in-process stages of a build, each reported per baseline: load, check, resolve, the
//! site (templates, baseline pages, shared pages), the workbooks, Markdown and the whole
//! render. Runs on a corpus generated from Microsoft's v3 workbooks in `../shared`.
//!
//! `cargo bench --bench pipeline [-- FILTER]`; `CONTROLBOOK_BENCH_BASELINES=N` sets the
//! corpus size (default 12). Without the fixtures it prints a notice and measures nothing.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use controlbook::render::markdown::{self, MarkdownOptions};
use controlbook::render::site::Site;
use controlbook::render::workbook_all;
use controlbook::render::xlsx::{self, XlsxOptions};
use controlbook::resolve::{self, Doc};
use controlbook::BuildOptions;
use criterion::{Criterion, Throughput};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/msft/v3")
}

fn baselines() -> usize {
    std::env::var("CONTROLBOOK_BENCH_BASELINES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(12)
}

fn main() {
    let fixtures = fixtures();
    if !fixtures.is_dir() {
        eprintln!(
            "skipping the benches: {} (Microsoft's v3 workbooks) is missing",
            fixtures.display()
        );
        return;
    }
    let count = baselines();
    let dir = tempfile::tempdir().expect("a temporary folder");
    controlbook::corpus::generate(&fixtures, count, dir.path()).expect("the corpus");
    let loaded = controlbook::load(dir.path()).expect("the corpus loads");
    assert!(loaded.diagnostics.is_empty(), "the corpus has input errors");
    let book = loaded.book;
    assert_eq!(book.baselines.len(), count);
    let docs = resolve::resolve(&book);
    let refs: Vec<&Doc> = docs.iter().collect();
    let theme = controlbook::theme_for(&book).expect("the theme");
    let options = BuildOptions::default();

    let mut c = Criterion::default().sample_size(20).configure_from_args();
    let mut group = c.benchmark_group(format!("{count} baselines"));
    // Every figure is also shown per baseline (elements/s).
    group.throughput(Throughput::Elements(count as u64));

    group.bench_function("load", |b| {
        b.iter(|| controlbook::load(black_box(dir.path())).expect("load"))
    });
    group.bench_function("check", |b| {
        b.iter(|| controlbook::check(black_box(&book), false))
    });
    group.bench_function("resolve", |b| b.iter(|| resolve::resolve(black_box(&book))));

    let site = || Site::new(&book.config, &theme).expect("the templates compile");
    group.bench_function("site: all pages", |b| {
        b.iter(|| {
            let site = site();
            let mut files: Vec<_> = refs
                .iter()
                .map(|d| site.baseline_page(d).expect("a baseline page"))
                .collect();
            files.extend(site.shared_pages(&refs).expect("the shared pages"));
            files
        })
    });
    group.bench_function("site: compile templates", |b| b.iter(site));
    let compiled = site();
    group.bench_function("site: baseline pages", |b| {
        b.iter(|| {
            refs.iter()
                .map(|d| compiled.baseline_page(d).expect("a baseline page"))
                .collect::<Vec<_>>()
        })
    });
    group.bench_function("site: shared pages", |b| {
        b.iter(|| {
            compiled
                .shared_pages(black_box(&refs))
                .expect("the shared pages")
        })
    });

    group.bench_function("xlsx: one workbook per baseline", |b| {
        b.iter(|| {
            refs.iter()
                .map(|d| xlsx::render(d, XlsxOptions::default()).expect("a workbook"))
                .collect::<Vec<_>>()
        })
    });
    // Builds use zip level 1 (XlsxOptions' default); 6 is zip's usual level, for scale.
    let level_6 = XlsxOptions {
        zip_level: 6,
        ..XlsxOptions::default()
    };
    group.bench_function("xlsx: one workbook per baseline, zip level 6", |b| {
        b.iter(|| {
            refs.iter()
                .map(|d| xlsx::render(d, level_6).expect("a workbook"))
                .collect::<Vec<_>>()
        })
    });
    group.bench_function("xlsx: all-baselines workbook", |b| {
        b.iter(|| workbook_all::render(black_box(&refs), XlsxOptions::default()).expect("it"))
    });
    group.bench_function("xlsx: all-baselines workbook, zip level 6", |b| {
        b.iter(|| workbook_all::render(black_box(&refs), level_6).expect("it"))
    });
    group.bench_function("markdown", |b| {
        let options = MarkdownOptions {
            workbook_link: "mapping.xlsx",
        };
        b.iter(|| {
            refs.iter()
                .map(|d| markdown::render(d, &options))
                .collect::<Vec<_>>()
        })
    });
    group.bench_function("render_book: every output and the link check", |b| {
        b.iter(|| controlbook::render_book(black_box(&book), &options, false).expect("render"))
    });
    group.finish();
    c.final_summary();
}
