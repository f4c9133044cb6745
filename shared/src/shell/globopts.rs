//! Shell options that change what a glob matches, set earlier in the same command (issue 9,
//! class 4): `shopt -s dotglob` (and a non-empty `GLOBIGNORE`, which implies it) lets `*`
//! match dotfiles, `nocaseglob` makes `.EN?` match `.env`, `nullglob` drops a pattern that
//! matches nothing. `globstar` (`**` across folders) and options the analyser cannot read
//! (`shopt -s $x`) make the later globs unanalysable; `failglob` only stops commands.

use crate::shell::walk::Walker;

/// The glob options in force at a point of the walk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GlobOptions {
    pub dotglob: bool,
    pub nocase: bool,
    pub globstar: bool,
    pub nullglob: bool,
    /// An option change the analyser could not read: every later glob is unanalysable.
    pub unknown: bool,
}

impl GlobOptions {
    /// Why a glob cannot be expanded under these options, if it cannot.
    pub fn refuses(&self, pattern: &str) -> Option<String> {
        if self.unknown {
            return Some(format!(
                "the glob `{pattern}` follows a `shopt` the analyser cannot read"
            ));
        }
        if self.globstar && pattern.contains("**") {
            return Some(format!(
                "the glob `{pattern}` uses `**` with `globstar` on (any depth)"
            ));
        }
        None
    }
}

impl Walker<'_, '_> {
    /// `shopt -s/-u NAME…` as given (values `None` when not literal).
    pub(super) fn apply_shopt(&mut self, values: &[Option<&str>]) {
        let mut on = None;
        let mut names = Vec::new();
        for value in values.iter().skip(1) {
            match value {
                None => {
                    self.glob_options.unknown = true;
                    return;
                }
                Some("-s") => on = Some(true),
                Some("-u") => on = Some(false),
                Some(flag) if flag.starts_with('-') => {}
                Some(name) => names.push(*name),
            }
        }
        let Some(on) = on else {
            return;
        };
        for name in names {
            match name {
                "dotglob" => self.glob_options.dotglob = on,
                "nocaseglob" => self.glob_options.nocase = on,
                "globstar" => self.glob_options.globstar = on,
                "nullglob" => self.glob_options.nullglob = on,
                _ => {}
            }
        }
        if self.repeat_depth > 0 {
            // In a loop or function body the option may be in force for text written
            // before it.
            self.glob_options.unknown = true;
        }
    }

    /// `GLOBIGNORE=…` (also through `export`/`declare`/`env`): a non-empty value turns
    /// dotfile matching on; the ignore patterns only remove matches, which is not followed.
    /// `BASHOPTS=…` in a shell's environment turns its options on at start
    /// (`BASHOPTS=dotglob bash -c 'cat *env'`): later globs are unanalysable.
    pub(super) fn note_globignore(&mut self, name: &str) {
        match name {
            "GLOBIGNORE" => self.glob_options.dotglob = true,
            "BASHOPTS" => self.glob_options.unknown = true,
            _ => {}
        }
    }

    /// `bash -O dotglob -c …` / `bash -O globstar …`: options given to a shell apply to the
    /// script it runs (a later glob of this command, at worst, is judged under them too).
    pub(super) fn apply_shell_options(&mut self, args: &[&str]) {
        let mut words = args.iter();
        while let Some(word) = words.next() {
            match *word {
                "-O" | "+O" => {
                    let on = if *word == "-O" { "-s" } else { "-u" };
                    match words.next() {
                        Some(name) => self.apply_shopt(&[Some("shopt"), Some(on), Some(name)]),
                        None => self.glob_options.unknown = true,
                    }
                }
                "-c" => break,
                _ => {}
            }
        }
    }
}
