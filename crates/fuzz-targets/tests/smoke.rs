//! Runs every fuzz target's body over its committed seeds (`fuzz/seeds/<target>`) and a
//! few hundred deterministic mutations of each: bit flips, byte overwrites, truncations,
//! deletions, duplications and splices with another seed. On stable, in a few seconds;
//! the libFuzzer runs in `fuzz/` go much further.

use std::fs;
use std::path::PathBuf;

use fuzz_targets::TARGETS;

/// Mutations per seed.
const MUTATIONS: usize = 300;

fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/seeds")
        .join(target);
    let mut seeds: Vec<(String, Vec<u8>)> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("directory entry").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&path).expect("seed"))
        })
        .collect();
    seeds.sort();
    seeds
}

/// xorshift64*: the same mutations on every run, so that a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    // Up to three edits on top of each other.
    for _ in 0..=rng.below(3) {
        let len = bytes.len();
        let at = rng.below(len);
        match rng.below(6) {
            0 if len > 0 => bytes[at] ^= 1 << rng.below(8),
            1 if len > 0 => bytes[at] = rng.next() as u8,
            2 => bytes.truncate(at),
            3 => {
                let end = (at + 1 + rng.below(16)).min(len);
                bytes.drain(at..end);
            }
            4 => {
                let end = (at + 1 + rng.below(16)).min(len);
                let copy = bytes[at..end].to_vec();
                bytes.splice(at..at, copy);
            }
            _ => {
                let from = rng.below(other.len());
                bytes.truncate(at);
                bytes.extend_from_slice(&other[from..]);
            }
        }
    }
    bytes
}

fn smoke(name: &str) {
    let (_, body) = TARGETS.iter().find(|(n, _)| *n == name).expect("a target");
    let seeds = seeds(name);
    let accepted = seeds.iter().filter(|(_, data)| body(data)).count();
    // The seeds must get past the parsers' first checks, and include rejected inputs too.
    assert!(accepted > 0, "{name}: no seed is accepted");
    assert!(accepted < seeds.len(), "{name}: every seed is accepted");
    let mut rng = Rng(0x5eed_0000 ^ name.len() as u64);
    for (i, (seed_name, seed)) in seeds.iter().enumerate() {
        let other = &seeds[(i + 1) % seeds.len()].1;
        for n in 0..MUTATIONS {
            let input = mutate(&mut rng, seed, other);
            let result = std::panic::catch_unwind(|| body(&input));
            assert!(
                result.is_ok(),
                "{name}: mutation {n} of seed {seed_name} panics; input: {}",
                hex(&input)
            );
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn point() {
    smoke("point");
}

#[test]
fn encapsulated() {
    smoke("encapsulated");
}

#[test]
fn batch_line() {
    smoke("batch_line");
}

#[test]
fn key_file() {
    smoke("key_file");
}

#[test]
fn mikey() {
    smoke("mikey");
}

#[test]
fn every_target_has_a_test() {
    let names: Vec<&str> = TARGETS.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        ["point", "encapsulated", "batch_line", "key_file", "mikey"]
    );
}
