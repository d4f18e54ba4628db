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

mod pem;

use serde_json::{json, Value};
use std::io::{self, BufRead, Write};

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

/// What one case came to: the outcome, webpki's error name, and its error code.
struct Verdict {
    outcome: &'static str,
    reason: String,
    code: Option<i64>,
}

impl Verdict {
    fn error(reason: String) -> Self {
        Verdict { outcome: "error", reason, code: None }
    }

    fn reject(e: webpki::Error) -> Self {
        // webpki's Error is a field-less enum: its discriminant is a stable native code.
        Verdict { outcome: "reject", reason: format!("{:?}", e), code: Some(e as i64) }
    }
}

fn verify(chain: &[Vec<u8>], roots: &[Vec<u8>], hostname: &str, time: u64) -> Verdict {
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
        Err(e) => return Verdict::reject(e),
    };
    let when = webpki::Time::from_seconds_since_unix_epoch(time);
    let res = ee
        .verify_is_valid_tls_server_cert(
            ALGS,
            &webpki::TlsServerTrustAnchors(&anchors),
            &intermediates,
            when,
        )
        .and_then(|_| ee.verify_is_valid_for_dns_name(dns));
    match res {
        Ok(()) => Verdict { outcome: "accept", reason: String::new(), code: Some(0) },
        Err(e) => Verdict::reject(e),
    }
}

/// The largest timeout_ms the protocol allows (the harness's own --timeout limit).
const MAX_TIMEOUT_MS: i64 = 3_600_000;

fn field<'a>(req: &'a Value, key: &str) -> Result<&'a str, String> {
    req.get(key).and_then(Value::as_str).ok_or_else(|| format!("no string \"{}\"", key))
}

fn integer(req: &Value, key: &str, lo: i64, hi: i64) -> Result<i64, String> {
    req.get(key)
        .and_then(Value::as_i64)
        .filter(|v| (lo..=hi).contains(v))
        .ok_or_else(|| match key {
            "time" => "no integer \"time\"".to_string(), // any integer a time can be
            _ => format!("no integer \"{}\" from {} to {}", key, lo, hi),
        })
}

/// What is wrong with a request that is not well formed, as PROTOCOL.md lists it, or None.
fn problem_of(req: &Value) -> Option<String> {
    let check = || -> Result<(), String> {
        if !req.is_object() {
            return Err("not a JSON object".into());
        }
        field(req, "id")?;
        let mode = field(req, "mode")?;
        if mode != "verify" && mode != "connect" {
            return Err(format!("unknown mode \"{}\"", mode));
        }
        for key in ["chain", "roots", "hostname"] {
            field(req, key)?;
        }
        integer(req, "time", -(1 << 62), 1 << 62)?;
        if mode == "connect" {
            field(req, "host")?;
            integer(req, "port", 1, 65535)?;
        }
        if req.get("timeout_ms").is_some() {
            integer(req, "timeout_ms", 1, MAX_TIMEOUT_MS)?;
        }
        Ok(())
    };
    check().err()
}

/// A well-formed request's verdict (webpki waits on nothing, so timeout_ms is not used).
fn run_request(req: &Value) -> Verdict {
    if let Some(problem) = problem_of(req) {
        return Verdict::error(format!("bad request: {}", problem));
    }
    let run = || -> Result<Verdict, String> {
        let mode = field(req, "mode")?;
        if mode != "verify" {
            return Err(format!("mode \"{}\" is not supported (verify only)", mode));
        }
        let time = integer(req, "time", 0, i64::MAX)
            .map_err(|_| "webpki takes no validation time before 1970".to_string())?;
        let chain = pem::read_certs(field(req, "chain")?)?;
        let roots = pem::read_certs(field(req, "roots")?)?;
        if chain.is_empty() {
            return Err(format!("{}: no certificate", field(req, "chain")?));
        }
        Ok(verify(&chain, &roots, field(req, "hostname")?, time as u64))
    };
    run().unwrap_or_else(Verdict::error)
}

fn respond(out: &mut impl Write, id: Value, v: Verdict) -> io::Result<()> {
    let mut resp = json!({"id": id, "outcome": v.outcome, "reason": v.reason});
    if let Some(code) = v.code {
        resp["code"] = json!(code);
    }
    writeln!(out, "{}", resp)?;
    out.flush()
}

fn main() {
    let hello = json!({
        "certpath-exec": 1,
        "name": "webpki",
        "library": "rustls-webpki",
        "version": format!("{} (ring {})", env!("CP_WEBPKI_VERSION"), env!("CP_RING_VERSION")),
        "caps": ["verify", "set-time", "hostname", "purpose"],
        "settings": SETTINGS,
    });
    let stdout = io::stdout();
    let mut out = stdout.lock();
    if respond_line(&mut out, &hello).is_err() {
        std::process::exit(1);
    }
    // Lines as bytes: what is not UTF-8 is read as U+FFFD, as the other verifiers read it.
    for line in io::stdin().lock().split(b'\n') {
        let line = match line {
            Ok(l) => String::from_utf8_lossy(&l).trim_end_matches('\r').to_string(),
            Err(e) => {
                eprintln!("certpath-verify-webpki: reading stdin: {}", e);
                std::process::exit(1);
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        // A reply to a request without a string id carries "" (PROTOCOL.md).
        let (id, verdict) = match serde_json::from_str::<Value>(&line) {
            Ok(req) => (
                Value::from(req.get("id").and_then(Value::as_str).unwrap_or("")),
                run_request(&req),
            ),
            Err(e) => (Value::from(""), Verdict::error(format!("bad request: not JSON ({})", e))),
        };
        if respond(&mut out, id, verdict).is_err() {
            std::process::exit(1);
        }
    }
}

fn respond_line(out: &mut impl Write, v: &Value) -> io::Result<()> {
    writeln!(out, "{}", v)?;
    out.flush()
}
