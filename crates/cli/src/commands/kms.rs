//! `sakke kms`: create a key store, issue user keys, export the public keys.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use eccsi::rand_core::OsRng;
use rayon::prelude::*;
use sakke::{Identifier, ReceiverKey};
use serde::Serialize;

use crate::identity::{identifier_bytes, KeyPeriod, Uri};
use crate::keystore::{public_json, KmsSecrets, Store, UserKeys};
use crate::output::progress;

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
    ExportPublic(ExportArgs),
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
    /// issued in parallel with a progress bar.
    #[arg(long, value_name = "FILE")]
    uris: Option<PathBuf>,

    /// Key period "YYYY-MM"; the identifier is "YYYY-MM\0<uri>\0" (RFC 6509 3.2).
    #[arg(long, value_name = "YYYY-MM")]
    period: KeyPeriod,

    /// Replace key files that already exist for these users and period.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
pub struct ExportArgs {
    /// Key store directory made by `sakke kms init`.
    #[arg(long, value_name = "DIR")]
    store: PathBuf,

    /// Write the public key file here instead of printing it.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(command: &KmsCommand, json: bool) -> Result<()> {
    match command {
        KmsCommand::Init(args) => init(args, json),
        KmsCommand::Issue(args) => issue(args, json),
        KmsCommand::ExportPublic(args) => export_public(args, json),
    }
}

fn init(args: &InitArgs, json: bool) -> Result<()> {
    let store = Store::at(&args.store);
    let kms = KmsSecrets {
        kms_uri: args.kms_uri.clone(),
        sakke: sakke::Kms::generate(),
        eccsi: eccsi::Kms::generate(&mut OsRng),
    };
    store.init(&kms, args.force)?;
    let public = kms.public();

    #[derive(Serialize)]
    struct Report {
        store: String,
        kms_uri: String,
        sakke_public_key: String,
        eccsi_kpak: String,
    }
    let report = Report {
        store: store.dir().display().to_string(),
        kms_uri: public.kms_uri.to_string(),
        sakke_public_key: hex::encode(public.z.to_bytes()),
        eccsi_kpak: hex::encode(public.kpak.as_bytes()),
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

/// URIs from a file: one a line, # comments and blank lines skipped, duplicates refused.
fn read_uris(path: &Path) -> Result<Vec<Uri>> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut seen = BTreeSet::new();
    let mut uris = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let uri: Uri = line
            .parse()
            .with_context(|| format!("{} line {}", path.display(), n + 1))?;
        if !seen.insert(uri.clone()) {
            bail!("{} line {}: {uri} is listed twice", path.display(), n + 1);
        }
        uris.push(uri);
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
    let kms = store.load_kms()?;
    let uris = match (&args.uri, &args.uris) {
        (Some(uri), _) => vec![uri.clone()],
        (None, Some(file)) => read_uris(file)?,
        (None, None) => bail!("give --uri URI or --uris FILE"),
    };
    // Refuse before doing any work, rather than half-way through a bulk run.
    if !args.force {
        if let Some(path) = uris
            .iter()
            .map(|uri| store.user_path(uri, args.period))
            .find(|path| path.exists())
        {
            bail!(
                "{} already exists (pass --force to replace it)",
                path.display()
            );
        }
    }

    let bar = progress(uris.len() as u64, "issue keys", json || args.uri.is_some());
    let issued: Vec<Result<Issued>> = uris
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
    let issued: Vec<Issued> = issued.into_iter().collect::<Result<_>>()?;

    if json {
        #[derive(Serialize)]
        struct Report {
            issued: Vec<Issued>,
        }
        println!("{}", serde_json::to_string_pretty(&Report { issued })?);
    } else if issued.len() == 1 {
        let one = &issued[0];
        println!("Issued RSK, SSK and PVT for {} ({})", one.uri, one.period);
        println!("  identifier  {}", one.identifier);
        println!("  keys in     {} (mode 0600)", one.file);
    } else {
        println!(
            "Issued RSK, SSK and PVT for {} users ({}) in {}",
            issued.len(),
            args.period,
            store.users_dir().display()
        );
    }
    Ok(())
}

fn export_public(args: &ExportArgs, json: bool) -> Result<()> {
    let store = Store::at(&args.store);
    let public = store.load_public()?;
    let contents = public_json(&public);
    match &args.out {
        None => {
            print!("{}", String::from_utf8_lossy(&contents));
        }
        Some(out) => {
            fs::write(out, &contents).with_context(|| format!("writing {}", out.display()))?;
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
        }
    }
    Ok(())
}
