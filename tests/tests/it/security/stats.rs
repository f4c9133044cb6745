//! `claude-budget stats`: the numbers against a hand-counted fixture (tests/fixtures/stats,
//! its README has the counts), and the HTML page rendered by a real headless Chromium with a
//! screenshot kept as a test artefact (`target/test-artefacts/stats.png`).

use budget_tests::TempProject;
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{e}"));
    for entry in std::fs::read_dir(from).into_iter().flatten().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

/// A project whose data dir holds the hand-counted records.
fn project() -> TempProject {
    let p = TempProject::new();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/stats");
    copy_tree(&fixture, &p.data.join("claude-budget/runs"));
    let _ = std::fs::remove_file(p.data.join("claude-budget/runs/README.md"));
    p
}

fn stats(p: &TempProject, format: &str) -> Vec<u8> {
    let out = p
        .command("claude-budget")
        .args(["stats", "--since", "100000", "--format", format])
        .output()
        .unwrap_or_else(|e| panic!("stats: {e}"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn stats_match_the_hand_counted_fixture_per_day_and_project() {
    let p = project();
    let v: Value = serde_json::from_slice(&stats(&p, "json")).unwrap_or(Value::Null);
    let rows = v["rows"].as_array().cloned().unwrap_or_default();
    let pick = |day: &str, project: &str| {
        rows.iter()
            .find(|r| r["day"] == day && r["project"] == project)
            .cloned()
            .unwrap_or_else(|| panic!("no row {day} {project}: {v:#}"))
    };
    assert_eq!(rows.len(), 3, "{v:#}");
    let shop1 = pick("2026-03-01", "shop-aaaaaaaaaaaa");
    assert_eq!(
        (
            shop1["runs"].clone(),
            shop1["tool_calls"].clone(),
            shop1["asks"].clone(),
            shop1["asks_granted"].clone()
        ),
        (json!(2), json!(3), json!(2), json!(1))
    );
    assert_eq!(
        shop1["denials"],
        json!({"command-denied": 1, "path-denied": 1, "retry-limit": 1, "stop-rule": 2})
    );
    assert_eq!(shop1["stop_rule_halts"], 1);
    assert_eq!(shop1["spend_halts"], 0);
    assert!(
        (shop1["spend_usd"].as_f64().unwrap_or(0.0) - 1.0).abs() < 1e-9,
        "{shop1}"
    );
    assert_eq!(shop1["retries_exhausted"], 1);
    assert_eq!(shop1["ended_with_gaps"], 1);
    let shop2 = pick("2026-03-02", "shop-aaaaaaaaaaaa");
    assert_eq!(
        (
            shop2["tamper_events"].clone(),
            shop2["secret_events"].clone(),
            shop2["gate_off_events"].clone(),
            shop2["tool_calls"].clone()
        ),
        (json!(1), json!(1), json!(1), json!(3))
    );
    let docs = pick("2026-03-02", "docs-bbbbbbbbbbbb");
    assert_eq!(docs["spend_halts"], 1);
    assert_eq!(docs["denials"], json!({"spend-exceeded": 1}));
    assert!((docs["spend_usd"].as_f64().unwrap_or(0.0) - 5.5).abs() < 1e-9);
    let total = &v["total"];
    assert_eq!(
        (total["runs"].clone(), total["tool_calls"].clone()),
        (json!(4), json!(7))
    );
    assert!(
        (total["spend_usd"].as_f64().unwrap_or(0.0) - 6.5).abs() < 1e-9,
        "{total}"
    );
    let text = String::from_utf8_lossy(&stats(&p, "text")).into_owned();
    assert!(
        text.contains("Total: 4 runs, 7 tool calls, 6 denied"),
        "{text}"
    );
    assert!(
        text.contains("1 tamper, 1 secret exposed, 1 gate off"),
        "{text}"
    );
}

#[test]
fn the_window_leaves_older_runs_out() {
    let p = project();
    let v: Value = serde_json::from_slice(
        &p.command("claude-budget")
            .args(["stats", "--since", "7", "--format", "json"])
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
            .stdout,
    )
    .unwrap_or(Value::Null);
    assert_eq!(
        v["rows"],
        json!([]),
        "the fixture's runs are from March 2026"
    );
}

fn chromium() -> Option<PathBuf> {
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "headless_shell",
    ]
    .iter()
    .flat_map(|name| {
        std::env::var_os("PATH")
            .map(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join(name))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    })
    .find(|p| p.is_file())
}

/// Runs headless Chromium with a deadline; stdout when it succeeded.
fn headless(browser: &Path, profile: &Path, args: &[String]) -> Option<Vec<u8>> {
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let mut stdout = child.stdout.take()?;
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut bytes)
            .map(|_| bytes)
            .ok()
    });
    let started = std::time::Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return reader.join().ok().flatten(),
            Ok(Some(_)) | Err(_) => return None,
            Ok(None) if started.elapsed() > Duration::from_secs(60) => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// `(width, height)` from a PNG's IHDR.
fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    let sig: &[u8] = b"\x89PNG\r\n\x1a\n";
    if png.get(..8)? != sig || png.get(12..16)? != b"IHDR" {
        return None;
    }
    let be = |at: usize| {
        png.get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_be_bytes)
    };
    Some((be(16)?, be(20)?))
}

#[test]
fn the_html_page_renders_in_headless_chromium_with_its_charts() {
    let p = project();
    let html = stats(&p, "html");
    let page = String::from_utf8_lossy(&html).into_owned();
    assert!(
        page.matches("<svg class=\"chart\"").count() >= 5,
        "five charts"
    );
    assert!(
        !page.contains("<script") && !page.contains("src=\"http") && !page.contains("href=\"http"),
        "self-contained"
    );
    let Some(browser) = chromium() else {
        let _ = writeln!(
            std::io::stderr(),
            "SKIP the_html_page_renders_in_headless_chromium_with_its_charts: no chromium on PATH (apt-get install chromium)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("stats.html");
    std::fs::write(&file, &html).unwrap_or_else(|e| panic!("{e}"));
    let blank = dir.path().join("blank.html");
    std::fs::write(&blank, "<!doctype html><html><body></body></html>")
        .unwrap_or_else(|e| panic!("{e}"));
    let profile = dir.path().join("profile");
    let url = |f: &Path| format!("file://{}", f.display());
    // The DOM after Chromium parsed and laid out the page: the charts are there.
    let dom = headless(&browser, &profile, &["--dump-dom".into(), url(&file)])
        .unwrap_or_else(|| panic!("chromium --dump-dom failed"));
    let dom = String::from_utf8_lossy(&dom);
    for id in [
        "chart-runs",
        "chart-denials",
        "chart-asks",
        "chart-risk",
        "chart-spend",
    ] {
        assert!(
            dom.contains(&format!("id=\"{id}\"")),
            "{id} in the rendered DOM"
        );
    }
    assert!(
        dom.matches("<rect class=\"bar\"").count() >= 6,
        "bars drawn"
    );
    // Screenshots: the page and a blank page of the same size. A blank PNG compresses to
    // almost nothing; the page with charts cannot.
    let artefacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/test-artefacts");
    std::fs::create_dir_all(&artefacts).unwrap_or_else(|e| panic!("{e}"));
    let shot = artefacts.join("stats.png");
    let blank_shot = dir.path().join("blank.png");
    for (page, png) in [(&file, &shot), (&blank, &blank_shot)] {
        headless(
            &browser,
            &profile,
            &[
                format!("--screenshot={}", png.display()),
                "--window-size=1000,1400".into(),
                url(page),
            ],
        )
        .unwrap_or_else(|| panic!("chromium --screenshot failed"));
    }
    let png = std::fs::read(&shot).unwrap_or_default();
    let blank_png = std::fs::read(&blank_shot).unwrap_or_default();
    assert_eq!(
        png_size(&png),
        Some((1000, 1400)),
        "a PNG of the window size"
    );
    assert!(
        png.len() > blank_png.len() * 4 && png.len() > 20_000,
        "the screenshot is not blank: {} bytes vs {} for a blank page",
        png.len(),
        blank_png.len()
    );
    let _ = writeln!(
        std::io::stderr(),
        "stats screenshot: {} ({} bytes)",
        shot.display(),
        png.len()
    );
}
