//! The HTML form of `stats`: one self-contained page — inline CSS and SVG, no script, no
//! font or image fetched — so a security lead can open it from a mail or an archive and look
//! rather than read. Charts are drawn per day (all projects summed); the table keeps the
//! per-project rows.

use super::denial_codes;
use budget_policy::report::stats::{Row, RunStats, add};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Text for HTML content and attribute values.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Colours for stacked series, cycled.
const PALETTE: [&str; 8] = [
    "#d1495b", "#edae49", "#00798c", "#30638e", "#003d5b", "#8e6c8a", "#66a182", "#b56576",
];

const WIDTH: f64 = 860.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 48.0;
const BOTTOM: f64 = 28.0;

/// A stacked bar chart: one bar per day, one segment per series.
fn chart(
    id: &str,
    title: &str,
    days: &[String],
    series: &[(String, Vec<f64>)],
    money: bool,
) -> String {
    let totals: Vec<f64> = (0..days.len())
        .map(|i| {
            series
                .iter()
                .map(|(_, v)| v.get(i).copied().unwrap_or(0.0))
                .sum()
        })
        .collect();
    let max = totals.iter().copied().fold(0.0_f64, f64::max).max(1e-9);
    let plot_w = WIDTH - LEFT - 10.0;
    let plot_h = HEIGHT - BOTTOM - 10.0;
    #[expect(clippy::cast_precision_loss, reason = "a handful of days")]
    let slot = plot_w / days.len().max(1) as f64;
    let bar = (slot * 0.7).clamp(1.0, 48.0);
    let mut svg = format!(
        "<figure><figcaption>{}</figcaption><svg class=\"chart\" id=\"{id}\" role=\"img\" aria-label=\"{}\" \
         viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" xmlns=\"http://www.w3.org/2000/svg\">",
        esc(title),
        esc(title)
    );
    let label = |v: f64| {
        if money {
            format!("${v:.2}")
        } else {
            format!("{v:.0}")
        }
    };
    let _ = write!(
        svg,
        "<line x1=\"{LEFT}\" y1=\"10\" x2=\"{LEFT}\" y2=\"{}\" class=\"axis\"/>\
         <line x1=\"{LEFT}\" y1=\"{0}\" x2=\"{}\" y2=\"{0}\" class=\"axis\"/>\
         <text x=\"{}\" y=\"16\" class=\"tick\" text-anchor=\"end\">{}</text>\
         <text x=\"{}\" y=\"{}\" class=\"tick\" text-anchor=\"end\">0</text>",
        HEIGHT - BOTTOM,
        WIDTH - 10.0,
        LEFT - 4.0,
        esc(&label(max)),
        LEFT - 4.0,
        HEIGHT - BOTTOM
    );
    for (i, day) in days.iter().enumerate() {
        #[expect(clippy::cast_precision_loss, reason = "a handful of days")]
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        let mut y = HEIGHT - BOTTOM;
        for (s, (name, values)) in series.iter().enumerate() {
            let v = values.get(i).copied().unwrap_or(0.0);
            if v <= 0.0 {
                continue;
            }
            let h = v / max * plot_h;
            y -= h;
            let _ = write!(
                svg,
                "<rect class=\"bar\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" fill=\"{}\"><title>{} {}: {}</title></rect>",
                PALETTE[s % PALETTE.len()],
                esc(day),
                esc(name),
                esc(&label(v))
            );
        }
        if days.len() <= 16 || i % (days.len() / 8).max(1) == 0 {
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{}\" class=\"tick\" text-anchor=\"middle\">{}</text>",
                x + bar / 2.0,
                HEIGHT - 10.0,
                esc(day.get(5..).unwrap_or(day))
            );
        }
    }
    svg.push_str("</svg>");
    if series.len() > 1 {
        svg.push_str("<p class=\"legend\">");
        for (s, (name, _)) in series.iter().enumerate() {
            let _ = write!(
                svg,
                "<span><i style=\"background:{}\"></i>{}</span> ",
                PALETTE[s % PALETTE.len()],
                esc(name)
            );
        }
        svg.push_str("</p>");
    }
    svg.push_str("</figure>");
    svg
}

#[expect(clippy::cast_precision_loss, reason = "counts shown in a chart")]
fn per_day(days: &BTreeMap<String, RunStats>, f: impl Fn(&RunStats) -> u64) -> Vec<f64> {
    days.values().map(|s| f(s) as f64).collect()
}

pub(crate) fn page(rows: &[Row], total: &RunStats, since: u64) -> String {
    let mut by_day: BTreeMap<String, RunStats> = BTreeMap::new();
    for row in rows {
        add(by_day.entry(row.day.clone()).or_default(), &row.stats);
    }
    let days: Vec<String> = by_day.keys().cloned().collect();
    let mut codes: Vec<&String> = total.denials.keys().collect();
    codes.sort();
    let denials: Vec<(String, Vec<f64>)> = codes
        .iter()
        .map(|code| {
            let code = (*code).clone();
            let values = per_day(&by_day, |s| s.denials.get(&code).copied().unwrap_or(0));
            (code, values)
        })
        .collect();
    let mut out = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
         <title>claude-budget rollout metrics</title><style>\
         body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2731;background:#fff}\
         h1{font-size:20px}figure{margin:18px 0}figcaption{font-weight:600;margin-bottom:4px}\
         .axis{stroke:#888;stroke-width:1}.tick{font-size:11px;fill:#555}\
         .legend span{margin-right:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}\
         table{border-collapse:collapse;margin-top:16px}td,th{border:1px solid #ccd;padding:3px 8px;text-align:right}\
         td:nth-child(2),th:nth-child(2),td:first-child{text-align:left}.kpi{display:flex;gap:18px;flex-wrap:wrap}\
         .kpi div{border:1px solid #ccd;border-radius:6px;padding:8px 12px}.kpi b{display:block;font-size:20px}\
         </style></head><body>",
    );
    let _ = write!(
        out,
        "<h1>claude-budget — rollout metrics, last {since} day(s)</h1><div class=\"kpi\">"
    );
    let kpis = [
        ("runs", total.runs.to_string()),
        ("tool calls", total.tool_calls.to_string()),
        ("denied", total.denials_total().to_string()),
        (
            "asks (granted)",
            format!("{} ({})", total.asks, total.asks_granted),
        ),
        (
            "halts (stop rule / spend)",
            format!("{} / {}", total.stop_rule_halts, total.spend_halts),
        ),
        ("spend", format!("${:.2}", total.spend_usd)),
        ("retries exhausted", total.retries_exhausted.to_string()),
        ("ended with gaps", total.ended_with_gaps.to_string()),
        (
            "tamper / secret / gate off",
            format!(
                "{} / {} / {}",
                total.tamper_events, total.secret_events, total.gate_off_events
            ),
        ),
    ];
    for (name, value) in kpis {
        let _ = write!(out, "<div><b>{}</b>{}</div>", esc(&value), esc(name));
    }
    out.push_str("</div>");
    if days.is_empty() {
        out.push_str("<p>No recorded runs in this period.</p></body></html>\n");
        return out;
    }
    out.push_str(&chart(
        "chart-runs",
        "Runs per day",
        &days,
        &[("runs".into(), per_day(&by_day, |s| s.runs))],
        false,
    ));
    out.push_str(&chart(
        "chart-denials",
        "Denials per day, by code",
        &days,
        &denials,
        false,
    ));
    out.push_str(&chart(
        "chart-asks",
        "Asks per day: granted and not",
        &days,
        &[
            ("granted".into(), per_day(&by_day, |s| s.asks_granted)),
            (
                "not granted".into(),
                per_day(&by_day, |s| s.asks.saturating_sub(s.asks_granted)),
            ),
        ],
        false,
    ));
    out.push_str(&chart(
        "chart-risk",
        "Halts, gaps, exhausted retries and tripwires per day",
        &days,
        &[
            (
                "stop-rule halts".into(),
                per_day(&by_day, |s| s.stop_rule_halts),
            ),
            ("spend halts".into(), per_day(&by_day, |s| s.spend_halts)),
            (
                "ended with gaps".into(),
                per_day(&by_day, |s| s.ended_with_gaps),
            ),
            (
                "retries exhausted".into(),
                per_day(&by_day, |s| s.retries_exhausted),
            ),
            (
                "tamper/secret/gate off".into(),
                per_day(&by_day, |s| {
                    s.tamper_events + s.secret_events + s.gate_off_events
                }),
            ),
        ],
        false,
    ));
    let spend: Vec<f64> = by_day.values().map(|s| s.spend_usd).collect();
    out.push_str(&chart(
        "chart-spend",
        "Spend per day (USD)",
        &days,
        &[("spend".into(), spend)],
        true,
    ));
    out.push_str(
        "<table><thead><tr><th>day</th><th>project</th><th>runs</th><th>tool calls</th><th>denied (by code)</th>\
         <th>asks</th><th>granted</th><th>stop-rule halts</th><th>spend halts</th><th>spend</th>\
         <th>retries exhausted</th><th>ended with gaps</th><th>tamper</th><th>secret</th><th>gate off</th></tr></thead><tbody>",
    );
    for row in rows {
        let s = &row.stats;
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} ({})</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>${:.2}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&row.day),
            esc(&row.project),
            s.runs,
            s.tool_calls,
            s.denials_total(),
            esc(&denial_codes(s)),
            s.asks,
            s.asks_granted,
            s.stop_rule_halts,
            s.spend_halts,
            s.spend_usd,
            s.retries_exhausted,
            s.ended_with_gaps,
            s.tamper_events,
            s.secret_events,
            s.gate_off_events
        );
    }
    out.push_str("</tbody></table></body></html>\n");
    out
}
