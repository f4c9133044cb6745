//! Path normalisation (SPEC §4.2): lexical `.`/`..` resolution, the kernel's own
//! resolution ([`resolve_kernel`]: a symlink is replaced by its target before a following
//! `..`) and symlink targets. The glob matching of path rules lives in `budget::paths_rules`.

use std::path::{Component, Path, PathBuf};

/// Makes `path` absolute against `base` and resolves `.` and `..` lexically (no symlinks).
pub fn normalise(path: &Path, base: &Path) -> PathBuf {
    let joined = absolute_from_call(path, base);
    let mut out = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// What the kernel does with a path: the path it opens, or why that depends on the process
/// opening it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// Absolute, every `..` applied to the real folder before it (the symlinks of earlier
    /// components replaced by their targets); symlinks after the last `..` are left for the
    /// path rules, which check the literal and the resolved path.
    Path(PathBuf),
    /// The path goes through `/proc/self`, `/proc/<pid>`, `/dev/fd/N/…` or the like: what it
    /// names depends on the process that opens it (the shell, not this hook).
    ProcessRelative(String),
}

/// Resolves `path` against `base` as the kernel does: component by component, and at each
/// `..` the folder reached so far is first resolved through its symlinks (`src/config/../x`
/// with `src/config` linking to `/elsewhere/cfg` opens `/elsewhere/x`, not `src/x`). A folder
/// that does not exist is popped lexically: the kernel would fail there, so nothing is
/// opened through it. Paths into another process's view (`/proc/self/…`, `/dev/fd/3/..`)
/// cannot be resolved by the hook, whose own `/proc/self` differs: they come back
/// [`Kernel::ProcessRelative`].
pub fn resolve_kernel(path: &Path, base: &Path, fs: &dyn crate::fsview::FsView) -> Kernel {
    let joined = absolute_from_call(path, base);
    let parts: Vec<Component<'_>> = joined.components().collect();
    let mut out = PathBuf::from("/");
    for (index, part) in parts.iter().enumerate() {
        let following = &parts[index + 1..];
        match part {
            Component::ParentDir => {
                // Inside `/proc/<pid>` the folders are real (the magic links were refused
                // before reaching here), and resolving them would name this hook's process.
                if !is_per_process(&out)
                    && let Some(real) = fs.canonicalize(&out)
                {
                    out = real;
                }
                out.pop();
            }
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
            Component::Normal(name) => out.push(name),
        }
        if let Some(alias) = stream_alias(&out, following) {
            out = alias;
        }
        if let Some(why) = process_relative(&out, following) {
            return Kernel::ProcessRelative(why);
        }
    }
    Kernel::Path(out)
}

/// `path` made absolute against `base`, the call's directory. `/proc/self/cwd` is the
/// working directory of the process that opens it — the call's (`base`), not this hook's —
/// so it is that directory, for the lexical and the kernel view alike.
fn absolute_from_call(path: &Path, base: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    };
    let through_cwd = CALL_CWD_LINKS
        .iter()
        .find_map(|link| joined.strip_prefix(link).ok())
        .map(|rest| base.join(rest));
    through_cwd.unwrap_or(joined)
}

/// Whether `name` occurs anywhere in `dir`'s bytes: a cheap precondition for the `/dev` and
/// `/proc` checks below, which split the path into its parts (a `Vec` per call) and run for
/// every component of every path resolved. A part equal to `name` is such an occurrence.
fn mentions(dir: &Path, name: &str) -> bool {
    memchr::memmem::find(dir.as_os_str().as_encoded_bytes(), name.as_bytes()).is_some()
}

/// The links that name the opening process's own working directory.
const CALL_CWD_LINKS: [&str; 2] = ["/proc/self/cwd", "/proc/thread-self/cwd"];

/// Whether `path` goes through the opening process's working directory (`/proc/self/cwd`):
/// it can only be resolved when that directory is known.
pub fn names_call_cwd(path: &Path) -> bool {
    CALL_CWD_LINKS.iter().any(|link| path.starts_with(link))
}

fn normal_parts(dir: &Path) -> Vec<&str> {
    dir.components()
        .filter_map(|c| match c {
            Component::Normal(n) => n.to_str(),
            _ => None,
        })
        .collect()
}

fn per_process_name(name: &str) -> bool {
    matches!(name, "self" | "thread-self") || name.bytes().all(|b| b.is_ascii_digit())
}

/// `/proc/self`, `/proc/<pid>` and everything under them: what they name depends on the
/// process that opens them.
pub fn is_per_process(dir: &Path) -> bool {
    mentions(dir, "proc")
        && matches!(normal_parts(dir).as_slice(), ["proc", who, ..] if per_process_name(who))
}

/// `/dev/fd` and the standard streams used as folders (`/dev/fd/../environ`) are the
/// shell's `/proc/self/fd`: the path continues from there. Used as files (`/dev/fd/3`,
/// `> /dev/stderr`) they stay devices.
fn stream_alias(dir: &Path, rest: &[Component<'_>]) -> Option<PathBuf> {
    if !mentions(dir, "dev") {
        return None;
    }
    let more: Vec<&Component<'_>> = rest
        .iter()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    let fd = |n: &str| PathBuf::from("/proc/self/fd").join(n);
    match normal_parts(dir).as_slice() {
        ["dev", "fd"] => {
            let keeps_device = matches!(more.as_slice(), [Component::Normal(_)]);
            (!keeps_device).then(|| fd(""))
        }
        ["dev", stream @ ("stdin" | "stdout" | "stderr")] if !more.is_empty() => {
            Some(fd(match *stream {
                "stdin" => "0",
                "stdout" => "1",
                _ => "2",
            }))
        }
        _ => None,
    }
}

/// Why `dir` followed by `rest` names something only the opening process can resolve: a
/// magic link of `/proc/<pid>` (`cwd`, `root`, `exe`, an open file `fd/N`, …) used as a
/// folder.
fn process_relative(dir: &Path, rest: &[Component<'_>]) -> Option<String> {
    if !rest.iter().any(|c| !matches!(c, Component::CurDir)) || !mentions(dir, "proc") {
        return None;
    }
    let magic = match normal_parts(dir).as_slice() {
        ["proc", who, entry] if per_process_name(who) => {
            !matches!(*entry, "fd" | "fdinfo" | "task" | "net" | "attr" | "ns")
        }
        ["proc", who, "fd" | "task" | "ns", _] if per_process_name(who) => true,
        ["proc", who, "task", _, _, ..] if per_process_name(who) => true,
        _ => false,
    };
    magic.then(|| {
        format!(
            "`{}` goes through a link of a process's own `/proc` folder: what it names \
             depends on the shell process",
            dir.display()
        )
    })
}

/// The path with every symlink resolved, also for a path that does not exist yet: the
/// nearest existing ancestor is resolved and the rest appended (a Write of a new file under
/// a symlinked folder lands in the link's target). `None` when nothing can be resolved.
pub fn resolve_target(path: &Path, fs: &dyn crate::fsview::FsView) -> Option<PathBuf> {
    let mut existing = path;
    let mut rest: Vec<&std::ffi::OsStr> = Vec::new();
    loop {
        if let Some(resolved) = fs.canonicalize(existing) {
            let mut out = resolved;
            out.extend(rest.iter().rev());
            return Some(out);
        }
        rest.push(existing.file_name()?);
        existing = existing.parent()?;
    }
}

/// The bytes of `path` when comparing them says what comparing its components would (`Path`'s
/// `==` and `starts_with` parse both paths into components on every call, a large part of
/// an edit's self-protection checks): absolute, no empty or `.` component (`//`, `/./`), no
/// trailing `/` (except the root itself). `None`: compare components.
pub(crate) fn plain_bytes(path: &Path) -> Option<&[u8]> {
    let bytes = path.as_os_str().as_encoded_bytes();
    if bytes.first() != Some(&b'/') {
        return None;
    }
    if bytes.len() == 1 {
        return Some(bytes);
    }
    // Looks only at what follows each `/` (a few per path), found with `memchr`.
    let plain = memchr::memchr_iter(b'/', bytes).all(|at| match bytes.get(at + 1) {
        None | Some(b'/') => false,
        Some(b'.') => !matches!(bytes.get(at + 2), None | Some(b'/')),
        Some(_) => true,
    });
    plain.then_some(bytes)
}

/// `path.starts_with(base)` (component-wise), by bytes when both are plain.
pub(crate) fn is_under(path: &Path, base: &Path) -> bool {
    match (plain_bytes(path), plain_bytes(base)) {
        (Some(p), Some(b)) => is_under_bytes(p, b),
        _ => path.starts_with(base),
    }
}

/// [`is_under`] on two [`plain_bytes`].
pub(crate) fn is_under_bytes(path: &[u8], base: &[u8]) -> bool {
    path.starts_with(base)
        && (path.len() == base.len() || base == b"/" || path.get(base.len()) == Some(&b'/'))
}

/// [`is_under`] for paths whose [`plain_bytes`] were already looked at (`*_plain`: `Some`).
pub(crate) fn is_under_known(path: &Path, path_plain: bool, base: &Path, base_plain: bool) -> bool {
    if path_plain && base_plain {
        is_under_bytes(
            path.as_os_str().as_encoded_bytes(),
            base.as_os_str().as_encoded_bytes(),
        )
    } else {
        path.starts_with(base)
    }
}

/// [`same_path`] for paths whose [`plain_bytes`] were already looked at.
pub(crate) fn same_path_known(a: &Path, a_plain: bool, b: &Path, b_plain: bool) -> bool {
    if a_plain && b_plain {
        a.as_os_str().as_encoded_bytes() == b.as_os_str().as_encoded_bytes()
    } else {
        a == b
    }
}

/// `a == b` (component-wise), by bytes when both are plain.
pub(crate) fn same_path(a: &Path, b: &Path) -> bool {
    match (plain_bytes(a), plain_bytes(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsview::RealFs;

    #[test]
    fn dot_dot_is_resolved_lexically_against_the_base() {
        let rows = [
            ("src/../secrets/k", "/p", "/p/secrets/k"),
            ("./a/./b", "/p", "/p/a/b"),
            ("/etc/../tmp/x", "/p", "/tmp/x"),
            ("../../../..", "/p/q", "/"),
        ];
        for (path, base, want) in rows {
            assert_eq!(
                normalise(Path::new(path), Path::new(base)),
                PathBuf::from(want),
                "{path}"
            );
        }
    }

    fn tree() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let base = dir
            .path()
            .canonicalize()
            .unwrap_or_else(|e| panic!("canon: {e}"));
        for folder in ["p/src", "p/cfg", "elsewhere/deep"] {
            std::fs::create_dir_all(base.join(folder)).unwrap_or_else(|e| panic!("mkdir: {e}"));
        }
        let link = |target: &str, at: &str| {
            std::os::unix::fs::symlink(base.join(target), base.join(at))
                .unwrap_or_else(|e| panic!("symlink: {e}"))
        };
        link("p/cfg", "p/src/config");
        link("elsewhere/deep", "p/out");
        (dir, base)
    }

    #[test]
    fn dot_dot_after_a_symlink_leaves_from_the_links_target() {
        let (_dir, base) = tree();
        let p = base.join("p");
        let rows = [
            // `src/config` → `cfg`: `..` is `cfg`'s parent, the project root.
            ("src/config/../.env", p.join(".env")),
            ("out/../x", base.join("elsewhere/x")),
            (
                "out/./../../p/.claude/settings.json",
                p.join(".claude/settings.json"),
            ),
            ("src/../.env", p.join(".env")),
            // A folder that does not exist: the kernel fails there, popped lexically.
            ("nowhere/../README.md", p.join("README.md")),
            // Symlinks after the last `..` stay for the path rules.
            ("src/config", p.join("src/config")),
        ];
        for (path, want) in rows {
            assert_eq!(
                resolve_kernel(Path::new(path), &p, &RealFs),
                Kernel::Path(want),
                "{path}"
            );
        }
    }

    #[test]
    fn paths_through_another_process_view_are_not_resolved_here() {
        let rows = [
            "/dev/fd/3/../x",
            "/dev/stdin/../x",
            "/proc/self/root/etc/passwd",
            "/proc/1234/cwd/.env",
            "/proc/self/fd/3/x",
            "/proc/self/task/1/cwd/x",
        ];
        for path in rows {
            let got = resolve_kernel(Path::new(path), Path::new("/"), &RealFs);
            assert!(matches!(got, Kernel::ProcessRelative(_)), "{path}: {got:?}");
        }
        let rows = [
            ("/dev/fd/3", "/dev/fd/3"),
            ("/dev/stderr", "/dev/stderr"),
            ("/dev/null", "/dev/null"),
            ("/proc/cpuinfo", "/proc/cpuinfo"),
            ("/proc/self/environ", "/proc/self/environ"),
            // `/dev/fd` is `/proc/self/fd`: its parent is the shell's `/proc/self`.
            ("/dev/fd/../environ", "/proc/self/environ"),
            ("/dev/fd/./../environ", "/proc/self/environ"),
            ("/proc/self/fd/../environ", "/proc/self/environ"),
        ];
        for (path, want) in rows {
            let got = resolve_kernel(Path::new(path), Path::new("/"), &RealFs);
            assert_eq!(got, Kernel::Path(PathBuf::from(want)), "{path}");
        }
    }

    #[test]
    fn new_file_under_a_symlinked_folder_resolves_into_the_target() {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = dir.path().canonicalize().expect("canon");
        std::fs::create_dir(base.join("secrets")).expect("mkdir");
        std::os::unix::fs::symlink(base.join("secrets"), base.join("link")).expect("symlink");
        let got = resolve_target(&base.join("link/new/file"), &RealFs);
        assert_eq!(got, Some(base.join("secrets/new/file")));
    }

    #[test]
    fn byte_comparisons_agree_with_component_comparisons() {
        let paths = [
            "/", "/a", "/a/b", "/a/bc", "/ab", "/a/b/", "/a//b", "/a/./b", "/a/.", "/a/..",
            "/a/../b", "/a/.b", "/a/b.", "/.a", "a/b", "", ".", "/a/b/c", "//a", "/a/b/..",
        ];
        for a in paths {
            for b in paths {
                let (a, b) = (Path::new(a), Path::new(b));
                assert_eq!(is_under(a, b), a.starts_with(b), "{a:?} under {b:?}");
                assert_eq!(same_path(a, b), a == b, "{a:?} == {b:?}");
            }
        }
        assert_eq!(plain_bytes(Path::new("/a/.b")), Some(&b"/a/.b"[..]));
        assert_eq!(plain_bytes(Path::new("/a/./b")), None);
    }
}
