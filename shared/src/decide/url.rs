//! URL hosts as `[web]` compares them (SPEC §4.5): lower-case, no port, no userinfo
//! (`docs.rs@evil.example` is `evil.example`), no trailing dot; IP literals as written.

/// The host of `url` as WebFetch's own (WHATWG) parser sees it, or `None` when the URL does
/// not parse (decided as `unparsed`). The `url` crate is that parser: `\` is `/` in http(s)
/// URLs (`https://evil.example\@docs.rs/` is `evil.example`), IPv4 in any notation is
/// normalised, IDNs are punycoded, an out-of-range port is an error.
pub fn host_of(url: &str) -> Option<String> {
    let parsed = ::url::Url::parse(url.trim()).ok()?;
    let host = match parsed.host()? {
        ::url::Host::Domain(d) => d.trim_end_matches('.').to_ascii_lowercase(),
        ::url::Host::Ipv4(ip) => ip.to_string(),
        ::url::Host::Ipv6(ip) => format!("[{ip}]"),
    };
    (!host.is_empty()).then_some(host)
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
            // WHATWG skips the extra slashes of a special scheme, as WebFetch does.
            ("https:///nohost", Some("nohost")),
            ("https://exa mple.com/", None),
            ("https://evil.example\\@docs.rs/", Some("evil.example")),
            ("https://docs.rs:99999/", None),
            ("http://0x7f.1/", Some("127.0.0.1")),
            ("https://bücher.example/", Some("xn--bcher-kva.example")),
        ];
        for (url, want) in rows {
            assert_eq!(host_of(url).as_deref(), want, "{url}");
        }
    }
}
