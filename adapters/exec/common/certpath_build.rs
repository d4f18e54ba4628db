// The build script of the Rust verifiers (copied into each crate as build.rs): reads the version
// of every package cargo resolved (Cargo.lock, written before build scripts run) into
// CP_VERSION_<PACKAGE> (upper case, '-' as '_'), so that the hello states what was linked, not
// what Cargo.toml asked for.
use std::fs;

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".to_string());
    let lock = fs::read_to_string(format!("{}/Cargo.lock", dir)).unwrap_or_default();
    let mut name: Option<String> = None;
    for line in lock.lines().map(str::trim) {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_uppercase().replace('-', "_"));
        } else if let (Some(n), Some(v)) = (name.take(), line.strip_prefix("version = ")) {
            println!("cargo:rustc-env=CP_VERSION_{}={}", n, v.trim_matches('"'));
        }
    }
    println!("cargo:rerun-if-changed=Cargo.lock");
}
