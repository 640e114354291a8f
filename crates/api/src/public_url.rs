//! The platform's public address (`HELP_PUBLIC_URL`): every absolute link it writes (the
//! certificate's verification link, on paper and in JSON) starts here, and never from a
//! request's `Host`, `Forwarded` or `X-Forwarded-*` headers, which any client can set.

use std::fmt;
use std::net::SocketAddr;

/// An absolute `http` or `https` URL without credentials, query or fragment, kept without a
/// trailing slash so that a path can follow it: `https://help.example.org` or
/// `https://example.org/help`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicUrl(String);

impl PublicUrl {
    /// Checks and normalises a configured address (host in lower case, default port and
    /// trailing slash dropped).
    pub fn parse(raw: &str) -> Result<PublicUrl, String> {
        let raw = raw.trim();
        let bad = |why: &str| {
            format!("`{raw}` is not a public address such as https://help.example.org: {why}")
        };
        let url = url::Url::parse(raw).map_err(|e| bad(&e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("the scheme must be https (or http)"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("it has no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("it must not carry a user name or password"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("it must not have a query (`?`) or a fragment (`#`)"));
        }
        Ok(PublicUrl(url.as_str().trim_end_matches('/').to_owned()))
    }

    /// The development default: plain HTTP on the address the server listens on (`localhost`
    /// when it listens on every interface).
    pub fn for_address(addr: SocketAddr) -> PublicUrl {
        if addr.ip().is_unspecified() {
            PublicUrl(format!("http://localhost:{}", addr.port()))
        } else {
            PublicUrl(format!("http://{addr}"))
        }
    }

    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The host (without port), e.g. for the domain of a `Message-ID`.
    pub fn host(&self) -> &str {
        let rest = self.0.split_once("://").map_or(self.0.as_str(), |(_, r)| r);
        let authority = rest.split('/').next().unwrap_or(rest);
        match authority.rsplit_once(':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => authority,
        }
    }

    /// The absolute link to `path`, which starts with `/`.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }
}

impl Default for PublicUrl {
    /// The development default for the default listen address.
    fn default() -> Self {
        PublicUrl("http://127.0.0.1:8080".to_owned())
    }
}

impl fmt::Display for PublicUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_comes_without_port_or_path() {
        let u = PublicUrl::parse("https://Help.Example.org:8443/lms/").unwrap_or_default();
        assert_eq!(u.host(), "help.example.org");
        assert_eq!(PublicUrl::default().host(), "127.0.0.1");
    }

    #[test]
    fn addresses_are_normalised() {
        for (raw, expected) in [
            ("https://help.example.org", "https://help.example.org"),
            (" https://Help.Example.ORG/ ", "https://help.example.org"),
            ("https://help.example.org:443/", "https://help.example.org"),
            ("https://example.org/help/", "https://example.org/help"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://[::1]:8080/", "http://[::1]:8080"),
        ] {
            assert_eq!(PublicUrl::parse(raw).unwrap().as_str(), expected, "{raw}");
        }
        assert_eq!(
            PublicUrl::parse("https://example.org/help/")
                .unwrap()
                .link("/api/v1/certificates/AB-CD"),
            "https://example.org/help/api/v1/certificates/AB-CD"
        );
    }

    #[test]
    fn what_is_not_a_plain_address_is_refused() {
        for bad in [
            "",
            "help.example.org",
            "/help",
            "ftp://help.example.org",
            "https://",
            "https://user:pw@help.example.org",
            "https://help.example.org/?x=1",
            "https://help.example.org/?",
            "https://help.example.org/#top",
            "mailto:help@example.org",
        ] {
            assert!(PublicUrl::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn https_is_told_apart() {
        assert!(PublicUrl::parse("https://h.example").unwrap().is_https());
        assert!(!PublicUrl::parse("http://h.example").unwrap().is_https());
    }

    #[test]
    fn the_development_default_follows_the_listen_address() {
        let at = |s: &str| PublicUrl::for_address(s.parse().unwrap()).to_string();
        assert_eq!(at("127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(at("0.0.0.0:9000"), "http://localhost:9000");
        assert_eq!(at("[::]:9000"), "http://localhost:9000");
        assert_eq!(at("[::1]:9000"), "http://[::1]:9000");
    }
}
