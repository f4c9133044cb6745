//! Network effects: the hosts known fetchers talk to, normalised as `[web]` compares them
//! (lower-case, no scheme, userinfo, port or trailing dot).

/// Bash's network pseudo-files in a redirection: `/dev/tcp/HOST/PORT`, `/dev/udp/HOST/PORT`
/// connect to HOST (bash opens them itself; no such file exists).
pub fn dev_tcp_host(path: &str) -> Option<String> {
    let rest = path
        .strip_prefix("/dev/tcp/")
        .or_else(|| path.strip_prefix("/dev/udp/"))?;
    let host = rest
        .split('/')
        .next()?
        .trim_end_matches('.')
        .to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

/// Programs whose operands name remote hosts.
pub fn is_fetcher(name: &str) -> bool {
    matches!(
        name,
        "curl"
            | "wget"
            | "http"
            | "https"
            | "xh"
            | "xhs"
            | "nc"
            | "ncat"
            | "netcat"
            | "ssh"
            | "scp"
            | "sftp"
            | "telnet"
            | "ftp"
            | "aria2c"
            | "lynx"
            | "w3m"
            | "socat"
    )
}

/// Options of fetchers that take a value (never a URL).
const VALUE_OPTIONS: &[&str] = &[
    "-o",
    "-O",
    "-H",
    "--header",
    "-d",
    "--data",
    "--data-raw",
    "--data-binary",
    "-X",
    "--request",
    "-u",
    "--user",
    "-A",
    "--user-agent",
    "-e",
    "--referer",
    "-b",
    "--cookie",
    "-c",
    "--cookie-jar",
    "-F",
    "--form",
    "-T",
    "--upload-file",
    "-K",
    "--config",
    "-w",
    "--write-out",
    "-m",
    "--max-time",
    "--connect-timeout",
    "-x",
    "--proxy",
    "-i",
    "-l",
    "-p",
    "-P",
    "-J",
    "-F",
    "--output",
    "--output-document",
    "-U",
    "--retry",
    "-E",
    "--cert",
    "--key",
    "--cacert",
    "-L4",
    "--max-filesize",
    "--limit-rate",
    "-r",
    "--range",
    "--retry-delay",
    "--retry-max-time",
    "-Y",
    "--speed-limit",
    "-y",
    "--speed-time",
    "-z",
    "--time-cond",
    "--resolve",
    "--connect-to",
    "--interface",
    "--dns-servers",
    "-Q",
    "--quote",
    "--ciphers",
    "--noproxy",
    "--unix-socket",
    "-C",
    "--continue-at",
    "-t",
    "--tries",
    "--timeout",
    "--wait",
    "-R",
    "--reject",
    "--accept",
    "--level",
    "-D",
    "--domains",
    "--dump-header",
    "--post-data",
    "--post-file",
    "--body-data",
    "--body-file",
    "--method",
    "-a",
    "--append-output",
    "--password",
    "--http-user",
    "--http-password",
    "--data-urlencode",
    "--data-ascii",
    "--json",
    "--oauth2-bearer",
    "--trace",
    "--trace-ascii",
    "--stderr",
    "--output-dir",
    "--preproxy",
    "--socks4",
    "--socks4a",
    "--socks5",
    "--socks5-hostname",
];

/// Options whose value is a host the traffic goes through (a proxy).
const PROXY_OPTIONS: &[&str] = &[
    "-x",
    "--proxy",
    "--preproxy",
    "--socks4",
    "--socks4a",
    "--socks5",
    "--socks5-hostname",
];

/// curl's single-letter options that other fetchers use with a value but curl does not
/// (`curl -i URL` includes headers; the URL is not `-i`'s value).
fn curl_flag(a: &str) -> bool {
    matches!(a, "-O" | "-i" | "-l" | "-p" | "-J")
}

/// The URLs or hosts among a fetcher's literal operands.
pub fn targets(name: &str, args: &[Option<&str>]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 1;
    let host_operands = matches!(
        name,
        "nc" | "ncat" | "netcat" | "ssh" | "telnet" | "sftp" | "ftp"
    );
    while i < args.len() {
        let Some(a) = args[i] else {
            i += 1;
            continue;
        };
        if a.starts_with('-') {
            if PROXY_OPTIONS.contains(&a)
                && let Some(Some(proxy)) = args.get(i + 1)
            {
                // The traffic goes through the proxy: it is a host talked to.
                out.push((*proxy).to_owned());
            }
            if VALUE_OPTIONS.contains(&a)
                && !(name == "ssh" && a == "-T")
                && !(name == "curl" && curl_flag(a))
            {
                i += 1;
            }
            i += 1;
            continue;
        }
        // curl and wget take every operand as a URL, with or without a scheme or a dot
        // (`curl intranet`, `curl docs.rs:443@evil.example`).
        if a.contains("://")
            || name == "scp" && a.contains(':')
            || matches!(name, "curl" | "wget")
            || matches!(name, "http" | "https" | "xh" | "xhs") && looks_like_host(a)
        {
            out.push(a.to_owned());
        } else if host_operands {
            out.push(a.to_owned());
            if matches!(name, "ssh" | "nc" | "ncat" | "netcat" | "telnet") {
                break;
            }
        }
        i += 1;
    }
    out
}

fn looks_like_host(word: &str) -> bool {
    let head = word.split(['/', '?']).next().unwrap_or("");
    !matches!(word, "GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "HEAD")
        && head.contains('.')
        && !head.contains('=')
        && !head.starts_with('.')
        && !head.contains(':')
        || head.starts_with("localhost")
}

/// The local path of a `file:` URL (`file:///etc/passwd`, `file://localhost/x`), which a
/// fetcher reads from disk rather than the network.
pub fn file_url_path(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once(':')?;
    if !scheme.eq_ignore_ascii_case("file") {
        return None;
    }
    let rest = rest.strip_prefix("//").map_or(rest, |r| {
        let host_end = r.find('/').unwrap_or(r.len());
        &r[host_end..]
    });
    let path = rest.split(['?', '#']).next().unwrap_or("");
    Some(if path.is_empty() {
        "/".into()
    } else {
        path.to_owned()
    })
}

/// Normalises a URL (or `user@host`, `host:path`) to its host.
pub fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        authority.split(':').next().unwrap_or("")
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_normalised_as_web_rules_compare_them() {
        let rows: &[(&str, &str)] = &[
            ("https://Docs.RS/x", "docs.rs"),
            ("http://user:pw@evil.example:8080/a", "evil.example"),
            ("https://docs.rs@evil.example/", "evil.example"),
            ("example.com.", "example.com"),
            ("git@github.com:o/r", "github.com"),
            ("http://[::1]:80/", "::1"),
            ("10.0.0.1:22", "10.0.0.1"),
        ];
        for (url, want) in rows {
            assert_eq!(host_of(url).as_deref(), Some(*want), "{url}");
        }
    }

    #[test]
    fn fetchers_name_their_targets() {
        let rows: &[(&[&str], &[&str])] = &[
            (&["curl", "-sSL", "https://x.io/a"], &["https://x.io/a"]),
            (&["curl", "-H", "A: b", "example.com"], &["example.com"]),
            (&["wget", "-O", "out", "http://y.org"], &["http://y.org"]),
            (&["nc", "-v", "host.example", "80"], &["host.example"]),
            (&["ssh", "-p", "22", "me@box", "ls"], &["me@box"]),
            (
                &["http", "POST", "api.example.com/x", "a=b"],
                &["api.example.com/x"],
            ),
        ];
        for (argv, want) in rows {
            let args: Vec<Option<&str>> = argv.iter().map(|a| Some(*a)).collect();
            assert_eq!(targets(argv[0], &args), *want, "{argv:?}");
        }
    }
}
