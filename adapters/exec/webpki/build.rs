// Reads the versions of webpki and ring that cargo resolved (Cargo.lock, written before build
// scripts run) so the hello line states what was linked, not what Cargo.toml asked for.
use std::fs;

fn locked_version(lock: &str, name: &str) -> String {
    let key = format!("name = \"{}\"", name);
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == key {
            if let Some(v) = lines.next() {
                return v.trim().trim_start_matches("version = ").trim_matches('"').to_string();
            }
        }
    }
    "unknown".to_string()
}

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".to_string());
    let lock = fs::read_to_string(format!("{}/Cargo.lock", dir)).unwrap_or_default();
    println!("cargo:rustc-env=CP_WEBPKI_VERSION={}", locked_version(&lock, "webpki"));
    println!("cargo:rustc-env=CP_RING_VERSION={}", locked_version(&lock, "ring"));
    println!("cargo:rerun-if-changed=Cargo.lock");
}
