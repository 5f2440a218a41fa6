//! Freed-memory scan (issue 14, "secrets wiped wherever they pass"): each operation runs
//! in process through `sakke_cli::run` under an allocator that keeps a copy of every
//! block freed meanwhile (`freed_memory/quarantine.rs`). Then the secrets the operation
//! handled, read from the files it produced or consumed, are searched for in those
//! copies, in binary and in lower-case hex, piece by piece (16 bytes, 32 hex digits) so
//! that a partial leftover is found too. A piece found is a secret left in memory that
//! the allocator hands to its next caller.
//!
//! Standard output and error go to files while an operation runs (`freed_memory/
//! redirect.rs`): the keys `imessage create --json` and `imessage open` print by design
//! stay out of the test log, and are read back from there as secrets to search for. What
//! was printed may stay in std's stdout buffer, which is never freed.
//!
//! Not covered: copies on the stack and in registers; memory still in use when the
//! operation returns (such as that stdout buffer); secrets held in another form than
//! their encoding (scalars and field elements in limbs).
//!
//! Its own test binary without libtest (`harness = false`): the allocator is global,
//! libtest's output capture would keep printed keys in buffers that grow, and nothing
//! may run beside the operation being watched.

mod common;
#[path = "freed_memory/quarantine.rs"]
mod quarantine;
#[path = "freed_memory/redirect.rs"]
mod redirect;

use std::collections::BTreeSet;
use std::fs;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use common::{read_json, user_file, Scratch};
use quarantine::{Blocks, Freed};
use redirect::Redirect;
use serde_json::{json, Value};
use zeroize::Zeroizing;

#[global_allocator]
static ALLOCATOR: quarantine::Quarantine = quarantine::Quarantine;

const ALICE: &str = "tel:+447700900123";
const BOB: &str = "tel:+447700900456";
const PERIOD: &str = "2026-11";
const AT: &str = "2026-11-20T10:00:00Z";
const NOW: &str = "2026-11-20T10:00:05Z";
/// Secrets are searched for in pieces of this many bytes (twice as many hex digits).
const PIECE: usize = 16;
/// Set to print the start of every freed block found holding a secret (test keys only).
const SHOW_BLOCKS: &str = "SAKKE_SHOW_LEAKED_BLOCKS";

fn main() -> ExitCode {
    let started = Instant::now();
    the_scan_finds_what_it_should();
    let mut scan = Scan::default();
    let w = World::new();
    key_store(&mut scan, &w);
    messages(&mut scan, &w);
    batches(&mut scan, &w);
    scan.finish(started)
}

/// A scratch directory with the key store the operations build and use.
struct World {
    s: Scratch,
    store: String,
    kms_file: PathBuf,
    public_file: String,
    alice_file: String,
    bob_file: String,
}

impl World {
    fn new() -> World {
        let s = Scratch::new("freed-memory");
        let store = s.arg("store");
        World {
            kms_file: s.path("store/kms.json"),
            public_file: s.arg("store/kms-public.json"),
            alice_file: user_file(&store, ALICE, PERIOD),
            bob_file: user_file(&store, BOB, PERIOD),
            store,
            s,
        }
    }
}

/// `kms init`, `kms issue` (bulk), `kms export-public`, and `kms issue` on a kms.json
/// that fails to parse after its secrets.
fn key_store(scan: &mut Scan, w: &World) {
    let freed = run(
        &w.s,
        "init",
        &["kms", "init", "--store", &w.store],
        None,
        true,
    )
    .0;
    scan.check("kms init", freed, &kms_secrets(&w.kms_file));

    fs::write(w.s.path("users.txt"), format!("{ALICE}\n{BOB}\n")).expect("users.txt");
    let uris = w.s.arg("users.txt");
    let issue = [
        "kms", "issue", "--store", &w.store, "--uris", &uris, "--period", PERIOD,
    ];
    let freed = run(&w.s, "issue", &issue, None, true).0;
    let mut secrets = kms_secrets(&w.kms_file);
    secrets.extend(user_secrets("alice", Path::new(&w.alice_file)));
    secrets.extend(user_secrets("bob", Path::new(&w.bob_file)));
    scan.check("kms issue (bulk, two users)", freed, &secrets);

    let export = w.s.arg("exported.json");
    let args = [
        "kms",
        "export-public",
        "--store",
        &w.store,
        "--out",
        &export,
    ];
    let freed = run(&w.s, "export", &args, None, true).0;
    scan.check("kms export-public", freed, &kms_secrets(&w.kms_file));

    let bad_store = w.s.path("bad-store");
    fs::create_dir(&bad_store).expect("bad store");
    let bad_kms = bad_store.join("kms.json");
    write_private(&bad_kms, &with_extra_field(&w.kms_file));
    let bad = bad_store.to_str().expect("utf-8 path");
    let args = [
        "kms", "issue", "--store", bad, "--uri", ALICE, "--period", PERIOD,
    ];
    let freed = run(&w.s, "bad-kms", &args, None, false).0;
    let op = "kms issue, kms.json fails to parse";
    scan.check(op, freed, &kms_secrets(&bad_kms));
}

/// `imessage create --store` and `imessage open` (both --json, so the TGK, TEK and salt
/// they print can be read back from their redirected output), and `imessage open` with a
/// user file that fails to parse after its keys.
fn messages(scan: &mut Scan, w: &World) {
    let msg = w.s.arg("msg.bin");
    let create = [
        "imessage", "create", "--store", &w.store, "--from", ALICE, "--to", BOB, "--at", AT,
        "--raw", &msg,
    ];
    let (freed, printed) = run(&w.s, "create", &create, None, true);
    let session = session_secrets(&printed);
    let mut secrets = kms_secrets(&w.kms_file); // the store's kms.json is checked too
    secrets.extend(user_secrets("alice", Path::new(&w.alice_file)));
    secrets.extend(session.iter().map(Secret::copy));
    scan.check("imessage create --store", freed, &secrets);

    let open = |user: &str| {
        [
            "imessage",
            "open",
            "--user",
            user,
            "--kms-public",
            &w.public_file,
            "--from",
            ALICE,
            "--in",
            &msg,
            "--now",
            NOW,
        ]
        .map(str::to_string)
    };
    let (freed, printed) = run(&w.s, "open", &open(&w.bob_file), None, true);
    let opened = session_secrets(&printed);
    assert!(
        opened.iter().zip(&session).all(|(a, b)| a.bytes == b.bytes),
        "imessage open derived other keys than imessage create"
    );
    let mut secrets = user_secrets("bob", Path::new(&w.bob_file));
    secrets.extend(session.iter().map(Secret::copy));
    scan.check("imessage open", freed, &secrets);

    let bad_user = w.s.path("bad-user.json");
    write_private(&bad_user, &with_extra_field(Path::new(&w.bob_file)));
    let args = open(bad_user.to_str().expect("utf-8 path"));
    let freed = run(&w.s, "bad-user", &args, None, false).0;
    let op = "imessage open, user file fails to parse";
    scan.check(op, freed, &user_secrets("bob", &bad_user));
}

/// `encap-batch` with given SSVs, then `decap-batch` of its results from a file to a file
/// and from stdin to stdout, with a misspelt field, a tampered message and an RSK
/// written with escapes among the lines.
fn batches(scan: &mut Scan, w: &World) {
    let z = hex_field(Path::new(&w.public_file), "sakke_public_key");
    let users = [
        (
            identity(ALICE),
            hex_field(Path::new(&w.alice_file), "sakke_rsk"),
        ),
        (
            identity(BOB),
            hex_field(Path::new(&w.bob_file), "sakke_rsk"),
        ),
    ];
    let ssvs: Vec<Secret> = (0..4)
        .map(|i| Secret::new(format!("SSV {i}"), sakke::Ssv::random().as_bytes().to_vec()))
        .collect();
    let requests = ssvs.iter().enumerate().map(|(i, ssv)| {
        json!({
            "id": i,
            "kms_public_key": hex::encode(&z),
            "identity": hex::encode(&users[i % 2].0),
            "ssv": hex::encode(&ssv.bytes),
        })
        .to_string()
    });
    let encap_in = write_lines(&w.s, "encap-requests.jsonl", requests);
    let encap_out = w.s.arg("encap-results.jsonl");
    let args = ["encap-batch", "--in", &encap_in, "--out", &encap_out];
    let freed = run(&w.s, "encap", &args, None, true).0;
    scan.check("encap-batch, file to file", freed, &ssvs);

    let requests: Vec<Value> = read_lines(&encap_out)
        .iter()
        .enumerate()
        .map(|(i, result)| {
            json!({
                "id": i,
                "kms_public_key": hex::encode(&z),
                "identity": hex::encode(&users[i % 2].0),
                "rsk": hex::encode(&users[i % 2].1),
                "encapsulated": result["encapsulated"],
            })
        })
        .collect();
    let mut misspelt = requests[0].clone();
    let rsk = misspelt["rsk"].take();
    misspelt.as_object_mut().expect("object").remove("rsk");
    misspelt["RSK"] = rsk;
    misspelt["id"] = json!("misspelt");
    let mut tampered = requests[1].clone();
    let mut ed = tampered["encapsulated"].as_str().expect("hex").to_string();
    ed.replace_range(ed.len() - 2.., if ed.ends_with("00") { "01" } else { "00" });
    tampered["encapsulated"] = json!(ed);
    tampered["id"] = json!("tampered");
    // The first line again with every digit of its RSK escaped (\u0030 for 0).
    let mut escaped = requests[0].clone();
    escaped["id"] = json!("escaped");
    let rsk = hex::encode(&users[0].1);
    let escaped_rsk: String = rsk
        .chars()
        .map(|c| format!("\\u{:04x}", c as u32))
        .collect();
    let escaped = escaped.to_string().replace(&rsk, &escaped_rsk);
    let lines = requests
        .iter()
        .chain([&misspelt, &tampered])
        .map(Value::to_string)
        .chain([escaped]);
    let decap_in = write_lines(&w.s, "decap-requests.jsonl", lines);
    let mut secrets: Vec<Secret> = ssvs.iter().map(Secret::copy).collect();
    secrets.push(Secret::new("alice's RSK", users[0].1.clone()));
    secrets.push(Secret::new("bob's RSK", users[1].1.clone()));

    let decap_out = w.s.arg("decap-results.jsonl");
    let args = ["decap-batch", "--in", &decap_in, "--out", &decap_out];
    let freed = run(&w.s, "decap", &args, None, true).0;
    scan.check("decap-batch, file to file", freed, &secrets);
    check_decapsulated(&fs::read_to_string(&decap_out).expect("results"), &ssvs);

    let stdin = Path::new(&decap_in);
    let (freed, printed) = run(&w.s, "decap-stdio", &["decap-batch"], Some(stdin), true);
    scan.check("decap-batch, stdin to stdout", freed, &secrets);
    check_decapsulated(&printed, &ssvs);
}

/// The secrets of a kms.json: z and the KSAK.
fn kms_secrets(kms_file: &Path) -> Vec<Secret> {
    vec![
        Secret::new("z", hex_field(kms_file, "sakke_master_secret")),
        Secret::new("KSAK", hex_field(kms_file, "eccsi_ksak")),
    ]
}

/// The secrets of a user key file: the RSK and the SSK.
fn user_secrets(who: &str, user_file: &Path) -> Vec<Secret> {
    vec![
        Secret::new(format!("{who}'s RSK"), hex_field(user_file, "sakke_rsk")),
        Secret::new(format!("{who}'s SSK"), hex_field(user_file, "eccsi_ssk")),
    ]
}

/// The TGK, TEK and salt that `imessage create` or `open` printed (--json).
fn session_secrets(printed: &str) -> Vec<Secret> {
    let report: Value = serde_json::from_str(printed).expect("JSON report");
    ["tgk", "tek", "salt"]
        .iter()
        .map(|field| {
            let hex = report[field].as_str().expect("hex field");
            Secret::new(field.to_uppercase(), hex::decode(hex).expect("hex"))
        })
        .collect()
}

fn hex_field(file: &Path, field: &str) -> Vec<u8> {
    let value = read_json(file);
    let text = value[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} in {file:?}"));
    hex::decode(text).expect("hex field")
}

fn identity(uri: &str) -> Vec<u8> {
    format!("{PERIOD}\0{uri}\0").into_bytes()
}

/// The file's JSON with one more member at the end, which no loader accepts.
fn with_extra_field(file: &Path) -> String {
    let text = fs::read_to_string(file).expect("key file");
    let body = text.trim_end().strip_suffix('}').expect("a JSON object");
    format!(
        "{},\n  \"comment\": \"added by hand\"\n}}\n",
        body.trim_end()
    )
}

fn write_private(path: &Path, contents: &str) {
    use std::os::unix::fs::PermissionsExt;
    fs::write(path, contents).expect("write file");
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).expect("chmod");
}

fn write_lines(s: &Scratch, name: &str, lines: impl Iterator<Item = String>) -> String {
    let text: String = lines.map(|line| line + "\n").collect();
    fs::write(s.path(name), text).expect("write requests");
    s.arg(name)
}

fn read_lines(path: &str) -> Vec<Value> {
    let text = fs::read_to_string(path).expect("results");
    text.lines()
        .map(|line| serde_json::from_str(line).expect("JSON line"))
        .collect()
}

/// The decap-batch results: every SSV back, the two bad lines' errors, and the first
/// SSV again from the line with the escaped RSK.
fn check_decapsulated(results: &str, ssvs: &[Secret]) {
    let results: Vec<Value> = results
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON line"))
        .collect();
    assert_eq!(results.len(), ssvs.len() + 3, "{results:?}");
    let ssv = |i: usize| json!(hex::encode(&ssvs[i].bytes));
    for (i, result) in results[..ssvs.len()].iter().enumerate() {
        assert_eq!(result["ssv"], ssv(i), "{result}");
    }
    let error = |i: usize| {
        results[ssvs.len() + i]["error"]
            .as_str()
            .unwrap_or_default()
    };
    assert!(error(0).starts_with("unknown_field"), "{}", error(0));
    assert!(error(1).starts_with("test_failed"), "{}", error(1));
    assert_eq!(results[ssvs.len() + 2]["ssv"], ssv(0));
}

/// Runs `sakke --json <args>` in process while recording freed blocks; standard output
/// and error go to files (`<name>.stdout`, `<name>.stderr`) and stdin comes from
/// `stdin`. Returns the freed blocks and what the command printed.
fn run(
    s: &Scratch,
    name: &str,
    args: &[impl AsRef<str>],
    stdin: Option<&Path>,
    succeeds: bool,
) -> (Freed, String) {
    let argv: Vec<String> = ["sakke", "--json"]
        .into_iter()
        .chain(args.iter().map(AsRef::as_ref))
        .map(str::to_string)
        .collect();
    let (stdout, stderr) = (
        s.path(&format!("{name}.stdout")),
        s.path(&format!("{name}.stderr")),
    );
    let redirect = Redirect::to(&stdout, &stderr, stdin);
    quarantine::start();
    let code = sakke_cli::run(argv);
    let freed = quarantine::stop();
    redirect.restore();
    let printed = fs::read_to_string(&stdout).expect("stdout file");
    let errors = fs::read_to_string(&stderr).expect("stderr file");
    assert_eq!(
        code == ExitCode::SUCCESS,
        succeeds,
        "sakke {args:?}: exit {code:?}\n{errors}",
        args = args.iter().map(AsRef::as_ref).collect::<Vec<_>>()
    );
    (freed, printed)
}

/// A secret to search for, under the name the report gives it.
struct Secret {
    name: String,
    bytes: Vec<u8>,
}

impl Secret {
    fn new(name: impl Into<String>, bytes: Vec<u8>) -> Secret {
        Secret {
            name: name.into(),
            bytes,
        }
    }

    fn copy(&self) -> Secret {
        Secret::new(self.name.clone(), self.bytes.clone())
    }

    /// Consecutive 16-byte pieces, the last one ending at the end; a shorter secret whole.
    fn pieces(&self) -> Vec<&[u8]> {
        let bytes = &self.bytes[..];
        if bytes.len() <= PIECE {
            return vec![bytes];
        }
        let mut pieces: Vec<&[u8]> = bytes.chunks_exact(PIECE).collect();
        if !bytes.len().is_multiple_of(PIECE) {
            pieces.push(&bytes[bytes.len() - PIECE..]);
        }
        pieces
    }
}

/// What the scan found, operation by operation.
#[derive(Default)]
struct Scan {
    leaks: Vec<String>,
    inconclusive: Vec<String>,
}

impl Scan {
    /// Searches the blocks freed during `op` for every piece of every secret, in binary
    /// and in lower-case hex.
    fn check(&mut self, op: &str, freed: Freed, secrets: &[Secret]) {
        let blocks = match freed {
            Freed::Kept(blocks) => blocks,
            Freed::Overflowed { needed } => {
                self.inconclusive.push(format!(
                    "{op}: freed {} MiB, more than the quarantine arena holds",
                    needed >> 20
                ));
                return;
            }
        };
        let names: Vec<&str> = secrets.iter().map(|s| s.name.as_str()).collect();
        eprintln!(
            "{op}: {} freed blocks ({} KiB) searched for {}",
            blocks.count(),
            blocks.total_bytes() >> 10,
            names.join(", ")
        );
        for secret in secrets {
            let pieces = secret.pieces();
            let hex: Vec<String> = pieces.iter().map(hex::encode).collect();
            let binary = found_in(&blocks, pieces.iter().copied());
            let text = found_in(&blocks, hex.iter().map(String::as_bytes));
            for (form, found) in [("binary", binary), ("hex", text)] {
                if found.is_empty() {
                    continue;
                }
                let sizes: Vec<usize> = found.iter().map(|&(_, size)| size).collect();
                let leak = format!(
                    "{op}: {} ({form}) in freed blocks of {sizes:?} bytes",
                    secret.name
                );
                if std::env::var_os(SHOW_BLOCKS).is_some() {
                    for &(index, _) in &found {
                        eprintln!("  {leak}: {}", excerpt(blocks.get(index)));
                    }
                }
                self.leaks.push(leak);
            }
        }
    }

    fn finish(self, started: Instant) -> ExitCode {
        let seconds = started.elapsed().as_secs_f64();
        for leak in &self.leaks {
            eprintln!("LEAK {leak}");
        }
        for what in &self.inconclusive {
            eprintln!("INCONCLUSIVE {what}");
        }
        if self.leaks.is_empty() && self.inconclusive.is_empty() {
            eprintln!("freed memory holds none of the secrets ({seconds:.1} s)");
            ExitCode::SUCCESS
        } else {
            eprintln!(
                "{} leak(s), {} inconclusive operation(s) ({seconds:.1} s)",
                self.leaks.len(),
                self.inconclusive.len()
            );
            ExitCode::FAILURE
        }
    }
}

/// The distinct freed blocks that hold any of `needles`: (index, size), in order.
fn found_in<'a>(blocks: &Blocks, needles: impl Iterator<Item = &'a [u8]>) -> Vec<(usize, usize)> {
    let mut found = BTreeSet::new();
    for needle in needles {
        found.extend(blocks.holding(needle));
    }
    found.into_iter().collect()
}

/// The start of a block, text where it is printable, to tell what left it.
fn excerpt(block: &[u8]) -> String {
    let start = &block[..block.len().min(96)];
    if start
        .iter()
        .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
    {
        String::from_utf8_lossy(start).escape_debug().to_string()
    } else {
        hex::encode(start)
    }
}

/// The scan's own controls: a buffer freed unwiped and the old buffer of a `Vec` that
/// grew are found; a buffer wiped before it is freed is not.
fn the_scan_finds_what_it_should() {
    let marker = |seed: u8| -> Vec<u8> { (0..32u8).map(|i| i.wrapping_mul(73) ^ seed).collect() };
    let (freed_plain, grown_from, wiped) = (marker(0x5a), marker(0xc3), marker(0x96));
    let plain = black_box(freed_plain.clone());
    let mut grown = black_box(Vec::with_capacity(grown_from.len()));
    let zeroized = black_box(Zeroizing::new(wiped.clone()));
    quarantine::start();
    drop(black_box(plain));
    grown.extend_from_slice(&grown_from);
    grown.push(0); // moves to a larger block
    drop(black_box(zeroized));
    let freed = quarantine::stop();
    let Freed::Kept(blocks) = freed else {
        panic!("the control recording overflowed");
    };
    assert!(
        !blocks.holding(&freed_plain).is_empty(),
        "a plain freed buffer is not found"
    );
    assert!(
        !blocks.holding(&grown_from).is_empty(),
        "a grown Vec's old buffer is not found"
    );
    assert!(blocks.holding(&wiped).is_empty(), "a wiped buffer is found");
    drop(black_box(grown));
}
