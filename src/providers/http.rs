//! The HTTP client a provider asks for: our timeouts and user agent, never following redirects
//! (OAuth endpoints must not be followed), and room for a TLS client certificate (Teller's
//! mTLS). Each provider builds its own from [`HttpOptions`]; what it sends is its business.
//! [`unreachable`] maps every provider's transport failure, an untrusted certificate included.

use std::time::Duration;

use anyhow::{Context as _, Result};

use crate::error::UserError;
use crate::secrets::SecretString;

/// How long a request may take when nothing says otherwise (`[http] timeout_secs`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// What the configuration says about HTTP, plus what the provider adds before building.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// The whole request, connection included (`[http] timeout_secs`, `TALLY_HTTP_TIMEOUT`).
    pub timeout: Duration,
    /// A client certificate and its key (PEM, both in one), for banks that require mTLS.
    pub identity: Option<SecretString>,
    /// Root certificates (PEM) to trust instead of the system's: a provider's own CA, a
    /// TLS-inspecting proxy's, or a test server's throwaway one.
    pub roots: Option<String>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions { timeout: DEFAULT_TIMEOUT, identity: None, roots: None }
    }
}

impl HttpOptions {
    pub fn new(timeout: Duration) -> HttpOptions {
        HttpOptions { timeout, identity: None, roots: None }
    }

    /// Present this client certificate (PEM: the certificate chain and its private key).
    pub fn with_identity(mut self, pem: SecretString) -> HttpOptions {
        self.identity = Some(pem);
        self
    }

    /// Trust only the certificates in `pem` (one or more) for the server's certificate.
    pub fn with_roots(mut self, pem: String) -> HttpOptions {
        self.roots = Some(pem);
        self
    }

    pub fn client(&self) -> Result<reqwest::blocking::Client> {
        // reqwest is built without a default TLS provider: install ring's (idempotent).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::blocking::Client::builder()
            .user_agent(concat!("tally/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10).min(self.timeout))
            .timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none());
        if let Some(pem) = &self.identity {
            // The PEM is a secret: say what is wrong with it, never echo it.
            let identity = reqwest::Identity::from_pem(pem.expose().as_bytes()).map_err(|_| {
                UserError::usage(
                    "the client certificate is not usable: it must be PEM with the certificate and its key",
                )
                .hint("use the certificate and private key files the provider issued, concatenated")
            })?;
            builder = builder.identity(identity);
        }
        if let Some(pem) = &self.roots {
            let roots = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
                .ok()
                .filter(|r| !r.is_empty())
                .ok_or_else(|| {
                    UserError::usage("the root certificate file holds no PEM certificate")
                        .hint("give a file with one or more `-----BEGIN CERTIFICATE-----` blocks")
                })?;
            builder = builder.tls_certs_only(roots);
        }
        builder.build().context("cannot set up the HTTP client")
    }
}

/// A connection to `url` failed: a temporary failure (exit 75) with the provider's advice; or,
/// whichever provider it is, a server whose certificate tally cannot trust: one line saying
/// why, and a failure (exit 1), since trying again later will not make it trustworthy.
pub fn unreachable(url: &str, e: reqwest::Error, hint: &str) -> anyhow::Error {
    if let Some(why) = untrusted_certificate(&e) {
        return untrusted(url, why);
    }
    anyhow::Error::new(e)
        .context(UserError::new(crate::error::Exit::TempFail, format!("cannot reach {url}")).hint(hint.to_string()))
}

/// The hint for a certificate tally refuses: never to work around it blindly.
const UNTRUSTED_HINT: &str = "check the address and this computer's clock; a network that inspects HTTPS \
     (a company proxy, some antivirus) causes this too; tally does not talk to a server it cannot verify, \
     as someone may be listening in";

/// The one-line error for a server whose certificate failed verification. `url` is the one
/// the caller may show (already without credentials); only its host and port are named.
fn untrusted(url: &str, why: &rustls::CertificateError) -> anyhow::Error {
    let server = url::Url::parse(url)
        .ok()
        .and_then(|u| Some(format!("{}{}", u.host_str()?, u.port().map(|p| format!(":{p}")).unwrap_or_default())))
        .unwrap_or_else(|| url.to_string());
    UserError::failure(format!("the server's certificate is not trusted: {server} {}", reason(why)))
        .hint(UNTRUSTED_HINT)
        .into()
}

/// Why a certificate was refused, in words.
fn reason(why: &rustls::CertificateError) -> String {
    use rustls::CertificateError as C;
    match why {
        C::UnknownIssuer => "presents a certificate no trusted authority signed (self-signed, or a private CA)".into(),
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            "presents a certificate issued for another host name".into()
        }
        C::Expired | C::ExpiredContext { .. } => "presents a certificate that has expired".into(),
        C::NotValidYet | C::NotValidYetContext { .. } => {
            "presents a certificate that is not valid yet (is this computer's clock right?)".into()
        }
        C::Revoked => "presents a certificate its authority has revoked".into(),
        C::BadSignature => "presents a certificate whose signature does not verify".into(),
        other => format!("presents a certificate that failed verification ({other})"),
    }
}

/// The certificate error somewhere in a request error's causes. An `io::Error` hides the
/// error it wraps from `source()` (and hyper wraps one in another), so look inside those too.
fn untrusted_certificate(e: &reqwest::Error) -> Option<&rustls::CertificateError> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        let mut inner = err;
        while let Some(wrapped) = inner.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            inner = wrapped;
        }
        if let Some(rustls::Error::InvalidCertificate(why)) = inner.downcast_ref::<rustls::Error>() {
            return Some(why);
        }
        next = err.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_that_is_not_pem_is_a_usage_error_that_does_not_echo_it() {
        let options = HttpOptions::default().with_identity(SecretString::new("s3cret-not-a-pem"));
        let err = options.client().unwrap_err();
        let user = crate::error::user_error(&err).expect("a user error");
        assert_eq!(user.exit, crate::error::Exit::Usage);
        assert!(!format!("{err:#}").contains("s3cret"), "{err:#}");
    }

    #[test]
    fn roots_must_hold_a_certificate() {
        let err = HttpOptions::default().with_roots("no certificate here".into()).client().unwrap_err();
        assert_eq!(crate::error::user_error(&err).unwrap().exit, crate::error::Exit::Usage);
    }

    #[test]
    fn every_refusal_reason_is_said_in_words() {
        use rustls::CertificateError as C;
        let err = untrusted("https://bank.example:8443/oauth/token?x=1", &C::NotValidForName);
        assert_eq!(
            err.to_string(),
            "the server's certificate is not trusted: bank.example:8443 presents a certificate issued for another host name"
        );
        assert!(crate::error::user_error(&err).unwrap().hint.as_deref().unwrap().contains("clock"));
        assert!(reason(&C::Expired).contains("expired"));
        assert!(reason(&C::UnknownIssuer).contains("self-signed"));
        assert!(reason(&C::NotValidYet).contains("clock"));
    }

    #[test]
    fn a_client_without_a_certificate_builds() {
        assert!(HttpOptions::new(Duration::from_secs(1)).client().is_ok());
    }
}
