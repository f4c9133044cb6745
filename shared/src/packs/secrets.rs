//! Pack `secrets`: reading credentials and private keys (rule data), and printing
//! secret-named variables or their copies (semantic checks).

use super::{PackData, PackHit, Section, hit, rule};
use crate::shell::{Analysis, EffectKind};
use crate::verdict::Verdict::Deny;

/// Built-in pack `secrets`: reading credentials. Printing the environment or secret-named
/// variables is recognised by the shell analysis, not by these rules.
pub(crate) const PACK: PackData = PackData {
    name: "secrets",
    description: "reading credentials and private keys",
    rules: &[
        rule(
            "dotenv",
            Section::Read,
            Deny,
            ".env",
            "environment files hold secrets; ask the user for the value you need",
        ),
        rule(
            "dotenv-variants",
            Section::Read,
            Deny,
            ".env.*",
            "environment files hold secrets; ask the user for the value you need",
        ),
        rule(
            "pem-files",
            Section::Read,
            Deny,
            "*.pem",
            "private keys and certificates stay unread",
        ),
        rule(
            "key-files",
            Section::Read,
            Deny,
            "*.key",
            "private keys stay unread",
        ),
        rule(
            "pkcs12-files",
            Section::Read,
            Deny,
            "*.p12",
            "private keys stay unread",
        ),
        rule(
            "ssh-private-keys",
            Section::Read,
            Deny,
            "id_{rsa,dsa,ecdsa,ed25519}*",
            "ssh keys stay unread",
        ),
        rule(
            "ssh-dir",
            Section::Read,
            Deny,
            "~/.ssh/**",
            "ssh keys and config stay unread",
        ),
        rule(
            "aws-dir",
            Section::Read,
            Deny,
            "~/.aws/**",
            "cloud credentials stay unread",
        ),
        rule(
            "gcloud-dir",
            Section::Read,
            Deny,
            "~/.config/gcloud/**",
            "cloud credentials stay unread",
        ),
        rule(
            "azure-dir",
            Section::Read,
            Deny,
            "~/.azure/**",
            "cloud credentials stay unread",
        ),
        rule(
            "kube-config",
            Section::Read,
            Deny,
            "~/.kube/config",
            "cluster credentials stay unread",
        ),
        rule(
            "docker-config",
            Section::Read,
            Deny,
            "~/.docker/config.json",
            "registry credentials stay unread",
        ),
        rule(
            "gh-hosts",
            Section::Read,
            Deny,
            "~/.config/gh/hosts.yml",
            "GitHub tokens stay unread",
        ),
        rule(
            "netrc",
            Section::Read,
            Deny,
            ".netrc",
            "login credentials stay unread",
        ),
        rule(
            "npmrc",
            Section::Read,
            Deny,
            ".npmrc",
            "registry tokens stay unread",
        ),
        rule(
            "pypirc",
            Section::Read,
            Deny,
            ".pypirc",
            "registry tokens stay unread",
        ),
        rule(
            "git-credentials",
            Section::Read,
            Deny,
            ".git-credentials",
            "git credentials stay unread",
        ),
        rule(
            "cargo-credentials",
            Section::Read,
            Deny,
            "~/.cargo/credentials*",
            "registry tokens stay unread",
        ),
        rule(
            "gcp-service-account",
            Section::Read,
            Deny,
            "*service-account*.json",
            "cloud credentials stay unread",
        ),
    ],
};

/// Every built-in pack, in the order `extends` documents them.
/// Whether a variable name looks like it holds a secret.
pub fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "KEY",
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "CREDENTIAL",
        "PRIVATE",
        "COOKIE",
        "SESSION",
    ]
    .iter()
    .any(|w| upper.contains(w))
}

/// Names referenced as `$NAME` or `${NAME…}` in a word as written.
fn referenced_variables(word: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = word;
    while let Some(at) = rest.find('$') {
        rest = &rest[at + 1..];
        let body = rest
            .strip_prefix('{')
            .unwrap_or(rest)
            .trim_start_matches('!');
        let name: String = body
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.push(name);
        }
    }
    out
}

/// `${!name}`: the value of the variable whose name `name` holds (not `${!prefix*}` or
/// `${!prefix@}`, which list names).
fn indirect_expansion(word: &str) -> bool {
    word.match_indices("${!").any(|(at, _)| {
        let body: String = word[at + 3..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let next = word[at + 3 + body.len()..].chars().next();
        !body.is_empty() && !matches!(next, Some('*' | '@'))
    })
}

/// Programs that print (or pass on) what they read on standard input.
const STDIN_PRINTERS: &[&str] = &[
    "cat", "tee", "head", "tail", "tac", "rev", "nl", "od", "xxd", "hexdump", "base64", "base32",
    "basenc", "strings", "tr", "cut", "sort", "uniq", "fold", "fmt", "paste", "column", "sed",
    "awk", "gawk", "mawk", "jq", "less", "more", "xargs", "dd", "iconv",
];

/// Variables that hold a copy of a secret-named one (`x=$GITHUB_TOKEN`, `export T="$KEY"`,
/// copies of copies), by name.
fn copied_secrets(analysis: &Analysis) -> Vec<String> {
    let exported = analysis.commands.iter().filter(|c| {
        matches!(
            c.argv.first().map(String::as_str),
            Some("export" | "declare" | "typeset" | "local" | "readonly")
        )
    });
    let assignments: Vec<(&str, &str)> = analysis
        .copies
        .iter()
        .filter_map(|c| Some((c.variable.as_deref()?, c.word.as_str())))
        .chain(
            exported
                .flat_map(|c| c.argv[1..].iter())
                .filter_map(|a| a.split_once('=')),
        )
        .collect();
    let mut copied: Vec<String> = Vec::new();
    // Each round adds a name or stops: at most one round per assignment.
    loop {
        let before = copied.len();
        for (name, word) in &assignments {
            let secret = |v: &String| secret_name(v) || copied.contains(v);
            if !secret_name(name)
                && !copied.iter().any(|c| c == name)
                && referenced_variables(word).iter().any(secret)
            {
                copied.push((*name).to_owned());
            }
        }
        if copied.len() == before {
            return copied;
        }
    }
}

/// The semantic checks of the pack on one analysis.
pub(crate) fn checks(analysis: &Analysis) -> Vec<PackHit> {
    let mut hits = Vec::new();
    let copied = copied_secrets(analysis);
    let is_secret = |name: &String| secret_name(name) || copied.contains(name);
    for copy in analysis.copies.iter().filter(|c| c.variable.is_none()) {
        let printers = analysis.feeds.iter().filter(|f| {
            f.producer == "here-string"
                && f.command == copy.command
                && STDIN_PRINTERS.contains(&f.program.as_str())
        });
        if printers.count() == 0 {
            continue;
        }
        for name in referenced_variables(&copy.word)
            .iter()
            .filter(|n| is_secret(n))
        {
            hits.push(hit(
                "secret-variable",
                format!("`{}` prints `${name}` fed as a here-string", copy.command),
                "use the variable without printing it",
            ));
        }
    }
    for effect in &analysis.effects {
        // `/proc/<pid>/environ` is a process's whole environment.
        let mut parts = effect
            .path
            .components()
            .map(|c| c.as_os_str().to_string_lossy());
        if effect.kind == EffectKind::Read
            && parts.nth(1).is_some_and(|p| p == "proc")
            && effect.path.file_name().is_some_and(|f| f == "environ")
        {
            hits.push(hit(
                "environment-dump",
                format!("`{}` reads a process's whole environment", effect.command),
                "print only the variables you need, by name, if they are not secret",
            ));
        }
    }
    let dump = |text: &str| {
        hit(
            "environment-dump",
            format!("`{text}` prints the whole environment"),
            "print only the variables you need, by name, if they are not secret",
        )
    };
    for command in &analysis.commands {
        let argv: Vec<&str> = command.argv.iter().map(String::as_str).collect();
        let operands: Vec<&str> = argv
            .iter()
            .skip(1)
            .copied()
            .filter(|a| !a.starts_with('-'))
            .collect();
        match argv.first().copied() {
            Some("env" | "printenv") if operands.is_empty() && !command.transparent => {
                hits.push(dump(&command.text))
            }
            Some("export" | "declare" | "typeset")
                if operands.is_empty()
                    && argv[1..].iter().any(|a| matches!(*a, "-p" | "-x" | "-px"))
                    || argv == ["export"] =>
            {
                hits.push(dump(&command.text))
            }
            Some("set") if argv.len() == 1 => hits.push(dump(&command.text)),
            Some("declare" | "typeset" | "export" | "readonly" | "local")
                if argv[1..]
                    .iter()
                    .any(|a| a.starts_with('-') && a.contains('p')) =>
            {
                // `declare -p GITHUB_TOKEN` prints the value.
                for name in operands.iter().filter(|n| secret_name(n)) {
                    hits.push(hit(
                        "secret-variable",
                        format!("`{}` prints `{name}`", command.text),
                        "use the variable without printing it",
                    ));
                }
            }
            Some("ps")
                if argv[1..].iter().any(|a| {
                    !a.starts_with('-')
                        && a.chars().all(|c| c.is_ascii_alphabetic())
                        && a.contains('e')
                }) =>
            {
                // BSD-style `ps e` / `ps auxe` / `ps eww` shows every process's environment.
                hits.push(dump(&command.text));
            }
            Some("printenv") => {
                for name in operands.iter().filter(|n| secret_name(n)) {
                    hits.push(hit(
                        "secret-variable",
                        format!("`{}` prints `{name}`", command.text),
                        "use the variable without printing it",
                    ));
                }
            }
            Some("echo" | "printf") if argv[1..].iter().any(|a| indirect_expansion(a)) => {
                hits.push(hit(
                    "secret-variable",
                    format!(
                        "`{}` prints a variable chosen at run time (`${{!name}}`)",
                        command.text
                    ),
                    "print variables by name, and not secret ones",
                ));
            }
            Some("echo" | "printf") => {
                for name in argv[1..]
                    .iter()
                    .flat_map(|a| referenced_variables(a))
                    .filter(is_secret)
                {
                    hits.push(hit(
                        "secret-variable",
                        format!("`{}` prints `${name}`", command.text),
                        "use the variable without printing it",
                    ));
                }
            }
            _ => {}
        }
    }
    hits
}
