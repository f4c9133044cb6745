//! The options of git's subcommands the model knows, and their values (git 2.4x). A strict
//! subcommand (one whose options can read, write or run) refuses an option missing here as
//! unanalysable; a lenient one (the history viewers, whose unknown options at worst make a
//! following word be taken as a path read) does not.

use super::options::{Opt, Value::*, opt};

/// git's own options, before the subcommand.
#[rustfmt::skip]
pub const GLOBAL: &[Opt] = &[
    opt(&["-C"], Data),
    opt(&["-c"], Data),
    opt(&["--config-env"], Data),
    opt(&["--git-dir"], Data),
    opt(&["--work-tree"], Data),
    opt(&["--namespace"], Data),
    opt(&["--exec-path"], Optional),
    opt(&["--attr-source"], Data),
    opt(&["--list-cmds"], Data),
    opt(&["-p", "--paginate"], Flag),
    opt(&["-P", "--no-pager"], Flag),
    opt(&["--bare"], Flag),
    opt(&["--no-replace-objects"], Flag),
    opt(&["--no-lazy-fetch"], Flag),
    opt(&["--no-optional-locks"], Flag),
    opt(&["--no-advice"], Flag),
    opt(&["--literal-pathspecs"], Flag),
    opt(&["--glob-pathspecs"], Flag),
    opt(&["--noglob-pathspecs"], Flag),
    opt(&["--icase-pathspecs"], Flag),
    opt(&["--html-path", "--man-path", "--info-path"], Flag),
    opt(&["-v", "--version"], Flag),
    opt(&["-h", "--help"], Flag),
];

/// Options every diff-producing command takes (diff, log, show, format-patch …).
#[rustfmt::skip]
const DIFF: &[Opt] = &[
    opt(&["--output"], Write),
    opt(&["-p", "-u", "--patch"], Flag),
    opt(&["-s", "--no-patch"], Flag),
    opt(&["-U", "--unified"], Data),
    opt(&["--raw", "--patch-with-raw", "--patch-with-stat"], Flag),
    opt(&["--stat", "--numstat", "--shortstat", "--summary"], Optional),
    opt(&["--dirstat", "--compact-summary", "--name-only", "--name-status"], Optional),
    opt(&["--submodule", "--color", "--color-moved", "--color-words"], Optional),
    opt(&["--word-diff", "--word-diff-regex", "--abbrev", "--relative"], Optional),
    opt(&["-O"], Read),
    opt(&["-S", "-G", "--find-object", "--diff-filter"], Data),
    opt(&["--pickaxe-all", "--pickaxe-regex", "-R", "--text", "-a"], Flag),
    opt(&["-M", "--find-renames", "-C", "--find-copies", "-B"], Optional),
    opt(&["--find-copies-harder", "-D", "--irreversible-delete"], Flag),
    opt(&["-l", "--diff-algorithm", "--anchored", "--stat-width"], Data),
    opt(&["--minimal", "--patience", "--histogram", "--full-index", "--binary"], Flag),
    opt(&["-w", "--ignore-all-space", "-b", "--ignore-space-change"], Flag),
    opt(&["--ignore-space-at-eol", "--ignore-blank-lines", "--ignore-cr-at-eol"], Flag),
    opt(&["-I", "--ignore-matching-lines", "--inter-hunk-context"], Data),
    opt(&["-W", "--function-context", "--exit-code", "--quiet", "--check"], Flag),
    opt(&["--ext-diff", "--textconv"], Flag),
    opt(&["--ignore-submodules"], Optional),
    opt(&["--src-prefix", "--dst-prefix", "--line-prefix", "--output-indicator-new"], Data),
    opt(&["--no-prefix", "--default-prefix", "--ita-invisible-in-index"], Flag),
    opt(&["-z", "--cached", "--staged", "--merge-base", "--no-index"], Flag),
    opt(&["--rotate-to", "--skip-to", "--break-rewrites"], Optional),
    opt(&["-1", "-2", "-3", "--base", "--ours", "--theirs", "-0"], Flag),
];

/// Revision and log options (log, show, shortlog, whatchanged, rev-list).
#[rustfmt::skip]
const LOG: &[Opt] = &[
    opt(&["-L"], Data),
    opt(&["-n", "--max-count", "--skip", "--since", "--after", "--until"], Data),
    opt(&["--before", "--author", "--committer", "--grep", "--min-parents"], Data),
    opt(&["--max-parents", "--since-as-filter", "--grep-reflog", "--exclude"], Data),
    opt(&["--format", "--pretty", "--date", "--decorate", "--encoding"], Optional),
    opt(&["--oneline", "--graph", "--all", "--branches", "--tags", "--remotes"], Optional),
    opt(&["--glob", "--decorate-refs", "--decorate-refs-exclude"], Data),
    opt(&["--follow", "--first-parent", "--merges", "--no-merges", "--reverse"], Flag),
    opt(&["--stdin", "--boundary", "--left-right", "--cherry-pick", "--cherry-mark"], Flag),
    opt(&["--walk-reflogs", "-g", "--source", "--use-mailmap", "--mailmap"], Flag),
    opt(&["--full-diff", "--log-size", "--parents", "--children", "--topo-order"], Flag),
    opt(&["--date-order", "--author-date-order", "--no-walk", "--do-walk"], Optional),
    opt(&["--abbrev-commit", "--no-abbrev-commit", "--show-signature", "--notes"], Optional),
    opt(&["-m", "-c", "--cc", "--dd", "--diff-merges", "--remerge-diff", "-t"], Optional),
    opt(&["-i", "--regexp-ignore-case", "-E", "--extended-regexp", "-F", "-P"], Flag),
    opt(&["--fixed-strings", "--perl-regexp", "--all-match", "--invert-grep"], Flag),
    opt(&["--simplify-by-decoration", "--full-history", "--dense", "--sparse"], Flag),
    opt(&["--ancestry-path", "--show-pulls", "--simplify-merges", "--single-worktree"], Optional),
    opt(&["--stat-count", "--stat-graph-width", "--stat-name-width", "--clear-decorations"], Optional),
    opt(&["-q", "--no-expand-tabs", "--expand-tabs", "--bisect", "--count"], Optional),
];

#[rustfmt::skip]
const PATHSPEC_FILE: &[Opt] = &[
    opt(&["--pathspec-from-file"], Read),
    opt(&["--pathspec-file-nul"], Flag),
];

/// Options of a subcommand and whether unknown ones are refused.
pub fn table(sub: &str) -> Option<(Vec<Opt>, bool)> {
    let rows: &[&[Opt]] = match sub {
        "diff" | "diff-files" | "diff-index" | "diff-tree" => &[DIFF],
        "log" | "whatchanged" | "show" | "shortlog" | "rev-list" => &[DIFF, LOG],
        "format-patch" => &[DIFF, LOG, FORMAT_PATCH],
        "commit" => &[COMMIT, PATHSPEC_FILE],
        "add" => &[ADD, PATHSPEC_FILE],
        "checkout" => &[CHECKOUT, PATHSPEC_FILE],
        "switch" => &[CHECKOUT],
        "restore" => &[RESTORE, PATHSPEC_FILE],
        "reset" => &[RESET, PATHSPEC_FILE],
        "rm" => &[RM, PATHSPEC_FILE],
        "stash" => &[STASH, PATHSPEC_FILE],
        "branch" => &[BRANCH],
        "clean" => &[CLEAN],
        "push" => &[PUSH],
        "fetch" | "pull" => &[FETCH],
        "clone" => &[CLONE],
        "ls-remote" => &[LS_REMOTE],
        "rebase" => &[REBASE],
        "tag" => &[TAG],
        "merge" => &[MERGE],
        "grep" => &[GREP],
        "blame" | "annotate" => &[BLAME],
        "archive" => &[ARCHIVE],
        "worktree" => &[WORKTREE],
        "am" => &[AM],
        "apply" => &[APPLY],
        "mv" => &[MV],
        "cherry-pick" | "revert" => &[PICK],
        _ => return None,
    };
    let lenient = matches!(
        sub,
        "diff"
            | "diff-files"
            | "diff-index"
            | "diff-tree"
            | "log"
            | "whatchanged"
            | "show"
            | "shortlog"
            | "rev-list"
    );
    Some((rows.concat(), !lenient))
}

#[rustfmt::skip]
const FORMAT_PATCH: &[Opt] = &[
    opt(&["-o", "--output-directory"], WriteDir),
    opt(&["--cover-letter", "--stdout", "--attach", "--inline", "--numbered"], Optional),
    opt(&["-k", "--keep-subject", "--signoff", "--thread", "--rfc", "--zero-commit"], Optional),
    opt(&["-v", "--reroll-count", "--subject-prefix", "--to", "--cc", "--from"], Data),
    opt(&["--in-reply-to", "--base", "--suffix", "--start-number", "--interdiff"], Data),
    opt(&["--range-diff", "--creation-factor", "--filename-max-length"], Data),
    opt(&["--add-header", "--signature"], Data),
    opt(&["--signature-file", "--description-file"], Read),
];

#[rustfmt::skip]
const COMMIT: &[Opt] = &[
    opt(&["-F", "--file"], Read),
    opt(&["-t", "--template"], Read),
    opt(&["-m", "--message", "-C", "--reuse-message", "-c", "--reedit-message"], Data),
    opt(&["--fixup", "--squash", "--author", "--date", "--cleanup", "--trailer"], Data),
    opt(&["-a", "--all", "-p", "--patch", "-s", "--signoff", "-n", "--no-verify"], Flag),
    opt(&["--verify", "--amend", "--allow-empty", "--allow-empty-message", "-e"], Flag),
    opt(&["--edit", "--no-edit", "-i", "--include", "-o", "--only", "-q", "--quiet"], Flag),
    opt(&["--dry-run", "--short", "--branch", "--porcelain", "--long", "-z", "--null"], Flag),
    opt(&["-v", "--verbose", "--reset-author", "--status", "--no-status", "--no-post-rewrite"], Flag),
    opt(&["-u", "--untracked-files", "-S", "--gpg-sign"], Optional),
    opt(&["--no-gpg-sign"], Flag),
];

#[rustfmt::skip]
const ADD: &[Opt] = &[
    opt(&["-n", "--dry-run", "-v", "--verbose", "-f", "--force", "-i", "--interactive"], Flag),
    opt(&["-p", "--patch", "-e", "--edit", "-u", "--update", "-A", "--all"], Flag),
    opt(&["--ignore-removal", "-N", "--intent-to-add", "--refresh", "--ignore-errors"], Flag),
    opt(&["--ignore-missing", "--sparse", "--renormalize", "--no-all"], Flag),
    opt(&["--chmod"], Data),
];

#[rustfmt::skip]
const CHECKOUT: &[Opt] = &[
    opt(&["-b", "-B", "--orphan", "-c", "--create", "-C", "--force-create"], Data),
    opt(&["-f", "--force", "--discard-changes"], Flag),
    opt(&["-q", "--quiet", "--progress", "-m", "--merge", "--detach", "-d"], Flag),
    opt(&["--ours", "--theirs", "-p", "--patch", "-l", "--ignore-skip-worktree-bits"], Flag),
    opt(&["--ignore-other-worktrees", "--overwrite-ignore", "--guess", "--overlay"], Flag),
    opt(&["--recurse-submodules", "--conflict", "-t", "--track"], Optional),
];

#[rustfmt::skip]
const RESTORE: &[Opt] = &[
    opt(&["-s", "--source", "--conflict"], Data),
    opt(&["-S", "--staged"], Flag),
    opt(&["-W", "--worktree"], Flag),
    opt(&["-p", "--patch", "-q", "--quiet"], Flag),
    opt(&["--progress", "--ours", "--theirs", "-m", "--merge", "--ignore-unmerged"], Flag),
    opt(&["--overlay", "--ignore-skip-worktree-bits"], Flag),
    opt(&["--recurse-submodules"], Optional),
];

#[rustfmt::skip]
const RESET: &[Opt] = &[
    opt(&["--hard"], Flag),
    opt(&["--soft"], Flag),
    opt(&["--mixed"], Flag),
    opt(&["--merge"], Flag),
    opt(&["--keep"], Flag),
    opt(&["-q", "--quiet", "-p", "--patch", "-N", "--intent-to-add", "--refresh"], Flag),
    opt(&["--recurse-submodules"], Optional),
];

#[rustfmt::skip]
const RM: &[Opt] = &[
    opt(&["-f", "--force", "-n", "--dry-run", "-r", "--cached", "-q", "--quiet"], Flag),
    opt(&["--ignore-unmatch", "--sparse"], Flag),
];

#[rustfmt::skip]
const STASH: &[Opt] = &[
    opt(&["-m", "--message"], Data),
    opt(&["-p", "--patch", "-S", "--staged", "-k", "--keep-index", "-u"], Flag),
    opt(&["--include-untracked", "-a", "--all", "-q", "--quiet", "--index"], Flag),
];

#[rustfmt::skip]
const BRANCH: &[Opt] = &[
    opt(&["-d", "--delete"], Flag),
    opt(&["-D"], Flag),
    opt(&["-f", "--force"], Flag),
    opt(&["-m", "--move", "-M", "-c", "--copy", "-C"], Flag),
    opt(&["-a", "--all", "-r", "--remotes", "-l", "--list", "-v", "--verbose"], Flag),
    opt(&["-q", "--quiet", "--show-current", "-i", "--ignore-case", "--omit-empty"], Flag),
    opt(&["--edit-description", "--create-reflog", "--unset-upstream"], Flag),
    opt(&["--color", "--column", "--abbrev", "-t", "--track"], Optional),
    opt(&["--contains", "--no-contains", "--merged", "--no-merged", "--points-at"], Optional),
    opt(&["-u", "--set-upstream-to", "--sort", "--format"], Data),
    opt(&["--recurse-submodules"], Flag),
];

#[rustfmt::skip]
const CLEAN: &[Opt] = &[
    opt(&["-f", "--force"], Flag),
    opt(&["-d", "-x", "-X", "-n", "--dry-run", "-q", "--quiet", "-i", "--interactive"], Flag),
    opt(&["-e", "--exclude"], Data),
];

#[rustfmt::skip]
const PUSH: &[Opt] = &[
    opt(&["-f", "--force"], Flag),
    opt(&["--force-with-lease"], Optional),
    opt(&["--force-if-includes"], Flag),
    opt(&["--mirror"], Flag),
    opt(&["-d", "--delete"], Flag),
    opt(&["--receive-pack", "--exec"], Run),
    opt(&["--all", "--branches", "--prune", "--tags", "--follow-tags", "-n", "--dry-run"], Flag),
    opt(&["--porcelain", "--atomic", "-u", "--set-upstream", "--thin", "-q", "--quiet"], Flag),
    opt(&["-v", "--verbose", "--progress", "--no-verify", "--verify", "-4", "-6"], Flag),
    opt(&["--ipv4", "--ipv6"], Flag),
    opt(&["--repo", "-o", "--push-option", "--recurse-submodules"], Data),
    opt(&["--signed"], Optional),
];

#[rustfmt::skip]
const FETCH: &[Opt] = &[
    opt(&["--upload-pack"], Run),
    opt(&["--all", "-a", "--append", "--atomic", "-f", "--force", "-k", "--keep"], Flag),
    opt(&["--multiple", "-p", "--prune", "-P", "--prune-tags", "-n", "-t", "--tags"], Flag),
    opt(&["-q", "--quiet", "-v", "--verbose", "--progress", "--dry-run", "--unshallow"], Flag),
    opt(&["--update-shallow", "--update-head-ok", "--write-fetch-head", "-4", "-6"], Flag),
    opt(&["--ipv4", "--ipv6", "--show-forced-updates", "--auto-maintenance", "--auto-gc"], Flag),
    opt(&["--rebase", "-r", "--ff", "--ff-only", "--squash", "--commit", "--edit", "-e"], Optional),
    opt(&["--autostash", "--stat", "--verify", "--set-upstream", "--prefetch"], Flag),
    opt(&["--depth", "--deepen", "--shallow-since", "--shallow-exclude", "--refmap"], Data),
    opt(&["-j", "--jobs", "-o", "--server-option", "--negotiation-tip", "--filter"], Data),
    opt(&["--recurse-submodules", "-s", "--strategy", "-X", "--strategy-option"], Optional),
    opt(&["--signoff", "--log", "--cleanup", "--verify-signatures", "-S", "--gpg-sign"], Optional),
];

#[rustfmt::skip]
const CLONE: &[Opt] = &[
    opt(&["-u", "--upload-pack"], Run),
    opt(&["--template"], Read),
    opt(&["--separate-git-dir"], WriteDir),
    opt(&["-l", "--local", "--no-hardlinks", "-s", "--shared", "--dissociate"], Flag),
    opt(&["-q", "--quiet", "-v", "--verbose", "--progress", "-n", "--no-checkout"], Flag),
    opt(&["--bare", "--mirror", "--single-branch", "--no-tags", "--shallow-submodules"], Flag),
    opt(&["--remote-submodules", "--sparse", "--also-filter-submodules", "--reject-shallow"], Flag),
    opt(&["-o", "--origin", "-b", "--branch", "--revision", "--reference", "--depth"], Data),
    opt(&["--reference-if-able", "--shallow-since", "--shallow-exclude", "-j", "--jobs"], Data),
    opt(&["--filter", "--bundle-uri", "--server-option", "--ref-format", "-c", "--config"], Data),
    opt(&["--recurse-submodules", "--recursive"], Optional),
];

#[rustfmt::skip]
const LS_REMOTE: &[Opt] = &[
    opt(&["--upload-pack"], Run),
    opt(&["-h", "--heads", "-b", "--branches", "-t", "--tags", "--refs", "-q"], Flag),
    opt(&["--quiet", "--exit-code", "--get-url", "--symref"], Flag),
    opt(&["--sort", "-o", "--server-option"], Data),
];

#[rustfmt::skip]
const REBASE: &[Opt] = &[
    opt(&["-x", "--exec"], Run),
    opt(&["--onto", "-s", "--strategy", "-X", "--strategy-option", "--empty"], Data),
    opt(&["-i", "--interactive", "--continue", "--abort", "--skip", "--quit"], Flag),
    opt(&["--edit-todo", "--show-current-patch", "--keep-base", "-q", "--quiet"], Flag),
    opt(&["-v", "--verbose", "--stat", "-n", "--no-stat", "--no-verify", "--verify"], Flag),
    opt(&["-f", "--force-rebase", "--fork-point", "--ignore-whitespace", "--whitespace"], Optional),
    opt(&["--committer-date-is-author-date", "--ignore-date", "--reset-author-date"], Flag),
    opt(&["--signoff", "--autosquash", "--autostash", "--reschedule-failed-exec"], Flag),
    opt(&["--update-refs", "--root", "-m", "--apply", "--merge", "--keep-empty", "-k"], Flag),
    opt(&["-r", "--rebase-merges", "-C", "-S", "--gpg-sign"], Optional),
];

#[rustfmt::skip]
const TAG: &[Opt] = &[
    opt(&["-F", "--file"], Read),
    opt(&["-m", "--message", "-u", "--local-user", "--cleanup", "--sort", "--format"], Data),
    opt(&["-a", "--annotate", "-s", "--sign", "-f", "--force", "-d", "--delete"], Flag),
    opt(&["-v", "--verify", "-l", "--list", "-i", "--ignore-case", "--create-reflog"], Flag),
    opt(&["-e", "--edit", "--omit-empty"], Flag),
    opt(&["-n", "--column", "--color", "--contains", "--no-contains", "--merged"], Optional),
    opt(&["--no-merged", "--points-at", "--trailer"], Optional),
];

#[rustfmt::skip]
const MERGE: &[Opt] = &[
    opt(&["-F", "--file"], Read),
    opt(&["-m", "-s", "--strategy", "-X", "--strategy-option", "--into-name"], Data),
    opt(&["--commit", "--edit", "-e", "--ff", "--ff-only", "--squash", "--stat", "-n"], Flag),
    opt(&["--verify", "--abort", "--quit", "--continue", "-q", "--quiet", "-v"], Flag),
    opt(&["--verbose", "--progress", "--allow-unrelated-histories", "--autostash"], Flag),
    opt(&["--signoff", "--verify-signatures", "--overwrite-ignore", "--rerere-autoupdate"], Flag),
    opt(&["--log", "--cleanup", "-S", "--gpg-sign", "--summary", "--compact-summary"], Optional),
];

#[rustfmt::skip]
const GREP: &[Opt] = &[
    opt(&["-f"], Read),
    opt(&["-O", "--open-files-in-pager"], Optional),
    opt(&["-e"], Data),
    opt(&["--max-depth", "-A", "-B", "-C", "--context", "--threads", "-m"], Data),
    opt(&["--after-context", "--before-context", "--max-count"], Data),
    opt(&["--and", "--or", "--not"], Flag),
    opt(&["--no-index"], Flag),
    opt(&["--exclude-standard"], Flag),
    opt(&["--cached", "--untracked", "-a", "--text"], Flag),
    opt(&["--recurse-submodules", "--textconv", "-i", "--ignore-case", "-I", "-r"], Flag),
    opt(&["--recursive", "-w", "--word-regexp", "-v", "--invert-match", "-h", "-H"], Flag),
    opt(&["--full-name", "-E", "--extended-regexp", "-G", "--basic-regexp", "-P"], Flag),
    opt(&["--perl-regexp", "-F", "--fixed-strings", "-n", "--line-number", "--column"], Flag),
    opt(&["-l", "--files-with-matches", "--name-only", "-L", "--files-without-match"], Flag),
    opt(&["-z", "--null", "-o", "--only-matching", "-c", "--count", "-p"], Flag),
    opt(&["--show-function", "-W", "--function-context", "--all-match", "-q", "--quiet"], Flag),
    opt(&["--break", "--heading", "--color"], Optional),
];

#[rustfmt::skip]
const BLAME: &[Opt] = &[
    opt(&["--contents", "-S", "--ignore-revs-file"], Read),
    opt(&["-L", "--ignore-rev", "--date", "-M", "-C", "--abbrev"], Optional),
    opt(&["-b", "--root", "--show-stats", "-l", "-t", "-p", "--porcelain"], Flag),
    opt(&["--line-porcelain", "--incremental", "--reverse", "--first-parent", "-f"], Flag),
    opt(&["--show-name", "-n", "--show-number", "-s", "-e", "--show-email", "-w", "-c"], Flag),
    opt(&["--progress", "--score-debug", "--color-lines", "--color-by-age", "--minimal"], Flag),
    opt(&["--encoding"], Data),
];

#[rustfmt::skip]
const ARCHIVE: &[Opt] = &[
    opt(&["-o", "--output"], Write),
    opt(&["--exec"], Run),
    opt(&["--remote", "--format", "--prefix", "--add-file", "--add-virtual-file"], Data),
    opt(&["-l", "--list", "-v", "--verbose", "--worktree-attributes", "--mtime"], Optional),
    opt(&["-0", "-1", "-2", "-3", "-4", "-5", "-6", "-7", "-8", "-9"], Flag),
];

#[rustfmt::skip]
const WORKTREE: &[Opt] = &[
    opt(&["-f", "--force"], Flag),
    opt(&["-b", "-B", "--orphan", "--reason", "--expire", "--lock"], Data),
    opt(&["-d", "--detach", "--checkout", "--guess-remote", "--track", "-q", "--quiet"], Flag),
    opt(&["--porcelain", "-z", "-v", "--verbose", "-n", "--dry-run", "--relative-paths"], Flag),
];

#[rustfmt::skip]
const AM: &[Opt] = &[
    opt(&["-s", "--signoff", "-k", "--keep", "--keep-non-patch", "-m", "--message-id"], Flag),
    opt(&["-q", "--quiet", "-u", "--utf8", "-3", "--3way", "--rerere-autoupdate", "-i"], Flag),
    opt(&["--interactive", "--committer-date-is-author-date", "--ignore-date"], Flag),
    opt(&["--skip", "--continue", "-r", "--resolved", "--abort", "--quit"], Flag),
    opt(&["--ignore-space-change", "--ignore-whitespace", "--scissors", "-c"], Flag),
    opt(&["--no-verify", "--retry"], Flag),
    opt(&["--show-current-patch", "--whitespace", "--patch-format", "--empty"], Optional),
    opt(&["-C", "-p", "--directory", "--exclude", "--include", "--reject", "--quoted-cr"], Data),
    opt(&["-S", "--gpg-sign"], Optional),
];

#[rustfmt::skip]
const APPLY: &[Opt] = &[
    opt(&["--directory"], WriteDir),
    opt(&["--stat", "--numstat", "--summary", "--check", "--index", "--cached"], Flag),
    opt(&["--intent-to-add", "-3", "--3way", "-R", "--reverse", "--reject", "-z"], Flag),
    opt(&["--unidiff-zero", "--apply", "--no-add", "--allow-binary-replacement"], Flag),
    opt(&["--binary", "--inaccurate-eof", "-v", "--verbose", "-q", "--quiet"], Flag),
    opt(&["--recount", "--allow-empty", "--ignore-space-change", "--ignore-whitespace"], Flag),
    opt(&["-p", "-C", "--exclude", "--include", "--whitespace", "--build-fake-ancestor"], Data),
];

#[rustfmt::skip]
const MV: &[Opt] = &[opt(&["-f", "--force", "-k", "-n", "--dry-run", "-v", "--verbose", "--sparse"], Flag)];

#[rustfmt::skip]
const PICK: &[Opt] = &[
    opt(&["-e", "--edit", "-n", "--no-commit", "-x", "-r", "-s", "--signoff", "--ff"], Flag),
    opt(&["--continue", "--skip", "--quit", "--abort", "--allow-empty", "--keep-redundant-commits"], Flag),
    opt(&["--allow-empty-message", "--rerere-autoupdate", "--reference"], Flag),
    opt(&["-m", "--mainline", "--strategy", "-X", "--strategy-option", "--cleanup", "--empty"], Data),
    opt(&["-S", "--gpg-sign"], Optional),
];
