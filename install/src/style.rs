//! Colour for people, plain text for pipes: ANSI colour only when stdout is a terminal,
//! `NO_COLOR` is unset or empty (no-color.org) and `TERM` is not `dumb`. Scripts, CI logs
//! and tests read the same words without escape codes. (`CLICOLOR_FORCE=1` forces it on,
//! for pagers that understand colour.)

use std::io::IsTerminal;

#[derive(Clone, Copy, Debug)]
pub(crate) struct Paint {
    enabled: bool,
}

impl Paint {
    /// Colour decided for standard output.
    pub(crate) fn stdout() -> Paint {
        let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        let forced = env("CLICOLOR_FORCE").is_some_and(|v| v != "0");
        let refused = env("NO_COLOR").is_some() || env("TERM").is_some_and(|t| t == "dumb");
        Paint {
            enabled: !refused && (forced || std::io::stdout().is_terminal()),
        }
    }

    fn wrap(self, code: &str, text: &str) -> String {
        if self.enabled {
            format!("\u{1b}[{code}m{text}\u{1b}[0m")
        } else {
            text.to_owned()
        }
    }

    /// Good news (allow, gate on).
    pub(crate) fn ok(self, text: &str) -> String {
        self.wrap("32", text)
    }
    /// Worth a look (ask, warnings).
    pub(crate) fn warn(self, text: &str) -> String {
        self.wrap("33", text)
    }
    /// Bad news (deny, gate off).
    pub(crate) fn bad(self, text: &str) -> String {
        self.wrap("1;31", text)
    }
    /// A heading.
    pub(crate) fn bold(self, text: &str) -> String {
        self.wrap("1", text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_paint_leaves_text_alone_and_enabled_paint_colours_it() {
        assert_eq!(Paint { enabled: false }.bad("deny"), "deny");
        assert_eq!(
            Paint { enabled: true }.bad("deny"),
            "\u{1b}[1;31mdeny\u{1b}[0m"
        );
    }
}
