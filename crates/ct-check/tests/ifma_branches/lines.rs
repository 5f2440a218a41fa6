//! Source lines of machine addresses, from the line tables (addr2line).

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

/// For each address, the innermost frame whose file is in crates/pairing/src.
pub fn source_lines(addr2line: &Path, exe: &Path, addrs: &[u64]) -> HashMap<u64, (String, usize)> {
    let mut out = HashMap::new();
    for chunk in addrs.chunks(500) {
        let output = Command::new(addr2line)
            .arg("-e")
            .arg(exe)
            .args(["-i", "-a"])
            .args(chunk.iter().map(|a| format!("{a:#x}")))
            .output()
            .expect("addr2line runs");
        let text = String::from_utf8_lossy(&output.stdout);
        let mut current = None;
        for line in text.lines() {
            if let Some(hex) = line.strip_prefix("0x") {
                current = u64::from_str_radix(hex, 16).ok();
                continue;
            }
            let Some(addr) = current else { continue };
            let Some((_, rest)) = line.split_once("/crates/pairing/src/") else {
                continue;
            };
            let Some((file, n)) = rest.rsplit_once(':') else {
                continue;
            };
            let n = n.split_whitespace().next().unwrap_or("");
            if let Ok(n) = n.parse::<usize>() {
                out.entry(addr).or_insert((file.to_string(), n));
            }
        }
    }
    out
}
