//! Programs the analyser does not model (SPEC §5.1): their options are not known, so any of
//! their words (an operand or an option's value, `-o X`, `--out=X`) might be a file they
//! write. The analysis records the paths those words name ([`NamedPath`]); the decision
//! refuses one that is self-protected and makes the part unanalysable for one the budget
//! does not let the agent edit. Everything else keeps the ordinary rule (an existing path
//! is a read).

use serde::Serialize;
use std::path::PathBuf;

/// A path named by a word of a program the analyser does not model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NamedPath {
    pub path: PathBuf,
    pub program: String,
    pub command: String,
}

/// Programs whose words the analyser knows (their roles are modelled, or they only read
/// what they are given).
#[rustfmt::skip]
const KNOWN: &[&str] = &[
    // Modelled writers, deleters and readers with options (effects.rs, programs/).
    "rm",
    "unlink",
    "shred",
    "rmdir",
    "srm",
    "touch",
    "truncate",
    "chmod",
    "chown",
    "chgrp",
    "tee",
    "cp",
    "mv",
    "install",
    "ln",
    "rsync",
    "scp",
    "link",
    "mkdir",
    "mkfifo",
    "mknod",
    "tar",
    "bsdtar",
    "gtar",
    "unzip",
    "zip",
    "gzip",
    "gunzip",
    "bzip2",
    "bunzip2",
    "xz",
    "unxz",
    "lzma",
    "unlzma",
    "zstd",
    "unzstd",
    "lz4",
    "compress",
    "uncompress",
    "brotli",
    "split",
    "csplit",
    "patch",
    "sed",
    "gsed",
    "perl",
    "dd",
    "sort",
    "uniq",
    "awk",
    "gawk",
    "mawk",
    "nawk",
    "curl",
    "wget",
    "git",
    "grep",
    "egrep",
    "fgrep",
    "zgrep",
    "rg",
    "find",
    // Formatters and build tools whose writing options are modelled (tools.rs).
    "gofmt",
    "goimports",
    "rustfmt",
    "black",
    "isort",
    "prettier",
    "eslint",
    "clang-format",
    "autopep8",
    "shfmt",
    "stylua",
    // Readers: every operand is at most read.
    "cat",
    "head",
    "tail",
    "wc",
    "less",
    "more",
    "file",
    "diff",
    "cmp",
    "comm",
    "md5sum",
    "sha1sum",
    "sha256sum",
    "sha512sum",
    "b2sum",
    "cksum",
    "base64",
    "base32",
    "xxd",
    "od",
    "hexdump",
    "strings",
    "jq",
    "yq",
    "tree",
    "du",
    "df",
    "nl",
    "tac",
    "rev",
    "fold",
    "fmt",
    "column",
    "paste",
    "join",
    "tr",
    "cut",
    "expand",
    "unexpand",
    "iconv",
    "readlink",
    "wc",
    "which",
    "type",
    "whereis",
    "date",
    "pwd",
    "env",
    "printenv",
    "id",
    "whoami",
    "uname",
    "hostname",
    "ps",
    "true",
    "false",
    "sleep",
    "seq",
    "yes",
    "bat",
    "batcat",
    "fd",
    "fdfind",
    "ag",
    "ack",
    "shellcheck",
    "hadolint",
    "tokei",
    "cloc",
    "wc",
];

/// Whether the analyser knows what `name` does with its words.
pub fn is_known(name: &str) -> bool {
    KNOWN.contains(&name) || crate::shell::effects::never_reads(name)
}

/// The path a word names, when it looks like one: the value of `--opt=VALUE`, or a word
/// with a `/` or a dot-file name; never a flag, a URL or an assignment.
pub fn path_word(word: &str) -> Option<&str> {
    let value = match word.split_once('=') {
        Some((flag, v)) if flag.starts_with('-') => v,
        Some(_) => return None,
        None if word.starts_with('-') => return None,
        None => word,
    };
    let looks_like_path = value.contains('/') || value.starts_with('.') && value.len() > 1;
    (looks_like_path && !value.contains("://") && !value.is_empty()).then_some(value)
}
