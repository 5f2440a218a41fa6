//! `sakke imessage create --scheme 3gpp`: a 3GPP MCX I_MESSAGE (TS 33.180) carrying a
//! GMK, PCK, CSK, ... to one user: UIDs derived from the URIs, the KMS URI and the key
//! period of the message time; the key's ID (a GMK's GUK-ID) as the CSB ID; its key
//! parameters sealed under it; optionally a SAKKE-to-self copy for the initiator.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use eccsi::rand_core::{OsRng, RngCore};
use eccsi::{Pvt, SigningKey};
use mikey::sakke::Ssv;
use mikey::{build_i_message, guk_id, IMessageParams, KeyParameters, KeyPurpose, McxIdentity};
use mikey::{KeyPeriods, NtpTimestamp, PartyId};
use serde::Serialize;

use super::DerivedKeys;
use super::{derived, ntp, print_secret_json, raw_output, store, write_raw, CreateArgs};
use crate::identity::Uri;
use crate::keystore::{load_public_file, load_secret_hex_file, load_ssk_hex_file, KmsPublic};
use crate::secret_hex;
use crate::time::UtcTime;

/// A key purpose by its TS 33.180 name (GMK, PCK, CSK, SPK, MKFC, MSCCK, MuSiK), in any
/// case.
pub(super) fn parse_purpose(text: &str) -> Result<KeyPurpose, String> {
    (0..16)
        .filter_map(|tag| KeyPurpose::from_tag(tag).ok())
        .find(|p| p.name().eq_ignore_ascii_case(text))
        .ok_or_else(|| {
            format!("not a key purpose: {text} (GMK, PCK, CSK, SPK, MKFC, MSCCK, MuSiK)")
        })
}

const NEEDS: &str = "a 3GPP message is created with --from URI and either --store DIR (keys \
    imported with `sakke kms import-3gpp`), or --ssk FILE, --pvt HEX, --kms-public FILE and \
    --key-period SECONDS (and --key-offset if not 0)";

/// The initiator's side: its KMS, grid and validated signing key for the message time.
struct Signer {
    periods: KeyPeriods,
    public: KmsPublic,
    kms_uri: Uri,
    period_no: u64,
    signer: SigningKey,
    /// Files read, which no output may replace.
    inputs: Vec<PathBuf>,
}

/// From the store, or from --ssk, --pvt, --kms-public and the grid options.
fn signer(args: &CreateArgs, from: &Uri, time: NtpTimestamp) -> Result<Signer> {
    if let Some(dir) = &args.store {
        let given = [
            args.ssk.is_some(),
            args.pvt.is_some(),
            args.key_period.is_some(),
        ];
        if given.contains(&true) || args.kms_uri.is_some() {
            bail!("--store holds the keys, the KMS URI and its key periods: leave out --ssk, --pvt, --kms-uri and --key-period");
        }
        let keys = store::user_keys(dir, from, time)?;
        return Ok(Signer {
            periods: keys.periods,
            kms_uri: keys.public.kms_uri.clone(),
            public: keys.public,
            period_no: keys.period_no,
            signer: keys.signer,
            inputs: vec![keys.path],
        });
    }
    let (Some(ssk_file), Some(pvt_hex), Some(length), Some(kms_public)) =
        (&args.ssk, &args.pvt, args.key_period, &args.kms_public)
    else {
        bail!("{NEEDS}");
    };
    let periods = KeyPeriods::new(length, args.key_offset.unwrap_or(0))
        .context("--key-period must be at least 1 second")?;
    let public = load_public_file(kms_public)?;
    let kms_uri = args
        .kms_uri
        .clone()
        .unwrap_or_else(|| public.kms_uri.clone());
    let period_no = KeyPeriods::number_at(periods, time).with_context(|| {
        format!(
            "{} is before the KMS's first key period",
            UtcTime::from_unix(time.unix_seconds())
        )
    })?;
    let uid = McxIdentity::new(from.as_str(), kms_uri.as_str(), periods).uid(period_no)?;
    let ssk = load_ssk_hex_file(ssk_file)?;
    let pvt_bytes = secret_hex::decode(pvt_hex).context("--pvt is not hex digits")?;
    let pvt = Pvt::from_bytes(&pvt_bytes).context("--pvt is not a point of P-256")?;
    let signer = SigningKey::new(&uid, ssk, pvt, public.kpak).with_context(|| {
        format!(
            "{} and --pvt are not the signing keys of {from} at {kms_uri} for key period \
             {period_no} ({length} s periods from offset {}) under the KMS of {}",
            ssk_file.display(),
            periods.offset(),
            kms_public.display()
        )
    })?;
    Ok(Signer {
        periods,
        public,
        kms_uri,
        period_no,
        signer,
        inputs: vec![kms_public.clone(), ssk_file.clone()],
    })
}

pub(super) fn create_3gpp(args: &CreateArgs, json: bool) -> Result<()> {
    if args.user.is_some() || args.period.is_some() {
        bail!("{NEEDS}; --user and --period are for RFC 6509 messages");
    }
    if args.csb_id.is_some() {
        bail!("a 3GPP message's CSB ID is its key's ID (a GMK's GUK-ID): give --key-id instead");
    }
    let Some(from) = &args.from else {
        bail!("{NEEDS}");
    };
    let at = args.at.unwrap_or_else(UtcTime::now);
    let time = ntp(at)?;
    let Signer {
        periods,
        public,
        kms_uri,
        period_no,
        signer,
        inputs: mut read,
    } = signer(args, from, time)?;
    let kms_uri = &kms_uri;
    let me = McxIdentity::new(from.as_str(), kms_uri.as_str(), periods);
    let uid = me.uid(period_no)?;
    let responder_kms = match &args.responder_kms_public {
        Some(file) => load_public_file(file)?,
        None => public.clone(),
    };
    // The responder's UID uses its own KMS's URI, on the same key period grid.
    let responder_kms_uri = match &args.responder_kms_public {
        Some(_) => &responder_kms.kms_uri,
        None => kms_uri,
    };
    let them = McxIdentity::new(args.to.as_str(), responder_kms_uri.as_str(), periods);

    let purpose = args.purpose;
    let key_id = match args.key_id {
        Some(id) if KeyPurpose::of(id).ok() != Some(purpose) => {
            bail!(
                "--key-id {id:#010x} is not tagged {purpose} (its top 4 bits must be {})",
                purpose.tag()
            )
        }
        Some(id) => id,
        None => purpose.key_id(OsRng.next_u32()),
    };
    let key = match &args.key {
        Some(file) => {
            let bytes = load_secret_hex_file(file, "key", mikey::sakke::SSV_BYTES)?;
            Ssv::from_bytes(&bytes).context("the key must be 16 bytes")?
        }
        None => Ssv::random(),
    };
    let csb_id = match purpose {
        KeyPurpose::Gmk => guk_id(key_id, key.as_bytes(), args.to.as_str())?,
        _ => key_id,
    };

    read.extend(args.responder_kms_public.clone());
    read.extend(args.key.clone());
    let inputs: Vec<&Path> = read.iter().map(PathBuf::as_path).collect();
    let raw_file = raw_output(args, &inputs)?;

    let initiator = PartyId::Mcx(me);
    let responder = PartyId::Mcx(them);
    let mut params = IMessageParams::new(&initiator, &responder, &signer, &responder_kms.z);
    params.time = Some(time);
    params.ssv = Some(&key);
    params.csb_id = Some(csb_id);
    params.prf = args.prf.func();
    params.sakke_to_self = args.to_self.then_some(&public.z);
    params.key_parameters = Some(KeyParameters::new(purpose));
    let built = build_i_message(&params, &mut OsRng).context("building the I_MESSAGE")?;
    let text = write_raw(raw_file, &built.bytes)?;

    #[derive(Serialize)]
    struct Report<'a> {
        i_message: String,
        bytes: usize,
        scheme: &'static str,
        from: &'a str,
        from_uid: String,
        to: &'a str,
        kms_uri: &'a str,
        key_period_no: u64,
        time: String,
        purpose: &'static str,
        key_id: String,
        to_self: bool,
        #[serde(flatten)]
        keys: DerivedKeys,
    }
    if json {
        let report = Report {
            i_message: text,
            bytes: built.bytes.len(),
            scheme: "3gpp",
            from: from.as_str(),
            from_uid: hex::encode(uid),
            to: args.to.as_str(),
            kms_uri: kms_uri.as_str(),
            key_period_no: period_no,
            time: at.to_string(),
            purpose: purpose.name(),
            key_id: format!("{key_id:08x}"),
            to_self: args.to_self,
            keys: derived(&built.keys, args.cs_id),
        };
        print_secret_json(&report)?;
    } else {
        println!("{text}");
        let copy = if args.to_self {
            ", with a copy to self"
        } else {
            ""
        };
        eprintln!(
            "3GPP I_MESSAGE from {from} to {} carrying {purpose} {key_id:#010x} for key \
             period {period_no} at {kms_uri}{copy}, {} bytes (--json shows the key)",
            args.to,
            built.bytes.len()
        );
    }
    Ok(())
}
