//! certpath-verify-rustls-webpki: verifies certpath cases with rustls-webpki 0.102 (the crate
//! rustls 0.23 uses) and speaks certpath's exec protocol (adapters/exec/PROTOCOL.md, through
//! certpath_exec.rs) on stdin/stdout.
//!
//! Set up as rustls 0.23's WebPkiServerVerifier::verify_server_cert checks a server with the
//! ring provider, rustls's default on Debian 13 (rustls 0.23.26 there, over this crate): the
//! trust anchors are the case's roots (those webpki cannot parse are skipped, as
//! RootCertStore::add_parsable_certificates does); the leaf is parsed into an EndEntityCert;
//! verify_for_usage with the ring provider's signature algorithms, the anchors, the other
//! certificates the server sent as intermediates, the case's time, KeyUsage::server_auth(), no
//! revocation and no path callback; then verify_is_valid_for_subject_name with the hostname as
//! rustls's ServerName reads it: a DNS name, or else an IP address.
//!
//! A reject carries webpki's error, which rustls turns into the handshake's certificate error
//! (a leaf webpki cannot parse included: rustls fails the handshake with BadEncoding). What this
//! program itself cannot read or use (the files, a hostname that is no ServerName, which rustls
//! refuses before it connects) is an error, never a reject.

mod certpath_exec;
mod certpath_pem;

use certpath_exec::{Case, Verdict};
use serde_json::json;
use std::time::Duration;
use webpki::types::{CertificateDer, ServerName, UnixTime};

/// The signature algorithms of rustls 0.23's ring provider (its SUPPORTED_SIG_ALGS.all, as in
/// Debian 13's rustls 0.23.26): what its WebPkiServerVerifier passes to verify_for_usage.
static ALGS: &[&dyn webpki::types::SignatureVerificationAlgorithm] = &[
    webpki::ring::ECDSA_P256_SHA256,
    webpki::ring::ECDSA_P256_SHA384,
    webpki::ring::ECDSA_P384_SHA256,
    webpki::ring::ECDSA_P384_SHA384,
    webpki::ring::ED25519,
    webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
    webpki::ring::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
    webpki::ring::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
    webpki::ring::RSA_PKCS1_2048_8192_SHA256,
    webpki::ring::RSA_PKCS1_2048_8192_SHA384,
    webpki::ring::RSA_PKCS1_2048_8192_SHA512,
    webpki::ring::RSA_PKCS1_3072_8192_SHA384,
];

const SETTINGS: &str = "webpki::EndEntityCert::verify_for_usage then \
verify_is_valid_for_subject_name, as rustls 0.23's WebPkiServerVerifier::verify_server_cert calls \
them with the ring provider: its signature algorithms (ECDSA P-256/P-384 with SHA-256/384, \
Ed25519, RSA-PSS 2048-8192 bits with SHA-256/384/512, RSA PKCS#1 2048-8192 bits with \
SHA-256/384/512 and 3072-8192 bits with SHA-384), trust anchors from the case's roots \
(anchor_from_trusted_cert; roots webpki cannot parse are skipped, as \
RootCertStore::add_parsable_certificates does), the other certificates sent as intermediates, \
the case's validation time, KeyUsage::server_auth(), no revocation, no path callback; then the \
hostname as rustls's ServerName (a DNS name, else an IP address).";

fn reject(e: webpki::Error) -> Verdict {
    Verdict::reject(format!("{:?}", e), None)
}

fn verify(case: &Case) -> Verdict {
    let name = match ServerName::try_from(case.hostname) {
        Ok(n) => n,
        Err(_) => {
            return Verdict::error(format!(
                "not a DNS name or an IP address rustls takes: {}",
                case.hostname
            ))
        }
    };
    let roots: Vec<CertificateDer> =
        case.roots.iter().map(|r| CertificateDer::from(r.as_slice())).collect();
    let anchors: Vec<_> =
        roots.iter().filter_map(|r| webpki::anchor_from_trusted_cert(r).ok()).collect();
    let chain: Vec<CertificateDer> =
        case.chain.iter().map(|c| CertificateDer::from(c.as_slice())).collect();
    // A leaf webpki cannot parse fails rustls's handshake with webpki's error: a reject.
    let ee = match webpki::EndEntityCert::try_from(&chain[0]) {
        Ok(ee) => ee,
        Err(e) => return reject(e),
    };
    let now = UnixTime::since_unix_epoch(Duration::from_secs(case.time));
    let res = ee
        .verify_for_usage(
            ALGS,
            &anchors,
            &chain[1..],
            now,
            webpki::KeyUsage::server_auth(),
            None,
            None,
        )
        .and_then(|_| ee.verify_is_valid_for_subject_name(&name));
    match res {
        Ok(()) => Verdict::accept(),
        Err(e) => reject(e),
    }
}

fn main() {
    let hello = json!({
        "certpath-exec": 1,
        "name": "rustls-webpki",
        "library": "rustls-webpki",
        "version": format!("{} (ring {}, rustls-pki-types {})", env!("CP_VERSION_RUSTLS_WEBPKI"),
                           env!("CP_VERSION_RING"), env!("CP_VERSION_RUSTLS_PKI_TYPES")),
        "caps": ["verify", "set-time", "hostname", "purpose", "ip"],
        "settings": SETTINGS,
    });
    certpath_exec::serve(hello, &verify);
}
