//! The exec protocol's side in Rust (adapters/exec/PROTOCOL.md), shared by the verifiers written
//! in Rust (webpki, rustls-webpki) and copied into each one's crate at build time, as
//! certpath_exec.py is beside the Python verifiers: the hello, the checks of a request, one reply
//! per line, and the case's files read as DER.
//!
//! A verifier gives `serve` its hello and a function from a well-formed verify request to a
//! verdict. An outcome is `accept`, `reject` with the library's error, or `error` when the
//! program could not run the case (an unreadable file, a bad request): a failure of the program's
//! own is never turned into a reject. A request that is not well formed is answered with an
//! error naming what is wrong, and the program goes on to the next line.

use serde_json::{json, Value};
use std::io::{self, BufRead, Write};

/// What one case came to: the outcome, the library's words, and its native code if it has one.
pub struct Verdict {
    pub outcome: &'static str,
    pub reason: String,
    pub code: Option<i64>,
}

impl Verdict {
    pub fn accept() -> Self {
        Verdict { outcome: "accept", reason: String::new(), code: Some(0) }
    }

    pub fn reject(reason: String, code: Option<i64>) -> Self {
        Verdict { outcome: "reject", reason, code }
    }

    pub fn error(reason: String) -> Self {
        Verdict { outcome: "error", reason, code: None }
    }
}

/// A well-formed verify request, its files read: what a verifier verifies.
pub struct Case<'a> {
    /// The certificates as the server sends them, leaf first (at least one).
    pub chain: Vec<Vec<u8>>,
    /// The trust anchors' certificates, the only ones to trust.
    pub roots: Vec<Vec<u8>>,
    /// The name to verify: a DNS name or an IP address literal.
    pub hostname: &'a str,
    /// The validation time, Unix seconds (not before 1970: no verifier here takes one).
    pub time: u64,
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

/// A request's verdict: the verifier's for a well-formed verify request, an error otherwise
/// (these verifiers wait on nothing, so timeout_ms is not used).
fn run_request(req: &Value, verify: &dyn Fn(&Case) -> Verdict) -> Verdict {
    if let Some(problem) = problem_of(req) {
        return Verdict::error(format!("bad request: {}", problem));
    }
    let run = || -> Result<Verdict, String> {
        let mode = field(req, "mode")?;
        if mode != "verify" {
            return Err(format!("mode \"{}\" is not supported (verify only)", mode));
        }
        let time = integer(req, "time", 0, i64::MAX)
            .map_err(|_| "this verifier takes no validation time before 1970".to_string())?;
        let chain = crate::certpath_pem::read_certs(field(req, "chain")?)?;
        let roots = crate::certpath_pem::read_certs(field(req, "roots")?)?;
        if chain.is_empty() {
            return Err(format!("{}: no certificate", field(req, "chain")?));
        }
        let case = Case { chain, roots, hostname: field(req, "hostname")?, time: time as u64 };
        Ok(verify(&case))
    };
    run().unwrap_or_else(Verdict::error)
}

fn write_line(out: &mut impl Write, v: &Value) -> io::Result<()> {
    writeln!(out, "{}", v)?;
    out.flush()
}

/// Writes the hello, then answers every request on stdin until EOF; exits non-zero only when
/// stdin or stdout fails.
pub fn serve(hello: Value, verify: &dyn Fn(&Case) -> Verdict) {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    if write_line(&mut out, &hello).is_err() {
        std::process::exit(1);
    }
    // Lines as bytes: what is not UTF-8 is read as U+FFFD, as the other verifiers read it.
    for line in io::stdin().lock().split(b'\n') {
        let line = match line {
            Ok(l) => String::from_utf8_lossy(&l).trim_end_matches('\r').to_string(),
            Err(e) => {
                let name = hello["name"].as_str().unwrap_or("");
                eprintln!("certpath-verify-{}: reading stdin: {}", name, e);
                std::process::exit(1);
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        // A reply to a request without a string id carries "" (PROTOCOL.md).
        let (id, v) = match serde_json::from_str::<Value>(&line) {
            Ok(req) => (
                Value::from(req.get("id").and_then(Value::as_str).unwrap_or("")),
                run_request(&req, verify),
            ),
            Err(e) => (Value::from(""), Verdict::error(format!("bad request: not JSON ({})", e))),
        };
        let mut reply = json!({"id": id, "outcome": v.outcome, "reason": v.reason});
        if let Some(code) = v.code {
            reply["code"] = json!(code);
        }
        if write_line(&mut out, &reply).is_err() {
            std::process::exit(1);
        }
    }
}
