//! `sakke kms import-3gpp` / `export-3gpp`: the KMS documents of 3GPP MCX (TS 33.180
//! Annex D), so that keys from an MCPTT KMS can be used here, and so that this project
//! can act as the KMS of a test network.
//!
//! Import checks everything before it writes: each document's structure, the KMS's keys,
//! every UserID against the UID of its URI, KMS and key period, every RSK and SSK; then
//! the store gets the KMS public parameters and one 0600 file per user key set.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;
use eccsi::rand_core::OsRng;
use kms_xml::{
    parse_response, write_response, KmsCertificate, KmsInit, KmsKeyProv, KmsKeySet, KmsMessage,
    KmsParams, KmsResponse, KmsXmlError,
};
use mikey::{mcx_uid, KeyPeriods};
use sakke::{Identifier, ReceiverKey};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::identity::Uri;
use crate::keystore::{read_key_file, Holds, KmsPublic, KmsSecrets, Store, MAX_USER_URI_BYTES};
use crate::keystore_3gpp::{mcx_periods, McxUserKeys};
use crate::output_file::{OutputFile, OutputRules};
use crate::time::UtcTime;

/// The common MCX key period: 30 days.
pub const DEFAULT_USER_KEY_PERIOD: u64 = 2_592_000;

#[derive(Args)]
pub struct ImportArgs {
    /// Key store directory to import into (created with mode 0700 if missing). Not a
    /// KMS's own store: it must hold no kms.json.
    #[arg(long, value_name = "DIR")]
    store: PathBuf,

    /// The KMS's KmsInit response (KmsResponse XML holding its KmsCertificate).
    #[arg(long, value_name = "FILE")]
    init: PathBuf,

    /// KmsKeyProv responses (KmsResponse XML with user key sets), readable only by their
    /// owner; repeat or list several.
    #[arg(long, value_name = "FILE", num_args = 1.., required = true)]
    keyprov: Vec<PathBuf>,

    /// Replace store files that already hold other keys (files that hold exactly what is
    /// imported are left alone without it).
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
#[command(group = clap::ArgGroup::new("outputs").required(true).multiple(true).args(["init_out", "keyprov_out"]))]
pub struct ExportArgs {
    /// Key store: a KMS's own (made by `sakke kms init`; user keys missing for the period
    /// are issued and stored) or an imported one (keys must already be there).
    #[arg(long, value_name = "DIR")]
    store: PathBuf,

    /// The user(s): the first is the requesting UserUri of each response; each gets a
    /// KmsKeySet in the --keyprov-out response.
    #[arg(long, value_name = "URI", required = true)]
    uri: Vec<Uri>,

    /// Write the KmsInit response (the KMS certificate) here.
    #[arg(long, value_name = "FILE")]
    init_out: Option<PathBuf>,

    /// Write the KmsKeyProv response (the users' secret keys; mode 0600) here.
    #[arg(long, value_name = "FILE")]
    keyprov_out: Option<PathBuf>,

    /// Key period number of the key sets (default: the period of --at).
    #[arg(long, value_name = "N", conflicts_with = "at")]
    key_period_no: Option<u64>,

    /// A time in the key period wanted: Unix seconds or YYYY-MM-DDTHH:MM:SSZ (default:
    /// now).
    #[arg(long, value_name = "TIME")]
    at: Option<UtcTime>,

    /// The responses' Time element (default: now).
    #[arg(long, value_name = "TIME")]
    time: Option<UtcTime>,

    /// Base of the ClientReqUrl elements, to which "init" / "keyprov" is appended
    /// (default: https://<KMS URI>/keymanagement/identity/v1/).
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,

    /// Replace existing output files (never a key store file or another key file).
    #[arg(long)]
    force: bool,
}

/// Reads a KMS document: at most a few KiB; one holding keys is refused, before it is
/// read, when other users can read it.
fn read_document(path: &Path, holds: Holds) -> Result<Zeroizing<Vec<u8>>> {
    Ok(read_key_file(path, holds, "")?)
}

fn parse(path: &Path, holds: Holds) -> Result<KmsResponse> {
    let bytes = read_document(path, holds)?;
    parse_response(&bytes).with_context(|| format!("{}", path.display()))
}

fn uri(text: &str, what: &str) -> Result<Uri> {
    text.parse::<Uri>()
        .with_context(|| format!("{what} {text:?} cannot be used in the key store"))
}

/// The KMS of a KmsInit response, validated.
fn import_kms(path: &Path) -> Result<(KmsCertificate, KmsParams)> {
    let response = parse(path, Holds::PublicKeys)?;
    let KmsMessage::Init(init) = response.message else {
        return Err(KmsXmlError::WrongMessage {
            found: response.message.name(),
            expected: "KmsInit",
        })
        .with_context(|| format!("{} (given as --init)", path.display()));
    };
    let cert = init.certificate;
    if response.kms_uri != cert.kms_uri {
        return Err(KmsXmlError::OtherKms {
            what: "the KmsResponse".into(),
            found: response.kms_uri,
            expected: cert.kms_uri,
        })
        .with_context(|| format!("{}", path.display()));
    }
    let params = cert
        .validate()
        .with_context(|| format!("{}", path.display()))?;
    Ok((cert, params))
}

/// The key sets of the KmsKeyProv responses, validated against the KMS.
fn import_users(files: &[PathBuf], kms: &KmsParams, kms_uri: &Uri) -> Result<Vec<McxUserKeys>> {
    let mut users: Vec<McxUserKeys> = Vec::new();
    for path in files {
        let at = || format!("{}", path.display());
        let response = parse(path, Holds::Secrets)?;
        let KmsMessage::KeyProv(prov) = response.message else {
            return Err(KmsXmlError::WrongMessage {
                found: response.message.name(),
                expected: "KmsKeyProv",
            })
            .with_context(|| format!("{} (given as --keyprov)", at()));
        };
        if response.kms_uri != kms.kms_uri {
            return Err(KmsXmlError::OtherKms {
                what: "the KmsResponse".into(),
                found: response.kms_uri,
                expected: kms.kms_uri.clone(),
            })
            .with_context(at);
        }
        if prov.key_sets.is_empty() {
            bail!("{}: the KmsKeyProv holds no KmsKeySet", at());
        }
        for set in &prov.key_sets {
            let valid = set.validate(kms).with_context(at)?;
            let user_uri = uri(&valid.user_uri, "UserUri").with_context(at)?;
            if user_uri.as_str().len() > MAX_USER_URI_BYTES {
                bail!(
                    "{}: UserUri is {} bytes; the store takes URIs of at most \
                     {MAX_USER_URI_BYTES} bytes",
                    at(),
                    user_uri.as_str().len()
                );
            }
            if users
                .iter()
                .any(|u| u.uri == user_uri && u.key_period_no == valid.key_period_no)
            {
                return Err(KmsXmlError::DuplicateKeySet {
                    uri: valid.user_uri,
                    key_period_no: valid.key_period_no,
                })
                .with_context(at);
            }
            users.push(McxUserKeys {
                kms_uri: kms_uri.clone(),
                uri: user_uri,
                key_period_no: valid.key_period_no,
                uid: valid.uid,
                rsk: valid.rsk,
                ssk: valid.ssk,
                pvt: valid.pvt,
            });
        }
    }
    Ok(users)
}

pub fn import(args: &ImportArgs, json: bool) -> Result<()> {
    let (_, kms) = import_kms(&args.init)?;
    let kms_uri =
        uri(&kms.kms_uri, "KmsUri").with_context(|| format!("{}", args.init.display()))?;
    let users = import_users(&args.keyprov, &kms, &kms_uri)?;
    let public = KmsPublic {
        kms_uri,
        z: kms.z,
        kpak: kms.kpak,
        mcx: Some(kms.periods),
    };
    let store = Store::at(&args.store);
    let done = store.import_3gpp(&public, &users, args.force)?;

    #[derive(Serialize)]
    struct User {
        uri: String,
        key_period_no: u64,
        uid: String,
        file: String,
        written: bool,
    }
    #[derive(Serialize)]
    struct Report {
        store: String,
        kms_uri: String,
        user_key_period: u64,
        user_key_offset: u64,
        kms_public: String,
        kms_public_written: bool,
        users: Vec<User>,
    }
    let report = Report {
        store: store.dir().display().to_string(),
        kms_uri: public.kms_uri.to_string(),
        user_key_period: kms.periods.length(),
        user_key_offset: kms.periods.offset(),
        kms_public: done[0].path.display().to_string(),
        kms_public_written: done[0].written,
        users: users
            .iter()
            .zip(&done[1..])
            .map(|(u, d)| User {
                uri: u.uri.to_string(),
                key_period_no: u.key_period_no,
                uid: hex::encode(u.uid),
                file: d.path.display().to_string(),
                written: d.written,
            })
            .collect(),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    let note = |written: bool| if written { "" } else { " (unchanged)" };
    println!(
        "Imported the KMS {} into {}: key periods of {} s from offset {}",
        report.kms_uri, report.store, report.user_key_period, report.user_key_offset
    );
    println!(
        "  public   {}{}",
        report.kms_public,
        note(report.kms_public_written)
    );
    for u in &report.users {
        println!(
            "  {} key period {}  UID {}\n    keys in {} (mode 0600){}",
            u.uri,
            u.key_period_no,
            u.uid,
            u.file,
            note(u.written)
        );
    }
    Ok(())
}

/// Issues and validates one 3GPP user's keys for key period `n` (no file is written).
fn issue_one(kms: &KmsSecrets, periods: KeyPeriods, uri: &Uri, n: u64) -> Result<McxUserKeys> {
    let uid = mcx_uid(
        uri.as_str(),
        kms.kms_uri.as_str(),
        periods.length(),
        periods.offset(),
        n,
    )?;
    let id = Identifier::new(uid.to_vec()).context("the UID is not a SAKKE identifier")?;
    let rsk = kms.sakke.issue_rsk(&id).context("issuing the SAKKE RSK")?;
    ReceiverKey::new(&id, &kms.sakke.public_key(), rsk.clone())
        .context("the new SAKKE RSK does not validate")?;
    let user = kms
        .eccsi
        .issue(&uid, &mut OsRng)
        .context("issuing the ECCSI SSK")?;
    eccsi::validate_ssk(&uid, &user.ssk, &user.pvt, &kms.eccsi.kpak())
        .context("the new ECCSI SSK does not validate")?;
    Ok(McxUserKeys {
        kms_uri: kms.kms_uri.clone(),
        uri: uri.clone(),
        key_period_no: n,
        uid,
        rsk,
        ssk: user.ssk,
        pvt: user.pvt,
    })
}

fn head(public: &KmsPublic, args: &ExportArgs, kind: &str, message: KmsMessage) -> KmsResponse {
    let base = args
        .base_url
        .clone()
        .unwrap_or_else(|| format!("https://{}/keymanagement/identity/v1/", public.kms_uri));
    KmsResponse {
        version: "1.0.0".into(),
        user_uri: args.uri[0].to_string(),
        kms_uri: public.kms_uri.to_string(),
        time: args.time.unwrap_or_else(UtcTime::now).to_string(),
        kms_id: None,
        client_req_url: format!("{base}{kind}"),
        message,
    }
}

/// An output file, checked (never a key file, an input, or an existing file without
/// --force) before any key is issued; written by [`finish`].
fn open_out(path: &Path, args: &ExportArgs, store: &Store) -> Result<OutputFile> {
    let public = store.public_path();
    let inputs: [&Path; 1] = [&public];
    let rules = OutputRules {
        force: args.force,
        inputs: &inputs,
        key_format: None,
        key_store_writer: false,
    };
    Ok(OutputFile::create(path, &rules)?)
}

fn finish(mut file: OutputFile, contents: &[u8]) -> Result<()> {
    let target = file.target().display().to_string();
    std::io::Write::write_all(&mut file, contents).with_context(|| format!("writing {target}"))?;
    file.finish()?;
    Ok(())
}

pub fn export(args: &ExportArgs, json: bool) -> Result<()> {
    let store = Store::at(&args.store);
    let public = store.load_public()?;
    let periods = mcx_periods(&public, &store.public_path())?;
    for u in &args.uri {
        if u.as_str().len() > MAX_USER_URI_BYTES {
            bail!("--uri {u}: URIs are at most {MAX_USER_URI_BYTES} bytes");
        }
    }
    let n = match args.key_period_no {
        Some(n) => n,
        None => {
            let at = args.at.unwrap_or_else(UtcTime::now);
            periods
                .number_at_unix_seconds(at.unix())
                .with_context(|| format!("{at} is before the KMS's first key period"))?
        }
    };

    #[derive(Serialize)]
    struct User {
        uri: String,
        uid: String,
        issued: bool,
        file: String,
    }
    let mut seen = std::collections::BTreeSet::new();
    if let Some(twice) = args.uri.iter().find(|u| !seen.insert(*u)) {
        bail!("--uri {twice} is given twice");
    }
    let init_file = args
        .init_out
        .as_ref()
        .map(|p| open_out(p, args, &store))
        .transpose()?;
    let keyprov_file = args
        .keyprov_out
        .as_ref()
        .map(|p| open_out(p, args, &store))
        .transpose()?;
    let mut users = Vec::new();
    if let Some(file) = keyprov_file {
        let is_kms = store.kms_path().exists();
        // Issuing writes into the store: hold its lock (an imported store only reads).
        let _lock = if is_kms { Some(store.lock()?) } else { None };
        let kms = if is_kms {
            Some(store.load_kms()?)
        } else {
            None
        };
        let mut sets = Vec::new();
        for uri in &args.uri {
            let path = store.mcx_user_path(uri, n);
            let (keys, issued) = match &kms {
                Some(kms) if !path.exists() => (
                    issue_one(kms, periods, uri, n).with_context(|| format!("{uri}"))?,
                    true,
                ),
                _ => {
                    let (keys, path) = store.load_mcx_user(uri, n)?;
                    keys.validate(&public, &path)?;
                    (keys, false)
                }
            };
            sets.push(KmsKeySet::new(
                public.kms_uri.as_str(),
                uri.as_str(),
                keys.uid,
                n,
                Zeroizing::new(keys.rsk.to_bytes().to_vec()),
                Zeroizing::new(keys.ssk.to_bytes().to_vec()),
                keys.pvt.as_bytes().to_vec(),
            ));
            users.push((keys, issued, path));
        }
        let response = head(
            &public,
            args,
            "keyprov",
            KmsMessage::KeyProv(KmsKeyProv {
                version: "1.0.0".into(),
                key_sets: sets,
            }),
        );
        let doc = write_response(&response);
        // The KMS records what it issues before handing it out; the output was checked
        // before anything was issued, so a refused --keyprov-out leaves the store as it was.
        for (keys, issued, _) in &users {
            if *issued {
                store.write_mcx_user(keys)?;
            }
        }
        finish(file, &doc)?;
    }
    if let Some(file) = init_file {
        let cert = KmsCertificate::root(
            public.kms_uri.as_str(),
            periods.length(),
            periods.offset(),
            public.z.to_bytes().to_vec(),
            public.kpak.as_bytes().to_vec(),
        );
        let response = head(
            &public,
            args,
            "init",
            KmsMessage::Init(KmsInit {
                version: "1.0.0".into(),
                certificate: cert,
            }),
        );
        finish(file, &write_response(&response))?;
    }

    let report: Vec<User> = users
        .iter()
        .map(|(k, issued, path)| User {
            uri: k.uri.to_string(),
            uid: hex::encode(k.uid),
            issued: *issued,
            file: path.display().to_string(),
        })
        .collect();
    if json {
        println!(
            "{}",
            serde_json::json!({
                "kms_uri": public.kms_uri.to_string(),
                "user_key_period": periods.length(),
                "user_key_offset": periods.offset(),
                "key_period_no": n,
                "init_out": args.init_out.as_ref().map(|p| p.display().to_string()),
                "keyprov_out": args.keyprov_out.as_ref().map(|p| p.display().to_string()),
                "users": report,
            })
        );
        return Ok(());
    }
    if let Some(out) = &args.init_out {
        println!(
            "Wrote the KmsInit response of {} to {}",
            public.kms_uri,
            out.display()
        );
    }
    if let Some(out) = &args.keyprov_out {
        println!(
            "Wrote the KmsKeyProv response for key period {n} to {} (mode 0600)",
            out.display()
        );
        for u in &report {
            let how = if u.issued { "issued" } else { "from" };
            println!("  {}  UID {}  ({how} {})", u.uri, u.uid, u.file);
        }
    }
    Ok(())
}
