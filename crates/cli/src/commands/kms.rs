//! `sakke kms`: create a key store, issue user keys, export the public keys.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use eccsi::rand_core::OsRng;
use rayon::prelude::*;
use sakke::{Identifier, ReceiverKey};
use serde::Serialize;

use crate::identity::{identifier_bytes, KeyPeriod, Uri};
use crate::keystore::{
    public_json, KmsSecrets, Store, UserKeys, KMS_PUBLIC_FORMAT, MAX_USER_URI_BYTES,
};
use crate::output::progress;
use crate::output_file::{OutputFile, OutputRules};

#[derive(Subcommand)]
pub enum KmsCommand {
    /// Create a key store: a fresh SAKKE master secret and ECCSI KSAK in DIR/kms.json
    /// (mode 0600) and their public keys in DIR/kms-public.json.
    #[command(after_help = "Example:\n  sakke kms init --store ks --kms-uri kms.example.org")]
    Init(InitArgs),
    /// Issue a user's SAKKE RSK and ECCSI SSK + PVT for one key period, validate them,
    /// and write DIR/users/<uri>_<period>.json (mode 0600).
    #[command(after_help = "Examples:\n  \
        sakke kms issue --store ks --uri tel:+447700900123 --period 2026-11\n  \
        sakke kms issue --store ks --uris users.txt --period 2026-12   # one URI a line")]
    Issue(IssueArgs),
    /// Print (or write) the KMS public keys: what users and peers need, and nothing secret.
    #[command(after_help = "Example:\n  sakke kms export-public --store ks --out kms-public.json")]
    ExportPublic(ExportArgs),
    /// Rewrite DIR/kms-public.json from DIR/kms.json, after an interrupted `kms init` left
    /// the two holding different KMSs (every command that loads the store detects that).
    Repair(RepairArgs),
    /// Import a 3GPP MCX KMS's provisioning documents (TS 33.180 Annex D): its KmsInit
    /// response (KMS URI, key periods, Z, KPAK) and KmsKeyProv responses (user key
    /// sets). Everything is validated first; bad input writes nothing.
    #[command(
        name = "import-3gpp",
        after_help = "Example:\n  \
        sakke kms import-3gpp --store mcx --init kms-init.xml --keyprov alice-keyprov.xml\n\n\
        Signed responses (ds:Signature) and keys encrypted under a transport key are refused:\n\
        neither signature checking nor TrK decryption is built."
    )]
    Import3gpp(super::kms_3gpp::ImportArgs),
    /// Write 3GPP MCX KMS documents from a key store: the KmsInit response, and a
    /// KmsKeyProv response for users and a key period number (keys missing from a KMS's
    /// own store are issued for the user's UID and stored).
    #[command(
        name = "export-3gpp",
        after_help = "Example:\n  \
        sakke kms init --store ks --kms-uri kms.example.org --3gpp\n  \
        sakke kms export-3gpp --store ks --uri sip:alice@example.org \\\n      \
        --init-out kms-init.xml --keyprov-out alice-keyprov.xml"
    )]
    Export3gpp(super::kms_3gpp::ExportArgs),
}

#[derive(Args)]
pub struct InitArgs {
    /// Key store directory; created with mode 0700 if missing.
    #[arg(long, value_name = "DIR")]
    store: PathBuf,

    /// The KMS's URI, recorded in every file and sent in I_MESSAGEs as IDRkms.
    #[arg(long, value_name = "URI", default_value = "kms.example.org")]
    kms_uri: Uri,

    /// Replace an existing KMS in DIR. Keys issued by the old one stop validating.
    #[arg(long)]
    force: bool,

    /// Also act as a 3GPP MCX KMS: record a key period grid (UserIdFormat 2) for
    /// `kms export-3gpp`, by default 30-day periods (2592000 s) from offset 0.
    #[arg(long = "3gpp")]
    three_gpp: bool,

    /// 3GPP: the key period length in seconds (UserKeyPeriod); implies --3gpp.
    #[arg(long, value_name = "SECONDS")]
    user_key_period: Option<u64>,

    /// 3GPP: the start of the key period grid, seconds after 1900-01-01 (UserKeyOffset);
    /// implies --3gpp.
    #[arg(long, value_name = "SECONDS")]
    user_key_offset: Option<u64>,
}

#[derive(Args)]
#[command(group = clap::ArgGroup::new("who").required(true).args(["uri", "uris"]))]
pub struct IssueArgs {
    /// Key store directory made by `sakke kms init`.
    #[arg(long, value_name = "DIR")]
    store: PathBuf,

    /// The user's URI, e.g. tel:+447700900123.
    #[arg(long, value_name = "URI")]
    uri: Option<Uri>,

    /// A file of URIs, one per line (blank lines and lines starting with # are skipped),
    /// issued in parallel with a progress bar. The whole list is checked first: one bad
    /// line and nothing is issued. URIs are at most 200 bytes.
    #[arg(long, value_name = "FILE")]
    uris: Option<PathBuf>,

    /// Key period "YYYY-MM"; the identifier is "YYYY-MM\0<uri>\0" (RFC 6509 3.2).
    #[arg(long, value_name = "YYYY-MM")]
    period: KeyPeriod,

    /// Replace key files that already exist for these users and period (new keys).
    #[arg(long, conflicts_with = "skip_existing")]
    force: bool,

    /// Leave users that already have keys for the period alone and issue the rest: the
    /// way to finish a bulk run that stopped part-way.
    #[arg(long)]
    skip_existing: bool,
}

#[derive(Args)]
pub struct ExportArgs {
    /// Key store directory made by `sakke kms init`.
    #[arg(long, value_name = "DIR")]
    store: PathBuf,

    /// Write the public key file here (mode 0600) instead of printing it. Never into the
    /// key store itself.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,

    /// Replace an existing --out file that holds public keys (never any other file).
    #[arg(long, requires = "out")]
    force: bool,
}

#[derive(Args)]
pub struct RepairArgs {
    /// Key store directory made by `sakke kms init`.
    #[arg(long, value_name = "DIR")]
    store: PathBuf,
}

pub fn run(command: &KmsCommand, json: bool) -> Result<()> {
    match command {
        KmsCommand::Init(args) => init(args, json),
        KmsCommand::Issue(args) => issue(args, json),
        KmsCommand::ExportPublic(args) => export_public(args, json),
        KmsCommand::Repair(args) => repair(args, json),
        KmsCommand::Import3gpp(args) => super::kms_3gpp::import(args, json),
        KmsCommand::Export3gpp(args) => super::kms_3gpp::export(args, json),
    }
}

fn init(args: &InitArgs, json: bool) -> Result<()> {
    let store = Store::at(&args.store);
    let mcx = if args.three_gpp || args.user_key_period.is_some() || args.user_key_offset.is_some()
    {
        let length = args
            .user_key_period
            .unwrap_or(super::kms_3gpp::DEFAULT_USER_KEY_PERIOD);
        Some(
            mikey::KeyPeriods::new(length, args.user_key_offset.unwrap_or(0))
                .context("--user-key-period must be at least 1 second")?,
        )
    } else {
        None
    };
    let kms = KmsSecrets {
        kms_uri: args.kms_uri.clone(),
        sakke: sakke::Kms::generate(),
        eccsi: eccsi::Kms::generate(&mut OsRng),
        mcx,
    };
    store.init(&kms, args.force)?;
    let public = kms.public();

    #[derive(Serialize)]
    struct Report {
        store: String,
        kms_uri: String,
        sakke_public_key: String,
        eccsi_kpak: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        user_key_period: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        user_key_offset: Option<u64>,
    }
    let report = Report {
        store: store.dir().display().to_string(),
        kms_uri: public.kms_uri.to_string(),
        sakke_public_key: hex::encode(public.z.to_bytes()),
        eccsi_kpak: hex::encode(public.kpak.as_bytes()),
        user_key_period: public.mcx.map(|p| p.length()),
        user_key_offset: public.mcx.map(|p| p.offset()),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("Created key store {}", report.store);
        println!("  KMS URI     {}", report.kms_uri);
        println!(
            "  SAKKE Z     {}... (257 bytes)",
            &report.sakke_public_key[..32]
        );
        println!("  ECCSI KPAK  {}... (65 bytes)", &report.eccsi_kpak[..32]);
        println!("  secrets in  {} (mode 0600)", store.kms_path().display());
        if let Some(p) = public.mcx {
            println!(
                "  3GPP        key periods of {} s from offset {} (UserIdFormat 2)",
                p.length(),
                p.offset()
            );
        }
    }
    Ok(())
}

/// Issues and validates one user's keys (no file is written).
fn issue_one(kms: &KmsSecrets, uri: &Uri, period: KeyPeriod) -> Result<UserKeys> {
    let id = identifier_bytes(period, uri);
    let sakke_id = Identifier::new(id.clone()).context("identifier not usable by SAKKE")?;
    let rsk = kms
        .sakke
        .issue_rsk(&sakke_id)
        .context("issuing the SAKKE RSK")?;
    ReceiverKey::new(&sakke_id, &kms.sakke.public_key(), rsk.clone())
        .context("the new SAKKE RSK does not validate")?;
    let user = kms
        .eccsi
        .issue(&id, &mut OsRng)
        .context("issuing the ECCSI SSK")?;
    eccsi::validate_ssk(&id, &user.ssk, &user.pvt, &kms.eccsi.kpak())
        .context("the new ECCSI SSK does not validate")?;
    Ok(UserKeys {
        kms_uri: kms.kms_uri.clone(),
        uri: uri.clone(),
        period,
        rsk,
        ssk: user.ssk,
        pvt: user.pvt,
    })
}

/// A URI `kms issue` can make a key file for, or why not.
fn user_uri(text: &str) -> Result<Uri> {
    let uri: Uri = text.parse()?;
    if uri.as_str().len() > MAX_USER_URI_BYTES {
        bail!(
            "URI is {} bytes; key files are issued for URIs of at most {MAX_USER_URI_BYTES} \
             bytes (the file name is made from it)",
            uri.as_str().len()
        );
    }
    Ok(uri)
}

/// URIs from a file: one a line, # comments and blank lines skipped. Every bad line and
/// every duplicate is reported, and then nothing is issued.
fn read_uris(path: &Path) -> Result<Vec<Uri>> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut first_line: BTreeMap<Uri, usize> = BTreeMap::new();
    let mut uris = Vec::new();
    let mut problems = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let (n, line) = (n + 1, line.trim());
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match user_uri(line) {
            Ok(uri) => match first_line.get(&uri) {
                Some(first) => problems.push(format!("line {n}: {uri} is already on line {first}")),
                None => {
                    first_line.insert(uri.clone(), n);
                    uris.push(uri);
                }
            },
            Err(e) => problems.push(format!("line {n}: {e}")),
        }
    }
    if !problems.is_empty() {
        bail!(
            "{} has {} bad line(s); nothing was issued:\n  {}",
            path.display(),
            problems.len(),
            problems.join("\n  ")
        );
    }
    if uris.is_empty() {
        bail!("{} lists no URIs", path.display());
    }
    Ok(uris)
}

#[derive(Serialize)]
struct Issued {
    uri: String,
    period: String,
    identifier: String,
    file: String,
}

fn issue(args: &IssueArgs, json: bool) -> Result<()> {
    let store = Store::at(&args.store);
    let uris = match (&args.uri, &args.uris) {
        (Some(uri), _) => vec![user_uri(uri.as_str()).with_context(|| format!("--uri {uri}"))?],
        (None, Some(file)) => read_uris(file)?,
        (None, None) => bail!("give --uri URI or --uris FILE"),
    };
    let _lock = store.lock()?;
    let kms = store.load_kms()?;
    // Refuse before doing any work, rather than half-way through a bulk run.
    let (existing, uris): (Vec<Uri>, Vec<Uri>) = uris
        .into_iter()
        .partition(|uri| store.user_path(uri, args.period).exists());
    if !existing.is_empty() && !args.force && !args.skip_existing {
        let path = |uri: &Uri| store.user_path(uri, args.period).display().to_string();
        let which = match existing.as_slice() {
            [one] => format!("{} already exists", path(one)),
            many => {
                let shown: Vec<String> = many.iter().take(3).map(path).collect();
                format!(
                    "{} key files for {} already exist ({}{})",
                    many.len(),
                    args.period,
                    shown.join(", "),
                    if many.len() > shown.len() {
                        ", ..."
                    } else {
                        ""
                    }
                )
            }
        };
        bail!(
            "{which}; nothing was issued. Pass --skip-existing to issue only the users \
             without keys, or --force to replace the keys"
        );
    }
    let (uris, skipped) = if args.force {
        ([existing, uris].concat(), 0)
    } else {
        (uris, existing.len())
    };

    let bar = progress(uris.len() as u64, "issue keys", json || args.uri.is_some());
    let results: Vec<Result<Issued>> = uris
        .par_iter()
        .map(|uri| {
            let keys = issue_one(&kms, uri, args.period).with_context(|| format!("{uri}"))?;
            let file = store.write_user(&keys, args.force)?;
            bar.inc(1);
            Ok(Issued {
                uri: uri.to_string(),
                period: args.period.to_string(),
                identifier: hex::encode(keys.identifier()),
                file: file.display().to_string(),
            })
        })
        .collect();
    bar.finish_and_clear();
    let total = results.len();
    let (issued, failed): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    let issued: Vec<Issued> = issued.into_iter().flatten().collect();
    if let Some(Err(first)) = failed.into_iter().next() {
        let done = issued.len();
        return Err(first.context(format!(
            "issued {done} of {total} users before this failure (each written file is \
             complete); rerun with --skip-existing to issue the rest"
        )));
    }

    if json {
        #[derive(Serialize)]
        struct Report {
            issued: Vec<Issued>,
            skipped: usize,
        }
        println!(
            "{}",
            serde_json::to_string_pretty(&Report { issued, skipped })?
        );
    } else if issued.is_empty() {
        println!(
            "Every user already has keys for {}: nothing to issue",
            args.period
        );
    } else if issued.len() == 1 && skipped == 0 {
        let one = &issued[0];
        println!("Issued RSK, SSK and PVT for {} ({})", one.uri, one.period);
        println!("  identifier  {}", one.identifier);
        println!("  keys in     {} (mode 0600)", one.file);
    } else {
        println!(
            "Issued RSK, SSK and PVT for {} users ({}) in {}{}",
            issued.len(),
            args.period,
            store.users_dir().display(),
            if skipped > 0 {
                format!("; skipped {skipped} that already had keys")
            } else {
                String::new()
            }
        );
    }
    Ok(())
}

fn export_public(args: &ExportArgs, json: bool) -> Result<()> {
    let store = Store::at(&args.store);
    let public = store.load_public()?;
    let contents = public_json(&public);
    let Some(out) = &args.out else {
        print!("{}", String::from_utf8_lossy(&contents));
        return Ok(());
    };
    let source = store.public_path();
    let inputs: [&Path; 1] = [&source];
    let rules = OutputRules {
        force: args.force,
        inputs: &inputs,
        key_format: Some(KMS_PUBLIC_FORMAT),
        key_store_writer: false,
    };
    OutputFile::write_all_to(out, &rules, &contents)?;
    if json {
        println!(
            "{}",
            serde_json::json!({ "out": out.display().to_string(), "kms_uri": public.kms_uri.to_string() })
        );
    } else {
        println!(
            "Wrote the public keys of {} to {}",
            public.kms_uri,
            out.display()
        );
    }
    Ok(())
}

fn repair(args: &RepairArgs, json: bool) -> Result<()> {
    let store = Store::at(&args.store);
    let public = store.repair_public()?;
    if json {
        println!(
            "{}",
            serde_json::json!({ "repaired": store.public_path().display().to_string(), "kms_uri": public.kms_uri.to_string() })
        );
    } else {
        println!(
            "Rewrote {} from {} ({})",
            store.public_path().display(),
            store.kms_path().display(),
            public.kms_uri
        );
    }
    Ok(())
}
