//! Searchers: GNU `grep` (and `egrep`/`fgrep`), ripgrep `rg`. Which words are patterns
//! (data), which files a search reads (`-f`, `--exclude-from`, the operands), what a
//! recursive search visits under a folder ([`super::folders`]), and `rg --pre`, which runs a
//! program on every file.

use super::folders::Visit;
use super::options::{GNU, Opt, Scanned, Style, Value, opt, scan};
use super::{Model, Run};
use crate::shell::effects::Role;

/// Every GNU grep option (grep 3.11) and its value.
#[rustfmt::skip]
pub const GREP: &[Opt] = &[
    opt(&["-E", "--extended-regexp"], Value::Flag),
    opt(&["-F", "--fixed-strings"], Value::Flag),
    opt(&["-G", "--basic-regexp"], Value::Flag),
    opt(&["-P", "--perl-regexp"], Value::Flag),
    opt(&["-e", "--regexp"], Value::Data),
    opt(&["-f", "--file"], Value::Read),
    opt(&["-i", "-y", "--ignore-case"], Value::Flag),
    opt(&["--no-ignore-case"], Value::Flag),
    opt(&["-v", "--invert-match"], Value::Flag),
    opt(&["-w", "--word-regexp"], Value::Flag),
    opt(&["-x", "--line-regexp"], Value::Flag),
    opt(&["-c", "--count"], Value::Flag),
    opt(&["--color", "--colour"], Value::Optional),
    opt(&["-L", "--files-without-match"], Value::Flag),
    opt(&["-l", "--files-with-matches"], Value::Flag),
    opt(&["-m", "--max-count"], Value::Data),
    opt(&["-o", "--only-matching"], Value::Flag),
    opt(&["-q", "--quiet", "--silent"], Value::Flag),
    opt(&["-s", "--no-messages"], Value::Flag),
    opt(&["-b", "--byte-offset"], Value::Flag),
    opt(&["-H", "--with-filename"], Value::Flag),
    opt(&["-h", "--no-filename"], Value::Flag),
    opt(&["--label"], Value::Data),
    opt(&["-n", "--line-number"], Value::Flag),
    opt(&["-T", "--initial-tab"], Value::Flag),
    opt(&["-Z", "--null"], Value::Flag),
    opt(&["-A", "--after-context"], Value::Data),
    opt(&["-B", "--before-context"], Value::Data),
    opt(&["-C", "--context"], Value::Data),
    opt(&["--group-separator"], Value::Data),
    opt(&["--no-group-separator"], Value::Flag),
    opt(&["-a", "--text"], Value::Flag),
    opt(&["--binary-files"], Value::Data),
    opt(&["-D", "--devices"], Value::Data),
    opt(&["-d", "--directories"], Value::Data),
    opt(&["--exclude"], Value::Data),
    opt(&["--exclude-from"], Value::Read),
    opt(&["--exclude-dir"], Value::Data),
    opt(&["-I"], Value::Flag),
    opt(&["--include"], Value::Data),
    opt(&["-r", "--recursive"], Value::Flag),
    opt(&["-R", "--dereference-recursive"], Value::Flag),
    opt(&["--line-buffered"], Value::Flag),
    opt(&["-U", "--binary"], Value::Flag),
    opt(&["-z", "--null-data"], Value::Flag),
    opt(&["--help"], Value::Flag),
    opt(&["-V", "--version"], Value::Flag),
    opt(&["--no-line-number"], Value::Flag),
    // `grep -5`: a context count written as the option (read as this row).
    opt(&["--NUM"], Value::Flag),
];

/// Every ripgrep option the model knows (rg 14) and its value.
#[rustfmt::skip]
pub const RG: &[Opt] = &[
    opt(&["-e", "--regexp"], Value::Data),
    opt(&["-f", "--file"], Value::Read),
    opt(&["--pre"], Value::Run),
    opt(&["--pre-glob"], Value::Data),
    opt(&["-z", "--search-zip"], Value::Flag),
    opt(&["-g", "--glob"], Value::Data),
    opt(&["--iglob"], Value::Data),
    opt(&["--glob-case-insensitive", "--no-glob-case-insensitive"], Value::Flag),
    opt(&["-.", "--hidden"], Value::Flag),
    opt(&["--no-hidden"], Value::Flag),
    opt(&["-u", "--unrestricted"], Value::Flag),
    opt(&["--no-ignore"], Value::Flag),
    opt(&["--ignore"], Value::Flag),
    opt(&["--no-ignore-vcs"], Value::Flag),
    opt(&["--no-ignore-dot"], Value::Flag),
    opt(&["--no-ignore-parent"], Value::Flag),
    opt(&["--no-ignore-global"], Value::Flag),
    opt(&["--no-ignore-exclude"], Value::Flag),
    opt(&["--no-ignore-files"], Value::Flag),
    opt(&["--no-require-git", "--require-git"], Value::Flag),
    opt(&["--ignore-file"], Value::Read),
    opt(&["--ignore-file-case-insensitive"], Value::Flag),
    opt(&["-t", "--type"], Value::Data),
    opt(&["-T", "--type-not"], Value::Data),
    opt(&["--type-add", "--type-clear"], Value::Data),
    opt(&["--type-list"], Value::Flag),
    opt(&["-L", "--follow", "--no-follow"], Value::Flag),
    opt(&["-d", "--max-depth", "--maxdepth"], Value::Data),
    opt(&["--max-filesize"], Value::Data),
    opt(&["--one-file-system"], Value::Flag),
    opt(&["-i", "--ignore-case"], Value::Flag),
    opt(&["-S", "--smart-case"], Value::Flag),
    opt(&["-s", "--case-sensitive"], Value::Flag),
    opt(&["-F", "--fixed-strings", "--no-fixed-strings"], Value::Flag),
    opt(&["-w", "--word-regexp"], Value::Flag),
    opt(&["-x", "--line-regexp"], Value::Flag),
    opt(&["-v", "--invert-match"], Value::Flag),
    opt(&["-P", "--pcre2", "--no-pcre2"], Value::Flag),
    opt(&["--engine", "--regex-size-limit", "--dfa-size-limit"], Value::Data),
    opt(&["-U", "--multiline", "--multiline-dotall"], Value::Flag),
    opt(&["-a", "--text", "--binary"], Value::Flag),
    opt(&["-E", "--encoding"], Value::Data),
    opt(&["--crlf", "--null-data", "--mmap", "--no-mmap"], Value::Flag),
    opt(&["-c", "--count", "--count-matches"], Value::Flag),
    opt(&["-l", "--files-with-matches", "--files-without-match"], Value::Flag),
    opt(&["--files"], Value::Flag),
    opt(&["-o", "--only-matching"], Value::Flag),
    opt(&["-q", "--quiet"], Value::Flag),
    opt(&["-m", "--max-count"], Value::Data),
    opt(&["-A", "--after-context"], Value::Data),
    opt(&["-B", "--before-context"], Value::Data),
    opt(&["-C", "--context"], Value::Data),
    opt(&["--context-separator", "--field-match-separator"], Value::Data),
    opt(&["--field-context-separator", "--path-separator"], Value::Data),
    opt(&["-r", "--replace"], Value::Data),
    opt(&["-n", "--line-number"], Value::Flag),
    opt(&["-N", "--no-line-number"], Value::Flag),
    opt(&["-H", "--with-filename"], Value::Flag),
    opt(&["-I", "--no-filename"], Value::Flag),
    opt(&["-b", "--byte-offset", "--column", "--no-column"], Value::Flag),
    opt(&["-p", "--pretty", "--heading", "--no-heading"], Value::Flag),
    opt(&["--color", "--colors", "--sort", "--sortr"], Value::Data),
    opt(&["-M", "--max-columns"], Value::Data),
    opt(&["--max-columns-preview", "--trim", "--vimgrep"], Value::Flag),
    opt(&["--json", "--no-json", "--stats", "--line-buffered"], Value::Flag),
    opt(&["--block-buffered", "--no-messages", "--no-config"], Value::Flag),
    opt(&["-0", "--null", "--passthru", "--debug", "--trace"], Value::Flag),
    opt(&["-j", "--threads", "--hyperlink-format"], Value::Data),
    opt(&["--hostname-bin"], Value::Run),
    opt(&["--no-unicode", "--unicode", "--include-zero", "--sort-files"], Value::Flag),
    opt(&["-h", "--help"], Value::Flag),
    opt(&["-V", "--version"], Value::Flag),
    opt(&["--generate"], Value::Data),
];

fn is_grep(name: &str) -> bool {
    matches!(name, "grep" | "egrep" | "fgrep" | "zgrep")
}

/// Whether `name` is a searcher this file models.
pub fn models(name: &str) -> bool {
    is_grep(name) || name == "rg"
}

/// Roles, folder visits and runs of a searcher.
pub fn model(name: &str, args: &[Option<&str>]) -> Model {
    let table = if is_grep(name) { GREP } else { RG };
    // `grep -5 x`: a context count written as a bare number.
    let filtered: Vec<Option<&str>> = args
        .iter()
        .map(|a| match a {
            Some(w)
                if is_grep(name)
                    && w.len() > 1
                    && w.starts_with('-')
                    && w[1..].chars().all(|c| c.is_ascii_digit()) =>
            {
                Some("--NUM")
            }
            other => *other,
        })
        .collect();
    // rg 14 reads its flags with lexopt: no abbreviations of long options.
    let style = if is_grep(name) {
        GNU
    } else {
        Style {
            prefixes: false,
            ..GNU
        }
    };
    let s = scan(&filtered, 1, table, style);
    let mut m = Model::data(args.len());
    m.apply_options(&s, name, args);
    let pattern_given =
        s.has("-e") || s.has("-f") || (name == "rg" && (s.has("--files") || s.has("--type-list")));
    let mut files: Vec<usize> = s.operands.clone();
    if !pattern_given && !files.is_empty() {
        files.remove(0);
    }
    for &i in &files {
        m.roles[i] = Role::Read;
    }
    let recursive = if is_grep(name) {
        s.has("-r") || s.has("-R") || s.values("-d", args).contains(&"recurse")
    } else {
        true
    };
    let lists_names_only = s.has("--files") || s.has("--type-list");
    if recursive && !lists_names_only && !s.has("--help") && !s.has("-V") {
        let visit = if is_grep(name) {
            grep_visit(&s, args)
        } else {
            rg_visit(&s, args)
        };
        m.folders = Some(super::FolderScan {
            visit,
            roots: files.clone(),
            default_root: files.is_empty(),
        });
    }
    for run in &mut m.runs {
        if let Run::Argv { operands, why, .. } = run
            && why.contains("--pre")
        {
            // `rg --pre CMD`: CMD runs with each file searched as its operand.
            operands.clone_from(&files);
        }
    }
    m
}

fn grep_visit(s: &Scanned<'_>, args: &[Option<&str>]) -> Visit {
    let mut v = Visit {
        hidden: true,
        leave_out: "--exclude={}".into(),
        ..Visit::default()
    };
    for f in &s.options {
        let value = || match &f.value {
            Some((_, super::options::ValueText::Attached(t))) => Some(t.clone()),
            Some((i, _)) => args.get(*i).copied().flatten().map(str::to_owned),
            None => None,
        };
        match f.name {
            "--include" => v.name_filters.extend(value().map(|g| (true, g))),
            "--exclude" => v.name_filters.extend(value().map(|g| (false, g))),
            "--exclude-dir" => v.exclude_dirs.extend(value()),
            _ => {}
        }
    }
    v
}

fn rg_visit(s: &Scanned<'_>, args: &[Option<&str>]) -> Visit {
    let u = s.count("-u");
    let no_ignore = u >= 1
        || s.has("--no-ignore")
        || s.has("--no-ignore-vcs")
        || s.has("--no-ignore-dot")
        || s.has("--no-ignore-files");
    let hidden = u >= 2 || s.has("--hidden");
    let mut v = Visit {
        hidden,
        ignore_files: !no_ignore,
        leave_out: if hidden || no_ignore {
            "-g '!{}'".into()
        } else {
            "-g '!{}' (or drop the glob that includes it)".into()
        },
        overrides: s
            .values("-g", args)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        ioverrides: s
            .values("--iglob", args)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        ..Visit::default()
    };
    if hidden && !no_ignore {
        v.leave_out = "-g '!{}' (or drop `--hidden`/`-uu`)".into();
    } else if no_ignore {
        v.leave_out = "-g '!{}' (or drop `-u`/`--no-ignore`)".into();
    }
    v
}
