//! certpath-verify-webpki: verifies certpath cases with webpki (the crate rustls 0.20 uses) and
//! speaks certpath's exec protocol (adapters/exec/PROTOCOL.md) on stdin/stdout.
//!
//! Set up as rustls 0.20's WebPkiVerifier does for a TLS client: the trust anchors come from the
//! case's roots (those webpki cannot parse are skipped, as RootCertStore's
//! add_parsable_certificates does), the other certificates the server sent are the
//! intermediates, the validation time is the case's, then the leaf is checked against the
//! hostname. webpki itself requires serverAuth in every EKU it finds on the path.
//!
//! An outcome is `accept`, `reject` with webpki's error, or `error` when this program could not
//! run the case (an unreadable file, a bad request); the program never turns its own failure
//! into a reject. A request that is not well formed (PROTOCOL.md) is answered with an error
//! naming what is wrong, and the program goes on to the next line.

mod certpath_exec;
mod certpath_pem;

use certpath_exec::{Case, Verdict};
use serde_json::json;

/// The signature algorithms rustls 0.20 passes to webpki (its SUPPORTED_SIG_ALGS).
static ALGS: &[&webpki::SignatureAlgorithm] = &[
    &webpki::ECDSA_P256_SHA256,
    &webpki::ECDSA_P256_SHA384,
    &webpki::ECDSA_P384_SHA256,
    &webpki::ECDSA_P384_SHA384,
    &webpki::ED25519,
    &webpki::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
    &webpki::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
    &webpki::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
    &webpki::RSA_PKCS1_2048_8192_SHA256,
    &webpki::RSA_PKCS1_2048_8192_SHA384,
    &webpki::RSA_PKCS1_2048_8192_SHA512,
    &webpki::RSA_PKCS1_3072_8192_SHA384,
];

const SETTINGS: &str = "webpki::EndEntityCert::verify_is_valid_tls_server_cert as rustls 0.20's \
WebPkiVerifier calls it: rustls 0.20's signature algorithms (ECDSA P-256/P-384 with SHA-256/384, \
Ed25519, RSA PKCS#1 2048-8192 bits with SHA-256/384/512, RSA-PSS), trust anchors from the case's \
roots (roots webpki cannot parse are skipped, as RootCertStore::add_parsable_certificates does), \
the other certificates sent as intermediates, the case's validation time; then \
verify_is_valid_for_dns_name(hostname). webpki requires serverAuth in every EKU on the path; no \
revocation, no IP addresses (the request's hostname is used as a DNS name).";

/// webpki's error as a reject: its Error is a field-less enum, so the discriminant is a stable
/// native code.
fn reject(e: webpki::Error) -> Verdict {
    Verdict::reject(format!("{:?}", e), Some(e as i64))
}

fn verify(case: &Case) -> Verdict {
    let (chain, roots, hostname) = (&case.chain, &case.roots, case.hostname);
    let anchors: Vec<webpki::TrustAnchor> =
        roots.iter().filter_map(|r| webpki::TrustAnchor::try_from_cert_der(r).ok()).collect();
    let intermediates: Vec<&[u8]> = chain[1..].iter().map(|c| c.as_slice()).collect();
    let dns = match webpki::DnsNameRef::try_from_ascii_str(hostname) {
        Ok(d) => d,
        Err(_) => return Verdict::error(format!("not a DNS name webpki takes: {}", hostname)),
    };
    // A leaf webpki cannot parse fails rustls's handshake with webpki's error: a reject.
    let ee = match webpki::EndEntityCert::try_from(chain[0].as_slice()) {
        Ok(ee) => ee,
        Err(e) => return reject(e),
    };
    let when = webpki::Time::from_seconds_since_unix_epoch(case.time);
    let res = ee
        .verify_is_valid_tls_server_cert(
            ALGS,
            &webpki::TlsServerTrustAnchors(&anchors),
            &intermediates,
            when,
        )
        .and_then(|_| ee.verify_is_valid_for_dns_name(dns));
    match res {
        Ok(()) => Verdict::accept(),
        Err(e) => reject(e),
    }
}

fn main() {
    let hello = json!({
        "certpath-exec": 1,
        "name": "webpki",
        "library": "rustls-webpki",
        "version": format!("{} (ring {})", env!("CP_VERSION_WEBPKI"), env!("CP_VERSION_RING")),
        "caps": ["verify", "set-time", "hostname", "purpose"],
        "settings": SETTINGS,
    });
    certpath_exec::serve(hello, &verify);
}
