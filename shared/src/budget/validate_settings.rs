//! Phase two for the settings sections: `[spend]`, `[retry]`, `[merge]`, `[evidence]`,
//! `[record]` — amounts, limits, relative paths and redaction regexes.

use super::glob_match::{Glob, GlobOptions};
use super::lazy_regex::LazyRegex;
use super::raw;
use super::spec::Setting;
use super::validate::Validator;
use super::{MergeRules, OnExceed, PriceOverride, RetryLimits, SpendLimits};
use crate::verdict::Hit;
use toml::Spanned;

/// Branch globs: `*` stays inside one `/` segment (`release/*`).
const BRANCH_GLOBS: GlobOptions = GlobOptions {
    literal_separator: true,
    backslash_escape: true,
    empty_alternates: false,
};

impl Validator<'_, '_> {
    fn count(&mut self, value: Option<Spanned<i64>>, key: &str) -> Option<u64> {
        let value = value?;
        match u64::try_from(*value.get_ref()) {
            Ok(n) if n > 0 => Some(n),
            _ => {
                let message = format!(
                    "`{key}` must be a positive whole number, found `{}`",
                    value.get_ref()
                );
                self.file.error(
                    &value.span(),
                    message,
                    Some(format!("remove `{key}` for no limit")),
                );
                None
            }
        }
    }

    fn amount(&mut self, value: Option<Spanned<f64>>, key: &str, zero_ok: bool) -> Option<f64> {
        let value = value?;
        let n = *value.get_ref();
        if n.is_finite() && (n > 0.0 || (zero_ok && n == 0.0)) {
            return Some(n);
        }
        let what = if zero_ok {
            "zero or more"
        } else {
            "more than zero"
        };
        self.file.error(
            &value.span(),
            format!("`{key}` must be {what}, found `{n}`"),
            None,
        );
        None
    }

    pub(super) fn spend(&mut self, raw: raw::RawSpend) {
        let origin = Some(self.section.clone());
        let mut key_origins: Vec<(&'static str, crate::budget::Origin)> = Vec::new();
        let spans = [
            ("max_usd", raw.max_usd.as_ref().map(Spanned::span)),
            ("max_tokens", raw.max_tokens.as_ref().map(Spanned::span)),
            (
                "max_tool_calls",
                raw.max_tool_calls.as_ref().map(Spanned::span),
            ),
            ("max_minutes", raw.max_minutes.as_ref().map(Spanned::span)),
        ];
        for (key, span) in spans {
            if let Some(span) = span {
                key_origins.push((key, self.origin(&span)));
            }
        }
        let on_exceed = match raw.on_exceed.as_ref() {
            None => OnExceed::Deny,
            Some(w) if w.get_ref() == "deny" => OnExceed::Deny,
            Some(w) if w.get_ref() == "halt" => OnExceed::Halt,
            Some(w) => {
                let message = format!("unknown `on_exceed` value `{}`", w.get_ref());
                self.file
                    .error(&w.span(), message, Some("use `deny` or `halt`".into()));
                OnExceed::Deny
            }
        };
        let warn_at = raw.warn_at.and_then(|w| {
            let n = *w.get_ref();
            if n > 0.0 && n <= 1.0 {
                return Some(n);
            }
            self.file.error(
                &w.span(),
                format!("`warn_at` must be a fraction in (0, 1], found `{n}`"),
                Some("e.g. `warn_at = 0.8` warns at 80%".into()),
            );
            None
        });
        let mut prices = Vec::new();
        let mut raw_prices: Vec<_> = raw.prices.unwrap_or_default().into_iter().collect();
        raw_prices.sort_by_key(|(k, _)| k.span().start);
        for (model, p) in raw_prices {
            prices.push(PriceOverride {
                model: model.into_inner(),
                input: self.amount(p.input, "input", true),
                output: self.amount(p.output, "output", true),
                cache_write_5m: self.amount(p.cache_write_5m, "cache_write_5m", true),
                cache_write_1h: self.amount(p.cache_write_1h, "cache_write_1h", true),
                cache_read: self.amount(p.cache_read, "cache_read", true),
            });
        }
        self.spec.spend = SpendLimits {
            max_usd: self.amount(raw.max_usd, "max_usd", false),
            max_tokens: self.count(raw.max_tokens, "max_tokens"),
            max_tool_calls: self.count(raw.max_tool_calls, "max_tool_calls"),
            max_minutes: self.count(raw.max_minutes, "max_minutes"),
            warn_at,
            on_exceed,
            prices,
            origin,
            key_origins,
        };
    }

    pub(super) fn retry(&mut self, raw: raw::RawRetry) {
        let key_origins: Vec<(&'static str, crate::budget::Origin)> = [
            ("same_command_failures", raw.same_command_failures.as_ref()),
            ("failures", raw.failures.as_ref()),
            ("same_file_edits", raw.same_file_edits.as_ref()),
            ("stop_blocks", raw.stop_blocks.as_ref()),
        ]
        .into_iter()
        .filter_map(|(key, v)| Some((key, self.origin(&v?.span()))))
        .collect();
        let limit = |v: &mut Self, value, key| {
            v.count(value, key)
                .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
        };
        self.spec.retry = RetryLimits {
            same_command_failures: limit(self, raw.same_command_failures, "same_command_failures"),
            failures: limit(self, raw.failures, "failures"),
            same_file_edits: limit(self, raw.same_file_edits, "same_file_edits"),
            stop_blocks: limit(self, raw.stop_blocks, "stop_blocks"),
            origin: Some(self.section.clone()),
            key_origins,
        };
    }

    pub(super) fn merge(&mut self, raw: raw::RawMerge) {
        let as_hit = |setting: Setting, rule: &str| {
            setting.map(|(verdict, origin)| Hit {
                verdict,
                origin,
                section: "merge".into(),
                rule: rule.into(),
            })
        };
        let push = self.verdict(&raw.push);
        let pr_merge = self.verdict(&raw.pr_merge);
        let mut merge = MergeRules {
            push: as_hit(push, "push"),
            pr_merge: as_hit(pr_merge, "pr_merge"),
            ..MergeRules::default()
        };
        for word in raw.protected_branches.iter().flatten() {
            match Glob::new(word.get_ref(), BRANCH_GLOBS) {
                Ok(glob) => {
                    merge
                        .protected_branches
                        .push((word.get_ref().clone(), self.origin(&word.span())));
                    merge.protected_globs.push(glob);
                }
                Err(e) => self.bad_glob(word, &e),
            }
        }
        self.spec.merge = merge;
    }

    fn relative_path(&mut self, word: Spanned<String>, key: &str) -> Option<String> {
        let path = word.get_ref();
        if path.is_empty()
            || path.starts_with('/')
            || path.starts_with('~')
            || path.split('/').any(|p| p == "..")
        {
            let message = format!("`{key}` must be a path inside the project, found `{path}`");
            self.file.error(
                &word.span(),
                message,
                Some("write it relative to the project root, e.g. `.claude/rollback.md`".into()),
            );
            return None;
        }
        Some(word.into_inner())
    }

    pub(super) fn evidence(&mut self, raw: raw::RawEvidence) {
        self.spec.high_risk = self.paths(&raw.high_risk).into();
        let evidence = &mut self.spec.evidence;
        evidence.tests_after_edit = raw.tests_after_edit.unwrap_or(false);
        if let Some(fields) = raw.rollback_fields {
            evidence.rollback_fields = fields.into_iter().map(Spanned::into_inner).collect();
        }
        evidence.origin = Some(self.section.clone());
        if let Some(note) = raw
            .rollback_note
            .and_then(|w| self.relative_path(w, "rollback_note"))
        {
            self.spec.evidence.rollback_note = note;
        }
    }

    pub(super) fn record(&mut self, raw: raw::RawRecord) {
        self.spec.record.retain_days = self.count(raw.retain_days, "retain_days");
        for word in raw.redact.iter().flatten() {
            match LazyRegex::new(word.get_ref()) {
                Ok(re) => self.spec.record.redact.push(re),
                Err(e) => {
                    let hint = "Rust regex syntax; in a TOML \"...\" string write `\\\\` for one backslash";
                    self.file.error(
                        &word.span(),
                        format!("invalid regex `{}`: {e}", word.get_ref()),
                        Some(hint.into()),
                    );
                }
            }
        }
        // The record dir is self-protected (SPEC §3): one that holds the budget file itself
        // (`.`, `./`, `.claude`) would make every edit there a self-protection denial.
        let holds_the_budget = |dir: &str| {
            let segments: Vec<&str> = dir
                .split('/')
                .filter(|s| !s.is_empty() && *s != ".")
                .collect();
            segments.is_empty() || segments == [".claude"]
        };
        if let Some(dir) = raw.dir.as_ref().filter(|d| holds_the_budget(d.get_ref())) {
            let message = format!(
                "`[record] dir = \"{}\"` would hold the budget file: the record dir is protected \
                 from the agent, so every edit in it would be denied",
                dir.get_ref()
            );
            let hint = "use a folder of its own, e.g. `.claude/runs`".to_owned();
            self.file.error(&dir.span(), message, Some(hint));
            return;
        }
        self.spec.record.dir = raw
            .dir
            .and_then(|d| self.relative_path(d, "dir"))
            .map(Into::into);
    }
}
