//! git, per subcommand (SPEC §5.1): which words are paths and what git does to them, which
//! options read a file (`commit -F`, `add --pathspec-from-file`, `log -L…:FILE`), write one
//! (`diff/log --output`, `format-patch -o`, `archive -o`) or run a program
//! (`--upload-pack`, `--receive-pack`, `rebase --exec`, `bisect run`, `--exec-path=DIR`);
//! long options by any unambiguous prefix and short clusters as git's parse-options reads
//! them; pathspecs with glob magic read what they match. The tables are in
//! [`super::git_options`].

use super::folders::Visit;
use super::git_options::{GLOBAL, table};
use super::options::{GIT, Scanned, Style, ValueText, find_long, scan};
use super::{FolderScan, Model, Run};
use crate::shell::effects::Role;

/// Index of git's subcommand, after its global options (`-C dir`, `-c k=v`, …).
pub fn git_subcommand(args: &[Option<&str>]) -> Option<usize> {
    let global = scan(args, 1, GLOBAL, GLOBAL_STYLE);
    global.operands.first().copied()
}

/// parse-options subcommands take prefixes and `--no-`; the history viewers' revision
/// parser takes neither prefixes (`git diff --out=F` is refused) nor unknown options.
fn style(strict: bool) -> Style {
    Style {
        prefixes: strict,
        ..GIT
    }
}

/// git reads its own options with exact names (`git.c`), stopping at the subcommand.
const GLOBAL_STYLE: Style = Style {
    permute: false,
    prefixes: false,
    negations: false,
};

/// The folders `git -C a -C b` moves to, in order (each relative to the one before).
pub fn chdirs<'a>(args: &[Option<&'a str>]) -> Vec<Option<&'a str>> {
    let global = scan(args, 1, GLOBAL, GLOBAL_STYLE);
    global
        .options
        .iter()
        .filter(|f| f.name == "-C")
        .map(|f| match &f.value {
            Some((i, ValueText::Word)) => args.get(*i).copied().flatten(),
            _ => None,
        })
        .collect()
}

/// The model of one `git …` command.
pub fn model(args: &[Option<&str>]) -> Model {
    let n = args.len();
    let mut m = Model::data(n);
    let get = |i: usize| args.get(i).copied().flatten().unwrap_or("");
    let global = scan(args, 1, GLOBAL, GLOBAL_STYLE);
    for word in &global.unknown {
        m.problems
            .push(format!("git's option `{word}` is not in the model of git"));
    }
    if global
        .values("--exec-path", args)
        .iter()
        .any(|v| !v.is_empty())
    {
        m.problems.push(
            "`git --exec-path=DIR` runs git's programs from DIR, which the analyser does not read"
                .into(),
        );
    }
    // `--git-dir=/tmp/x`: git reads that repository's config, whose `core.fsmonitor`,
    // hooks and aliases run programs (SPEC §5.1).
    for dir in global.values("--git-dir", args) {
        if dir != ".git" && !dir.ends_with("/.git") {
            m.problems.push(format!(
                "`git --git-dir={dir}` reads another repository's config, which can run programs"
            ));
        }
    }
    let literal = global.has("--literal-pathspecs");
    let Some(sub) = global.operands.first().copied() else {
        return m;
    };
    m.roles = legacy_roles(args, sub);
    let name = get(sub);
    let after_dashdash = (sub..n).find(|&i| get(i) == "--");
    match table(name) {
        Some((rows, strict)) => {
            let s = scan(args, sub + 1, &rows, style(strict));
            for f in &s.options {
                if let Some((i, ValueText::Word)) = &f.value {
                    m.roles[*i] = Role::Data;
                }
            }
            m.apply_options(&s, &format!("git {name}"), args);
            if !strict {
                m.problems.retain(|p| !p.contains("is not in the model"));
            }
            special_options(&mut m, name, &s, args);
            // Options that consumed a following word: that word is the value, not a path.
            if name == "restore" && s.has("--staged") && !s.has("--worktree") {
                // Only the index changes: the work tree files are read, not written.
                for &i in &s.operands {
                    if m.roles[i] == Role::Write {
                        m.roles[i] = Role::Read;
                    }
                }
            }
            if name == "grep" {
                let no_exclude = args.contains(&Some("--no-exclude-standard"));
                m.folders = Some(grep_scan(&s, after_dashdash, no_exclude));
            }
        }
        None => unmodelled(&mut m, name, args, sub),
    }
    for run in &mut m.runs {
        // git runs these commands with the shell when they hold spaces.
        if let Run::Argv { program, why, .. } = run {
            *run = Run::Script {
                script: std::mem::take(program),
                why: std::mem::take(why),
            };
        }
    }
    if name == "bisect" && get(sub + 1) == "run" && sub + 2 < n {
        m.runs.push(Run::Argv {
            program: get(sub + 2).to_owned(),
            operands: (sub + 3..n).collect(),
            why: "`git bisect run` runs it at each step".into(),
        });
    }
    if !literal {
        pathspec_globs(&mut m, args, sub);
    }
    m
}

/// `log -L 1,3:FILE` / `-L :func:FILE`: FILE is read.
fn special_options(m: &mut Model, sub: &str, s: &Scanned<'_>, args: &[Option<&str>]) {
    if matches!(sub, "log" | "show" | "whatchanged") {
        for value in s.values("-L", args) {
            if let Some((_, file)) = value.rsplit_once(':')
                && !file.is_empty()
            {
                m.attached.push((file.to_owned(), Role::Read));
            }
        }
    }
    // `git worktree add PATH`, `git clone URL DIR`: a checkout is written into the folder.
    let ops: Vec<usize> = s.operands.clone();
    let word = |i: usize| args.get(i).copied().flatten().unwrap_or("");
    match sub {
        "worktree" if ops.first().is_some_and(|&i| word(i) == "add") => {
            if let Some(&dir) = ops.get(1) {
                m.roles[dir] = Role::Write;
            }
        }
        "clone" => {
            if let Some(&dir) = ops.get(1) {
                m.roles[dir] = Role::Write;
            }
        }
        _ => {}
    }
    if sub == "grep" && s.has("-O") {
        m.problems
            .push("`git grep -O` runs a pager program on the files it found".into());
    }
}

/// Subcommands without a table: options that read, write or run are not known, so the
/// spellings that do so anywhere in git make the part unanalysable.
fn unmodelled(m: &mut Model, sub: &str, args: &[Option<&str>], at: usize) {
    // Without a model, a word naming an existing path is read (SPEC §5).
    for (i, word) in args.iter().enumerate().skip(at + 1) {
        if word.is_some_and(|w| !w.starts_with('-')) && m.roles[i] == Role::Data {
            m.roles[i] = Role::Read;
        }
    }
    const RISKY: &[&str] = &[
        "--upload-pack",
        "--receive-pack",
        "--exec",
        "--extcmd",
        "--output",
        "--file",
        "--pathspec-from-file",
        "--template",
        "--tool",
        "--command",
    ];
    for word in args.iter().skip(at + 1).flatten() {
        let spelled = word.split('=').next().unwrap_or(word);
        // `-F FILE` reads a message file in `notes`, `tag`, `merge` and the like.
        let short_file = spelled.starts_with("-F") && !spelled.starts_with("--");
        if short_file || spelled.len() > 4 && RISKY.iter().any(|r| r.starts_with(spelled)) {
            m.problems.push(format!(
                "`git {sub} {spelled}` may read, write or run a file; `git {sub}` is not modelled"
            ));
        }
    }
    if matches!(
        sub,
        "submodule" | "difftool" | "mergetool" | "filter-branch" | "filter-repo"
    ) && args.iter().skip(at + 1).flatten().any(|w| {
        matches!(*w, "foreach" | "-x" | "-t") || w.starts_with("--") && w.contains("filter")
    }) {
        m.problems.push(format!(
            "`git {sub}` runs a command given on its command line"
        ));
    }
}

/// `git grep`: the tracked files under the current folder or the pathspecs' folders.
fn grep_scan(s: &Scanned<'_>, after_dashdash: Option<usize>, no_exclude: bool) -> FolderScan {
    let no_index = s.has("--no-index");
    let pattern_given = s.has("-e") || s.has("-f");
    let mut roots: Vec<usize> = s.operands.clone();
    if !pattern_given && !roots.is_empty() && after_dashdash.is_none_or(|d| roots[0] < d) {
        roots.remove(0);
    }
    FolderScan {
        visit: Visit {
            hidden: true,
            // Tracked files, approximated by the files no ignore rule leaves out.
            ignore_files: !no_index && !no_exclude,
            skip_git_dir: true,
            leave_out: "git grep PATTERN -- . ':!{}'".into(),
            ..Visit::default()
        },
        default_root: roots.is_empty(),
        roots,
    }
}

/// A pathspec with glob characters or magic (`'secrets/*'`, `':(glob)**/*.key'`) reads every
/// file it matches: a folder read of the current folder narrowed to the pattern.
fn pathspec_globs(m: &mut Model, args: &[Option<&str>], sub: usize) {
    let mut patterns = Vec::new();
    for i in sub + 1..args.len() {
        let Some(word) = args[i] else { continue };
        let role = m.roles[i];
        let magic = word.starts_with(":(") || word.starts_with(":/") || word.starts_with(":!");
        let globby = word.contains(['*', '?', '[']);
        if !(magic || globby) || word.starts_with('-') {
            continue;
        }
        match role {
            Role::Read | Role::ReadFromHistory => {}
            Role::Data if magic => {}
            Role::Data => continue,
            _ => {
                m.problems.push(format!(
                    "the pathspec `{word}` changes every file it matches, which the analyser does not list"
                ));
                continue;
            }
        }
        if word.starts_with(":!") || word.starts_with(":(exclude") || word.starts_with(":^") {
            continue;
        }
        let pattern = match word.strip_prefix(":(") {
            Some(rest) => rest.split_once(')').map_or(rest, |(_, p)| p),
            None => word.strip_prefix(":/").unwrap_or(word),
        };
        m.roles[i] = Role::Data;
        patterns.push(pattern.to_owned());
    }
    if patterns.is_empty() {
        return;
    }
    let visit = Visit {
        hidden: true,
        skip_git_dir: true,
        only_paths: patterns,
        leave_out: "name the files you need instead of a pattern that matches `{}`".into(),
        ..Visit::default()
    };
    m.folders = Some(FolderScan {
        visit,
        roots: Vec::new(),
        default_root: true,
    });
}

/// git's argv with long options spelled in full (`reset --ha` → `reset --hard`,
/// `push --forc` → `push --force`), as git itself reads them: rules then match the forms
/// git accepts. Values and operands are left as written.
pub fn canonical(argv: &mut [String]) {
    let args: Vec<Option<&str>> = argv.iter().map(|a| Some(a.as_str())).collect();
    let Some(sub) = git_subcommand(&args) else {
        return;
    };
    let Some((rows, strict)) = table(args[sub].unwrap_or_default()) else {
        return;
    };
    let s = scan(&args, sub + 1, &rows, style(strict));
    let mut renames = Vec::new();
    for f in &s.options {
        let word = argv[f.at].as_str();
        let Some(long) = word.strip_prefix("--") else {
            continue;
        };
        let (spelled, value) = match long.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (long, None),
        };
        let full = if f.opt.names.is_empty() {
            find_long(&rows, spelled.trim_start_matches("no-"), true)
                .map(|(n, _)| format!("--no-{}", &n[2..]))
        } else {
            Some(f.name.to_owned())
        };
        if let Some(full) = full.filter(|full| full.as_str() != format!("--{spelled}")) {
            renames.push((
                f.at,
                match value {
                    Some(v) => format!("{full}={v}"),
                    None => full,
                },
            ));
        }
    }
    for (at, word) in renames {
        argv[at] = word;
    }
}

/// Whether a `git-NAME` executable is one of git's own builtins run by its dashed name
/// (`git-reset`): `git-lfs`, `git-crypt` and other programs named `git-…` are not.
pub fn is_dashed_builtin(name: &str) -> bool {
    name.strip_prefix("git-")
        .is_some_and(|sub| table(sub).is_some() || BUILTINS.contains(&sub))
}

const BUILTINS: &[&str] = &[
    "config",
    "init",
    "status",
    "remote",
    "submodule",
    "notes",
    "reflog",
    "gc",
    "prune",
    "update-ref",
    "update-index",
    "read-tree",
    "write-tree",
    "commit-tree",
    "symbolic-ref",
    "hash-object",
    "cat-file",
    "filter-branch",
    "send-email",
    "daemon",
    "upload-pack",
    "receive-pack",
    "shell",
    "difftool",
    "mergetool",
    "bisect",
    "sparse-checkout",
    "maintenance",
    "replace",
    "fast-import",
    "fast-export",
    "bundle",
    "credential",
    "var",
    "rev-parse",
    "ls-files",
    "ls-tree",
    "show-ref",
    "for-each-ref",
    "describe",
    "checkout-index",
];

/// The destructive forms the pack's rules cannot spell as plain words, each as
/// `(id, what it does, what to do instead)`.
pub fn destructive_forms(argv: &[String]) -> Vec<(&'static str, String, &'static str)> {
    let args: Vec<Option<&str>> = argv.iter().map(|a| Some(a.as_str())).collect();
    let mut out = Vec::new();
    let Some(sub) = git_subcommand(&args) else {
        return out;
    };
    let name = argv[sub].as_str();
    let Some((rows, _)) = table(name) else {
        return out;
    };
    let s = scan(&args, sub + 1, &rows, GIT);
    let text = argv.join(" ");
    match name {
        "checkout" if s.has("-f") => out.push((
            "git-checkout-force",
            format!("`{text}` discards local changes (`--force`)"),
            "commit or stash the changes first, or ask the user",
        )),
        "switch" if s.has("--discard-changes") || s.has("-f") => out.push((
            "git-switch-discard",
            format!("`{text}` discards local changes"),
            "commit or stash the changes first, or ask the user",
        )),
        "reset" if s.has("--merge") => out.push((
            "git-reset-merge",
            format!("`{text}` discards uncommitted work (`--merge`)"),
            "use `git stash`, or ask the user",
        )),
        "branch" if (s.has("-d") && s.has("-f")) || s.has("-D") => out.push((
            "git-branch-force-delete",
            format!("`{text}` deletes a branch even when unmerged"),
            "use `git branch -d`, or ask the user",
        )),
        "push" if s.has("-d") => out.push((
            "git-push-delete",
            format!("`{text}` deletes remote branches"),
            "ask the user to delete remote branches",
        )),
        "push" if s.has("--mirror") || s.has("-f") || s.has("--force-with-lease") => out.push((
            "git-push-force",
            format!("`{text}` force-pushes"),
            "push without forcing; rebase or merge instead, or ask the user",
        )),
        "restore"
            if (!s.has("--staged") || s.has("--worktree"))
                && s.operands
                    .iter()
                    .any(|&i| matches!(argv[i].as_str(), "." | "./" | ":/")) =>
        {
            out.push((
                "git-restore-dot",
                format!("`{text}` discards every uncommitted change in the work tree"),
                "restore the files you mean by name, or ask the user",
            ))
        }
        _ => {}
    }
    out
}

/// `git worktree remove --force PATH`: the folder removed with its local changes.
pub fn worktree_force_removal(argv: &[String]) -> Option<&str> {
    let args: Vec<Option<&str>> = argv.iter().map(|a| Some(a.as_str())).collect();
    let sub = git_subcommand(&args)?;
    if argv[sub] != "worktree" {
        return None;
    }
    let (rows, _) = table("worktree")?;
    let s = scan(&args, sub + 1, &rows, GIT);
    let ops: Vec<&str> = s.operands.iter().map(|&i| argv[i].as_str()).collect();
    match ops.as_slice() {
        ["remove", path, ..] if s.has("-f") => Some(path),
        _ => None,
    }
}

/// What git does to its path operands, before its options are read (the values options
/// consume are then made data).
#[expect(
    clippy::needless_range_loop,
    reason = "roles run in parallel with args, indexed together"
)]
fn legacy_roles(args: &[Option<&str>], sub: usize) -> Vec<Role> {
    let n = args.len();
    let mut roles = vec![Role::Data; n];
    let get = |i: usize| args.get(i).copied().flatten().unwrap_or("");
    let after_dashdash = (sub..n).find(|&i| get(i) == "--");
    let name = get(sub);
    if matches!(
        name,
        "checkout"
            | "restore"
            | "rm"
            | "add"
            | "diff"
            | "log"
            | "show"
            | "blame"
            | "mv"
            | "clean"
            | "stash"
            | "apply"
            | "am"
            | "grep"
            | "annotate"
            | "whatchanged"
    ) {
        let kind = match name {
            "checkout" | "restore" => Role::Write,
            "rm" => Role::Delete {
                recursive: args
                    .iter()
                    .flatten()
                    .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('r')),
            },
            "mv" => Role::ReadAndDelete { recursive: true },
            "clean" => Role::Delete { recursive: true },
            _ => Role::Read,
        };
        for i in sub + 1..n {
            let a = get(i);
            let is_path = match after_dashdash {
                Some(d) => i > d,
                None => {
                    !a.starts_with('-')
                        && (kind == Role::Read
                            || matches!(name, "restore" | "rm" | "mv" | "clean" | "checkout"))
                }
            };
            let branch_value = i > 0 && matches!(get(i - 1), "-b" | "-B" | "--orphan");
            if is_path && !branch_value {
                roles[i] = if name == "checkout" && after_dashdash.is_none() {
                    Role::WriteIfExists
                } else {
                    kind
                };
            }
        }
    }
    if matches!(name, "show" | "cat-file" | "diff" | "grep" | "archive") {
        // `git show HEAD:.env`, `git cat-file -p :0:.env`: a file's contents from history.
        for i in sub + 1..after_dashdash.unwrap_or(n) {
            if !get(i).starts_with('-') && get(i).contains(':') {
                roles[i] = Role::ReadFromHistory;
            }
        }
    }
    roles
}
