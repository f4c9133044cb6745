//! URL hosts as `[web]` compares them (SPEC §4.5): lower-case, no port, no userinfo
//! (`docs.rs@evil.example` is `evil.example`), no trailing dot; IP literals as written.

/// The host of `url`, or `None` when the URL does not parse (decided as `unparsed`).
pub fn host_of(url: &str) -> Option<String> {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        format!("[{}]", v6.split(']').next()?)
    } else {
        host_port.split(':').next().unwrap_or_default().to_owned()
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let valid = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._[]:".contains(c));
    valid.then_some(host)
}

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn hosts_are_compared_without_port_userinfo_case_or_trailing_dot() {
        let rows = [
            ("https://docs.rs/serde", Some("docs.rs")),
            ("https://DOCS.rs.:443/x", Some("docs.rs")),
            ("https://docs.rs@evil.example/x", Some("evil.example")),
            ("http://user:pw@Example.COM:8080", Some("example.com")),
            ("http://127.0.0.1:9/x", Some("127.0.0.1")),
            ("http://[::1]:80/", Some("[::1]")),
            ("not a url", None),
            ("https:///nohost", None),
            ("https://exa mple.com/", None),
        ];
        for (url, want) in rows {
            assert_eq!(host_of(url).as_deref(), want, "{url}");
        }
    }
}
