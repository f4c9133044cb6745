//! GNU sed: its options (a table like every modelled program) and a parser of its script
//! language, as `sed/compile.c` reads it — addresses with any delimiter (`\%re%`), the
//! `I`/`M` flags, escaped delimiters, `a`/`i`/`c` text, labels, blocks, and the commands
//! that reach files or run programs: `r`/`R FILE` read, `w`/`W FILE` and `s///w FILE` write,
//! `e` and `s///e` run. A script the parser cannot fully read is unanalysable, never data.

use super::options::{GNU, Opt, Value, ValueText, opt, scan};
use super::{Model, Run};
use crate::shell::effects::Role;

/// Every GNU sed option (sed 4.9) and its value.
pub const SED: &[Opt] = &[
    opt(&["-n", "--quiet", "--silent"], Value::Flag),
    opt(&["-e", "--expression"], Value::Data),
    opt(&["-f", "--file"], Value::Read),
    opt(&["-i", "--in-place"], Value::Optional),
    opt(&["-l", "--line-length"], Value::Data),
    opt(&["-E", "-r", "--regexp-extended"], Value::Flag),
    opt(&["-s", "--separate"], Value::Flag),
    opt(&["-u", "--unbuffered"], Value::Flag),
    opt(&["-z", "--null-data"], Value::Flag),
    opt(&["-b", "--binary"], Value::Flag),
    opt(&["--follow-symlinks"], Value::Flag),
    opt(&["--posix"], Value::Flag),
    opt(&["--sandbox"], Value::Flag),
    opt(&["--debug"], Value::Flag),
    opt(&["--help"], Value::Flag),
    opt(&["--version"], Value::Flag),
];

/// What a sed script does outside its input and output.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ScriptEffects {
    pub reads: Vec<String>,
    pub writes: Vec<String>,
    /// `e COMMAND` (`Some`) or `e` / `s///e` running the pattern space (`None`).
    pub runs: Vec<Option<String>>,
}

/// The model of one `sed …` command.
pub fn model(args: &[Option<&str>]) -> Model {
    let mut m = Model::data(args.len());
    // BSD `sed -i '' …`: the empty word is the suffix, not the script.
    let mut words: Vec<Option<&str>> = args.to_vec();
    for k in 1..words.len().saturating_sub(1) {
        if words[k] == Some("-i") && words[k + 1] == Some("") {
            words[k] = Some("--in-place=");
            words[k + 1] = Some("--posix");
        }
    }
    let s = scan(&words, 1, SED, GNU);
    m.apply_options(&s, "sed", &words);
    let in_place = s.has("-i");
    let mut scripts: Vec<String> = Vec::new();
    for f in &s.options {
        match (f.name, &f.value) {
            ("-e" | "--expression", Some((_, ValueText::Attached(v)))) => scripts.push(v.clone()),
            ("-e" | "--expression", Some((i, ValueText::Word))) => {
                scripts.push(words[*i].unwrap_or_default().to_owned());
            }
            ("-e" | "--expression", None) => m.problems.push("`sed -e` without a script".into()),
            ("-f" | "--file", _) => m
                .problems
                .push("a sed script read from a file is not analysed".into()),
            _ => {}
        }
    }
    let mut files = s.operands.clone();
    if !s.has("-e") && !s.has("-f") {
        match files.first() {
            Some(&i) => {
                scripts.push(words[i].unwrap_or_default().to_owned());
                files.remove(0);
            }
            None if !s.has("--help") && !s.has("--version") => {
                m.problems.push("`sed` without a script".into());
            }
            None => {}
        }
    }
    for &i in &files {
        m.roles[i] = if in_place { Role::Write } else { Role::Read };
    }
    // `-e` scripts are joined by newlines (GNU).
    match parse_script(&scripts.join("\n")) {
        Ok(effects) => {
            for r in effects.reads {
                m.attached.push((r, Role::Read));
            }
            for w in effects
                .writes
                .into_iter()
                .filter(|w| !matches!(w.as_str(), "/dev/stdout" | "/dev/stderr"))
            {
                // SPEC §5: `w` is unanalysable whatever rule names sed; the file is still
                // decided as a write (a protected one is refused outright).
                m.problems.push(format!(
                    "the sed script writes `{w}` (`w`), beyond its output"
                ));
                m.attached.push((w, Role::Write));
            }
            for run in effects.runs {
                match run {
                    Some(command) => {
                        m.problems
                            .push(format!("the sed script runs `{command}` (`e`)"));
                        m.runs.push(Run::Script {
                            script: command,
                            why: "the command a sed script runs with `e`".into(),
                        });
                    }
                    None => m
                        .problems
                        .push("the sed script runs its pattern space as a command (`e`)".into()),
                }
            }
        }
        Err(why) => m
            .problems
            .push(format!("the sed script could not be fully read: {why}")),
    }
    m
}

/// Parses a whole sed script.
pub fn parse_script(script: &str) -> Result<ScriptEffects, String> {
    let mut p = Parser {
        chars: script.chars().collect(),
        at: 0,
        out: ScriptEffects::default(),
    };
    // `#n` on the first line is `-n`; any other `#` line is a comment: both skipped below.
    p.commands()?;
    Ok(p.out)
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    out: ScriptEffects,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }
    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        self.at += usize::from(c.is_some());
        c
    }
    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.at += 1;
        }
    }
    fn skip_separators(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | ';')) {
            self.at += 1;
        }
    }

    fn commands(&mut self) -> Result<(), String> {
        loop {
            self.skip_separators();
            let Some(c) = self.peek() else {
                return Ok(());
            };
            if c == '#' {
                self.rest_of_line();
                continue;
            }
            self.address()?;
            self.skip_blanks();
            if self.peek() == Some(',') {
                self.at += 1;
                self.skip_blanks();
                self.address()?;
            }
            self.skip_blanks();
            while self.peek() == Some('!') {
                self.at += 1;
                self.skip_blanks();
            }
            self.command()?;
        }
    }

    /// One address (none is fine): a number (`first~step`), `$`, `+N`/`~N`, `/re/` or
    /// `\cREc`, with the `I`/`M` flags.
    fn address(&mut self) -> Result<(), String> {
        match self.peek() {
            Some(c) if c.is_ascii_digit() || c == '+' || c == '~' => {
                self.at += 1;
                while self.peek().is_some_and(|c| c.is_ascii_digit() || c == '~') {
                    self.at += 1;
                }
            }
            Some('$') => self.at += 1,
            Some('/') => {
                self.at += 1;
                self.delimited('/')?;
                self.regex_flags();
            }
            Some('\\') => {
                self.at += 1;
                let delim = self
                    .next()
                    .filter(|d| *d != '\n' && *d != '\\')
                    .ok_or("an address `\\` without a delimiter")?;
                self.delimited(delim)?;
                self.regex_flags();
            }
            _ => {}
        }
        Ok(())
    }

    fn regex_flags(&mut self) {
        while matches!(self.peek(), Some('I' | 'M')) {
            self.at += 1;
        }
    }

    /// Text up to an unescaped `delim` (consumed), as sed's `match_slash` reads it.
    fn delimited(&mut self, delim: char) -> Result<String, String> {
        let mut text = String::new();
        loop {
            match self.next() {
                None => return Err(format!("an unterminated `{delim}`…`{delim}` part")),
                Some('\\') => match self.next() {
                    Some(c) if c == delim => text.push(c),
                    Some(c) => {
                        text.push('\\');
                        text.push(c);
                    }
                    None => return Err("a script ending in `\\`".into()),
                },
                Some('\n') if delim != '\n' => {
                    return Err("a newline inside a regular expression".into());
                }
                Some(c) if c == delim => return Ok(text),
                Some(c) => text.push(c),
            }
        }
    }

    fn rest_of_line(&mut self) -> String {
        let mut text = String::new();
        while let Some(c) = self.next() {
            if c == '\n' {
                break;
            }
            text.push(c);
        }
        text
    }

    /// A file name argument: after blanks, to the end of the line.
    fn file_name(&mut self, command: char) -> Result<String, String> {
        self.skip_blanks();
        let name = self.rest_of_line();
        if name.is_empty() {
            return Err(format!("`{command}` without a file name"));
        }
        Ok(name)
    }

    /// A label (`:x`, `b x`): GNU ends it at `;` or a newline.
    fn label(&mut self) {
        self.skip_blanks();
        while self.peek().is_some_and(|c| c != '\n' && c != ';') {
            self.at += 1;
        }
    }

    /// `a`/`i`/`c` text: one line (GNU), or after `\` the following lines while they end in `\`.
    fn text(&mut self) {
        self.skip_blanks();
        if self.peek() == Some('\\') {
            self.at += 1;
            self.skip_blanks();
            if self.peek() == Some('\n') {
                self.at += 1;
            }
        }
        while let Some(c) = self.next() {
            match c {
                '\\' => {
                    self.next();
                }
                '\n' => break,
                _ => {}
            }
        }
    }

    fn command(&mut self) -> Result<(), String> {
        let Some(c) = self.next() else {
            return Err("an address without a command".into());
        };
        match c {
            // A block: its commands follow directly.
            '{' => return Ok(()),
            '}' | '=' | 'd' | 'D' | 'g' | 'G' | 'h' | 'H' | 'n' | 'N' | 'p' | 'P' | 'x' | 'z'
            | 'F' => {}
            'l' | 'L' | 'q' | 'Q' => {
                self.skip_blanks();
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.at += 1;
                }
            }
            ':' => self.label(),
            'b' | 't' | 'T' | 'v' => self.label(),
            // These read to the end of the line, which they consume.
            'a' | 'i' | 'c' => {
                self.text();
                return Ok(());
            }
            'r' | 'R' => {
                let name = self.file_name(c)?;
                self.out.reads.push(name);
                return Ok(());
            }
            'w' | 'W' => {
                let name = self.file_name(c)?;
                self.out.writes.push(name);
                return Ok(());
            }
            'e' => {
                self.skip_blanks();
                let command = self.rest_of_line();
                self.out
                    .runs
                    .push((!command.trim().is_empty()).then_some(command));
                return Ok(());
            }
            's' => {
                if self.substitute()? {
                    return Ok(());
                }
            }
            'y' => {
                let delim = self.next().ok_or("`y` without a delimiter")?;
                self.delimited(delim)?;
                self.delimited(delim)?;
            }
            other => return Err(format!("the sed command `{other}` is not known")),
        }
        self.skip_blanks();
        match self.peek() {
            None | Some('\n' | ';' | '}' | '#') => Ok(()),
            Some(other) => Err(format!("unexpected `{other}` after a sed command")),
        }
    }

    /// `s/RE/REPL/FLAGS`: the `e` flag runs the result, `w FILE` writes it. True when the
    /// `w` flag consumed the rest of the line.
    fn substitute(&mut self) -> Result<bool, String> {
        let delim = self
            .next()
            .filter(|d| *d != '\n' && *d != '\\')
            .ok_or("`s` without a delimiter")?;
        self.delimited(delim)?;
        self.replacement(delim)?;
        loop {
            match self.peek() {
                Some('g' | 'p' | 'i' | 'I' | 'm' | 'M') => self.at += 1,
                Some(c) if c.is_ascii_digit() => self.at += 1,
                Some('e') => {
                    self.at += 1;
                    self.out.runs.push(None);
                }
                Some('w') => {
                    self.at += 1;
                    let name = self.file_name('w')?;
                    self.out.writes.push(name);
                    return Ok(true);
                }
                _ => return Ok(false),
            }
        }
    }

    /// The replacement: like [`Self::delimited`], but a backslash-newline is a newline.
    fn replacement(&mut self, delim: char) -> Result<(), String> {
        loop {
            match self.next() {
                None => return Err("an unterminated `s` replacement".into()),
                Some('\\') => {
                    if self.next().is_none() {
                        return Err("a script ending in `\\`".into());
                    }
                }
                Some(c) if c == delim => return Ok(()),
                Some(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Effects = Result<(Vec<String>, Vec<String>, usize), String>;

    fn effects(script: &str) -> Effects {
        parse_script(script).map(|e| (e.reads, e.writes, e.runs.len()))
    }

    #[test]
    fn scripts_that_reach_files_or_run_programs_are_read_as_sed_reads_them() {
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        let rows: &[(&str, Effects)] = &[
            ("s/a/b/g", Ok((vec![], vec![], 0))),
            ("s/a/b/e", Ok((vec![], vec![], 1))),
            ("s/a/b/w out", Ok((vec![], s(&["out"]), 0))),
            ("1e rm -rf /", Ok((vec![], vec![], 1))),
            (
                r"\%fn%w .claude/budget.toml",
                Ok((vec![], s(&[".claude/budget.toml"]), 0)),
            ),
            ("/x/Iw f", Ok((vec![], s(&["f"]), 0))),
            (r"s/a\/w x/b/", Ok((vec![], vec![], 0))),
            (r"s|a|b|;r .env", Ok((s(&[".env"]), vec![], 0))),
            ("$!N;P;D", Ok((vec![], vec![], 0))),
            ("/start/,/end/{s/x/y/;p}", Ok((vec![], vec![], 0))),
            ("a hello; w not-a-file", Ok((vec![], vec![], 0))),
            (":a;N;$!ba;s/\\n/ /g", Ok((vec![], vec![], 0))),
            ("1~2d", Ok((vec![], vec![], 0))),
            ("0,/x/I s/x/y/", Ok((vec![], vec![], 0))),
        ];
        for (script, want) in rows {
            assert_eq!(&effects(script), want, "{script}");
        }
        for broken in ["s/a/b", "k", r"\%x", "s/a/b/q", "/x/"] {
            assert!(effects(broken).is_err(), "{broken} should not parse");
        }
    }
}
