//! `sakke imessage`: create and open RFC 6509 I_MESSAGEs with keys from a key store, and
//! 3GPP MCX (TS 33.180) ones from the users' URIs, their KMS-provisioned keys and the
//! KMS's key periods.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;
use clap::{Args, Subcommand, ValueEnum};
use eccsi::rand_core::OsRng;
use mikey::{
    build_i_message, open_i_message, IMessage, IMessageParams, IdScheme, KeyLengths, KeyPurpose,
    Message, NtpTimestamp, OpenedIMessage, PartyId, PrfFunc, ReplayCache, ResponderParams,
    SessionKeys,
};
use serde::Serialize;
use thiserror::Error;
use zeroize::Zeroizing;

use crate::identity::{KeyPeriod, Uri};
use crate::keystore::{load_public_file, load_user_file, KmsPublic, Store, UserKeys};
use crate::output_file::{OutputFile, OutputRules};
use crate::secret_buf::to_json_pretty;
use crate::secret_hex;
use crate::time::UtcTime;

mod create_3gpp;
mod key_parameters;
mod open_3gpp;
mod store;

use key_parameters::KeyParametersReport;

/// How the Streamwide and 3GPP MCX tools print an I_MESSAGE: "mikey " + base64.
const MIKEY_PREFIX: &str = "mikey ";

#[derive(Subcommand)]
pub enum ImessageCommand {
    /// Build and sign an I_MESSAGE from --from to --to: a fresh SSV (the TGK)
    /// SAKKE-encapsulated to the responder, signed with the initiator's ECCSI key.
    /// Prints "mikey <base64>"; --json adds the TGK, TEK and salt.
    #[command(after_help = "Example:\n  \
        sakke imessage create --store ks --from tel:+447700900123 --to tel:+447700900456 \\\n      \
        --at 2026-11-20T10:00:00Z > msg.txt\n\n\
        Without --at the message is dated now and uses the keys of this month's period.\n\n  \
        sakke imessage create --scheme 3gpp --from sip:gms@example.org --to sip:alice@example.org \\\n      \
        --ssk gms-ssk.hex --pvt 04... --kms-public kms-public.json --key-period 2592000 \\\n      \
        --purpose gmk --key gmk.hex --to-self\n\n\
        In 3GPP mode the UIDs come from the URIs, the KMS URI and the key period of --at;\n\
        the key's ID (a GMK's GUK-ID for --to) is the CSB ID, and its key parameters are\n\
        sealed under it.")]
    Create(CreateArgs),
    /// Check, verify and decrypt an I_MESSAGE: structure, identities, timestamp window,
    /// ECCSI signature, SAKKE decapsulation and TEST. Prints the TGK, TEK and salt; for a
    /// 3GPP MCX message also the key's ID and purpose (GMK, PCK, CSK, ...).
    #[command(after_help = "Examples:\n  \
        sakke imessage open --user ks/users/tel_+447700900456_2026-11.json \\\n      \
        --kms-public ks/kms-public.json --from tel:+447700900123 --in msg.txt \\\n      \
        --now 2026-11-20T10:00:05Z\n\n  \
        sakke imessage open --scheme 3gpp --to sip:alice@example.org --rsk alice-rsk.hex \\\n      \
        --kms-public kms-public.json --key-period 2592000 --key-offset 0 \\\n      \
        --from sip:gms@example.org --in msg.txt\n\n\
        A message with SAKKE ID scheme 2 (the 3GPP UID) is opened in 3GPP mode without\n\
        --scheme: the UIDs are derived from the URIs, the KMS URI and the key period of the\n\
        message's timestamp.")]
    Open(OpenArgs),
}

/// PRF for key derivation, carried in the header.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Prf {
    /// PRF-HMAC-SHA-256 (RFC 6043), as 3GPP MCX uses.
    HmacSha256,
    /// The RFC 3830 PRF on HMAC-SHA-1, for peers that have only that.
    HmacSha1,
}

#[derive(Args)]
pub struct CreateArgs {
    /// Key store holding the initiator's keys (users/<from>_<period>.json; for 3GPP,
    /// users/<from>_<key period no>.json as `sakke kms import-3gpp` writes them) and the
    /// KMS public keys; instead of --kms-public and --user (3GPP: --ssk, --pvt and the
    /// key period options).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["kms_public", "user"])]
    store: Option<PathBuf>,

    /// Identifiers: RFC 6509 (ID scheme 1), or 3GPP MCX UIDs (ID scheme 2).
    #[arg(long, value_enum, default_value_t = Scheme::Rfc6509)]
    scheme: Scheme,

    /// KMS public key file (kms-public.json) of the initiator's KMS.
    #[arg(long, value_name = "FILE")]
    kms_public: Option<PathBuf>,

    /// The initiator's key file, as written by `sakke kms issue`.
    #[arg(long, value_name = "FILE", requires = "kms_public")]
    user: Option<PathBuf>,

    /// KMS public key file of the responder's KMS, when it is not the initiator's.
    #[arg(long, value_name = "FILE")]
    responder_kms_public: Option<PathBuf>,

    /// Initiator URI (the signer). Required with --store; with --user it must match it.
    #[arg(long, value_name = "URI")]
    from: Option<Uri>,

    /// Responder URI: the SSV is encapsulated to "YYYY-MM\0<to>\0".
    #[arg(long, value_name = "URI")]
    to: Uri,

    /// Key period "YYYY-MM" of the initiator's keys (default: the month of --at). The
    /// message timestamp must fall in it: RFC 6509 identifiers use the month of T.
    #[arg(long, value_name = "YYYY-MM")]
    period: Option<KeyPeriod>,

    /// Timestamp for the T payload: Unix seconds or YYYY-MM-DDTHH:MM:SSZ (default: now).
    #[arg(long, value_name = "TIME")]
    at: Option<UtcTime>,

    /// PRF named in the header and used to derive the TEK and salt.
    #[arg(long, value_enum, default_value_t = Prf::HmacSha256)]
    prf: Prf,

    /// CSB ID for the header (default: random).
    #[arg(long, value_name = "N")]
    csb_id: Option<u32>,

    /// Crypto session ID the printed TEK and salt are derived for.
    #[arg(long, value_name = "N", default_value_t = 0)]
    cs_id: u8,

    /// Also write the message's raw bytes to FILE (a new file unless --force).
    #[arg(long, value_name = "FILE")]
    raw: Option<PathBuf>,

    /// Replace an existing --raw FILE (never a key file or an input).
    #[arg(long, requires = "raw")]
    force: bool,

    /// 3GPP: the initiator's ECCSI SSK (UserSigningKeySSK) for the message's key period,
    /// as hex digits in a file only its owner can read.
    #[arg(long, value_name = "FILE")]
    ssk: Option<PathBuf>,

    /// 3GPP: the initiator's PVT (UserPubTokenPVT), hex.
    #[arg(long, value_name = "HEX")]
    pvt: Option<String>,

    /// 3GPP: the KMS URI hashed into the UIDs (default: the kms_uri of --kms-public).
    #[arg(long, value_name = "URI")]
    kms_uri: Option<Uri>,

    /// 3GPP: the KMS's key period length in seconds (UserKeyPeriod).
    #[arg(long, value_name = "SECONDS")]
    key_period: Option<u64>,

    /// 3GPP: the start of the KMS's key period grid, in seconds after 1900-01-01
    /// (UserKeyOffset; default 0).
    #[arg(long, value_name = "SECONDS")]
    key_offset: Option<u64>,

    /// 3GPP: what the key is for: GMK, PCK, CSK, SPK, MKFC, MSCCK or MuSiK.
    #[arg(long, value_name = "NAME", default_value = "PCK", value_parser = create_3gpp::parse_purpose)]
    purpose: KeyPurpose,

    /// 3GPP: the key's 32-bit ID in hex, its top 4 bits the purpose tag (default: random).
    #[arg(long, value_name = "HEX", value_parser = parse_key_id)]
    key_id: Option<u32>,

    /// 3GPP: the key to send, 16 bytes as hex digits in a file only its owner can read
    /// (a GMK goes to every member alike; default: a fresh key).
    #[arg(long, value_name = "FILE")]
    key: Option<PathBuf>,

    /// 3GPP: also encapsulate the key to the initiator itself (SAKKE-to-self), so that
    /// it can open the message later (`imessage open --own`).
    #[arg(long)]
    to_self: bool,
}

fn parse_key_id(text: &str) -> Result<u32, String> {
    let digits = text.strip_prefix("0x").unwrap_or(text);
    u32::from_str_radix(digits, 16).map_err(|e| format!("not a 32-bit hex key ID: {e}"))
}

impl Prf {
    fn func(self) -> PrfFunc {
        match self {
            Prf::HmacSha256 => PrfFunc::HmacSha256,
            Prf::HmacSha1 => PrfFunc::MikeyHmacSha1,
        }
    }
}

/// Which identifiers a message uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Scheme {
    /// From the message's SAKKE ID scheme: 1 is RFC 6509, 2 is 3GPP.
    Auto,
    /// RFC 6509: "YYYY-MM\0<uri>\0" with the month of the timestamp (ID scheme 1).
    Rfc6509,
    /// 3GPP MCX (TS 33.180): the UID of the URI, the KMS and the key period (ID scheme 2).
    #[value(name = "3gpp")]
    ThreeGpp,
}

#[derive(Args)]
pub struct OpenArgs {
    /// RFC 6509: the responder's key file, as written by `sakke kms issue`.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["to", "rsk", "key_period", "key_offset", "kms_uri"])]
    user: Option<PathBuf>,

    /// Identifiers: from the message's SAKKE ID scheme (auto), RFC 6509, or 3GPP.
    #[arg(long, value_enum, default_value_t = Scheme::Auto)]
    scheme: Scheme,

    /// 3GPP: the responder's URI (MC service ID) exactly as the KMS provisioned it.
    #[arg(long, value_name = "URI")]
    to: Option<Uri>,

    /// 3GPP: the responder's SAKKE RSK (UserDecryptKey) for the message's key period,
    /// as hex digits in a file only its owner can read.
    #[arg(long, value_name = "FILE")]
    rsk: Option<PathBuf>,

    /// 3GPP: the KMS URI hashed into the UIDs (default: the kms_uri of --kms-public).
    #[arg(long, value_name = "URI")]
    kms_uri: Option<Uri>,

    /// 3GPP: the initiator's KMS URI, for --from (default: --kms-uri, or that of
    /// --initiator-kms-public).
    #[arg(long, value_name = "URI", requires = "from")]
    initiator_kms_uri: Option<Uri>,

    /// 3GPP: the KMS's key period length in seconds (UserKeyPeriod).
    #[arg(long, value_name = "SECONDS")]
    key_period: Option<u64>,

    /// 3GPP: the start of the KMS's key period grid, in seconds after 1900-01-01
    /// (UserKeyOffset; default 0).
    #[arg(long, value_name = "SECONDS")]
    key_offset: Option<u64>,

    /// KMS public key file (kms-public.json) of the responder's KMS; also the
    /// initiator's unless --initiator-kms-public is given.
    #[arg(long, value_name = "FILE", required_unless_present = "store")]
    kms_public: Option<PathBuf>,

    /// 3GPP: a key store with the responder's KMS (key periods included) and keys, as
    /// `sakke kms import-3gpp` writes it: instead of --kms-public, --rsk, --key-period
    /// and --key-offset. The RSK is that of --to (--from with --own) for the message's
    /// key period.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["kms_public", "rsk", "key_period", "key_offset", "kms_uri", "user"])]
    store: Option<PathBuf>,

    /// KMS public key file of the initiator's KMS (its KPAK verifies the signature).
    #[arg(long, value_name = "FILE")]
    initiator_kms_public: Option<PathBuf>,

    /// The initiator the message must come from. Without it, the URI in the message's
    /// IDRi is used (RFC 6509), or the UID in its IDRuidi (3GPP), and the signature
    /// proves it.
    #[arg(long, value_name = "URI")]
    from: Option<Uri>,

    /// The message: "mikey <base64>", plain base64, or raw bytes. `-` is stdin.
    #[arg(
        long = "in",
        value_name = "FILE",
        default_value = "-",
        conflicts_with = "message"
    )]
    input: PathBuf,

    /// The message on the command line ("mikey <base64>" or base64), instead of --in.
    #[arg(value_name = "MESSAGE")]
    message: Option<String>,

    /// Local clock for the timestamp check: Unix seconds or YYYY-MM-DDTHH:MM:SSZ
    /// (default: now).
    #[arg(long, value_name = "TIME")]
    now: Option<UtcTime>,

    /// Largest accepted difference, in seconds, between the message's timestamp and the
    /// local clock.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    max_skew: u64,

    /// Crypto session ID the printed TEK and salt are derived for.
    #[arg(long, value_name = "N", default_value_t = 0)]
    cs_id: u8,

    /// 3GPP: open a message you sent, from its SAKKE-to-self copy: --from is you and
    /// --rsk your RSK; --to (optional) names the responder, to recover a GMK's ID.
    #[arg(long, requires = "from")]
    own: bool,
}

/// Why a message could not even be read.
#[derive(Debug, Error)]
pub enum MessageInputError {
    #[error("the message is empty")]
    Empty,
    #[error("the message is neither raw MIKEY bytes nor valid base64: {0}")]
    Base64(#[from] base64::DecodeError),
}

pub fn run(command: &ImessageCommand, json: bool) -> Result<()> {
    match command {
        ImessageCommand::Create(args) => create(args, json),
        ImessageCommand::Open(args) => open(args, json),
    }
}

/// The keys a session derives, as printed; wiped on drop.
#[derive(Serialize)]
struct DerivedKeys {
    csb_id: u32,
    cs_id: u8,
    tgk: Zeroizing<String>,
    tek: Zeroizing<String>,
    salt: Zeroizing<String>,
}

fn derived(keys: &SessionKeys, cs_id: u8) -> DerivedKeys {
    let traffic = keys.traffic_keys(cs_id, KeyLengths::default());
    DerivedKeys {
        csb_id: keys.csb_id(),
        cs_id,
        tgk: secret_hex::encode(keys.tgk()),
        tek: secret_hex::encode(&traffic.tek[..]),
        salt: secret_hex::encode(&traffic.salt[..]),
    }
}

/// Prints a report that holds keys as pretty JSON, through a buffer that is wiped.
fn print_secret_json(report: &impl Serialize) -> Result<()> {
    let json = to_json_pretty(report)?;
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(&json)
        .and_then(|()| stdout.flush())
        .context("writing standard output")
}

fn ntp(time: UtcTime) -> Result<NtpTimestamp> {
    NtpTimestamp::from_unix(time.unix(), 0)
        .with_context(|| format!("{time} cannot be written as an NTP timestamp"))
}

/// The initiator's keys and KMS, from a store or from files.
fn initiator_keys(args: &CreateArgs, period: KeyPeriod) -> Result<(UserKeys, KmsPublic, PathBuf)> {
    if let Some(dir) = &args.store {
        let from = args
            .from
            .as_ref()
            .context("--from URI is required with --store")?;
        let store = Store::at(dir);
        let public = store.load_public()?;
        let (keys, path) = store.load_user(from, period)?;
        return Ok((keys, public, path));
    }
    let (Some(public), Some(user)) = (&args.kms_public, &args.user) else {
        bail!("give --store DIR, or --kms-public FILE and --user FILE");
    };
    let public = load_public_file(public)?;
    let keys = load_user_file(user)?;
    if let Some(from) = &args.from {
        if *from != keys.uri {
            bail!(
                "--from {from} does not match {}, which holds keys for {}",
                user.display(),
                keys.uri
            );
        }
    }
    if keys.period != period {
        bail!(
            "{} holds keys for key period {}, but the message is for {period}",
            user.display(),
            keys.period
        );
    }
    Ok((keys, public, user.clone()))
}

/// The --raw file, checked before the message is built (not after): never one of the
/// `inputs`, and replaced only with --force.
fn raw_output(args: &CreateArgs, inputs: &[&Path]) -> Result<Option<OutputFile>> {
    let Some(raw) = &args.raw else {
        return Ok(None);
    };
    let rules = OutputRules {
        force: args.force,
        inputs,
        ..OutputRules::default()
    };
    Ok(Some(OutputFile::create(raw, &rules)?))
}

/// Writes the message to the --raw file, if any; returns its "mikey <base64>" form.
fn write_raw(raw_file: Option<OutputFile>, bytes: &[u8]) -> Result<String> {
    if let Some(mut file) = raw_file {
        let target = file.target().display().to_string();
        file.write_all(bytes)
            .with_context(|| format!("writing {target}"))?;
        file.finish()?;
    }
    Ok(format!("{MIKEY_PREFIX}{}", STANDARD.encode(bytes)))
}

fn create(args: &CreateArgs, json: bool) -> Result<()> {
    match args.scheme {
        Scheme::ThreeGpp => create_3gpp::create_3gpp(args, json),
        Scheme::Rfc6509 => create_rfc6509(args, json),
        Scheme::Auto => bail!("--scheme for a new message is rfc6509 or 3gpp"),
    }
}

fn create_rfc6509(args: &CreateArgs, json: bool) -> Result<()> {
    let given_3gpp = [
        args.ssk.is_some(),
        args.pvt.is_some(),
        args.key_period.is_some(),
    ];
    if given_3gpp.contains(&true) || args.to_self || args.key_id.is_some() || args.key.is_some() {
        bail!("--ssk, --pvt, --key-period, --key-id, --key and --to-self need --scheme 3gpp");
    }
    // The key period is the month of T: pick T, then check the period agrees.
    let file_period = match (&args.user, args.period) {
        (Some(user), None) if args.store.is_none() => Some(load_user_file(user)?.period),
        (_, p) => p,
    };
    let at = args.at.unwrap_or_else(UtcTime::now);
    let month = at
        .period()
        .with_context(|| format!("{at} is outside years 0-9999"))?;
    let period = file_period.unwrap_or(month);
    if period != month {
        bail!(
            "the message time {at} is in {month}, but the keys are for {period}: \
             pass --at with a time in {period}"
        );
    }
    let (keys, public, path) = initiator_keys(args, period)?;
    let mut inputs: Vec<&Path> = vec![&path];
    inputs.extend(args.kms_public.as_deref());
    inputs.extend(args.responder_kms_public.as_deref());
    let raw_file = raw_output(args, &inputs)?;
    let (_, signer) = keys.validate(&public, &path)?;
    let responder_kms = match &args.responder_kms_public {
        Some(file) => load_public_file(file)?,
        None => public.clone(),
    };

    let initiator = PartyId::Uri(keys.uri.to_string());
    let responder = PartyId::Uri(args.to.to_string());
    let mut params = IMessageParams::new(&initiator, &responder, &signer, &responder_kms.z);
    params.time = Some(ntp(at)?);
    params.csb_id = args.csb_id;
    params.prf = args.prf.func();
    params.kms_initiator_uri = Some(public.kms_uri.as_str());
    params.kms_responder_uri = Some(responder_kms.kms_uri.as_str());
    let built = build_i_message(&params, &mut OsRng).context("building the I_MESSAGE")?;

    let text = write_raw(raw_file, &built.bytes)?;

    #[derive(Serialize)]
    struct Report {
        i_message: String,
        bytes: usize,
        from: String,
        to: String,
        period: String,
        time: String,
        #[serde(flatten)]
        keys: DerivedKeys,
    }
    if json {
        let report = Report {
            i_message: text,
            bytes: built.bytes.len(),
            from: keys.uri.to_string(),
            to: args.to.to_string(),
            period: period.to_string(),
            time: at.to_string(),
            keys: derived(&built.keys, args.cs_id),
        };
        print_secret_json(&report)?;
    } else {
        println!("{text}");
        eprintln!(
            "I_MESSAGE from {} to {} for {period}, {} bytes (--json shows the TGK)",
            keys.uri,
            args.to,
            built.bytes.len()
        );
    }
    Ok(())
}

/// Reads the message: "mikey <base64>", base64, or raw bytes.
fn read_message(args: &OpenArgs) -> Result<Vec<u8>> {
    let data = match &args.message {
        Some(text) => text.as_bytes().to_vec(),
        None if args.input == Path::new("-") => {
            let mut buf = Vec::new();
            io::stdin().read_to_end(&mut buf).context("reading stdin")?;
            buf
        }
        None => {
            fs::read(&args.input).with_context(|| format!("reading {}", args.input.display()))?
        }
    };
    Ok(decode_message(&data)?)
}

/// A MIKEY message starts with version 0x01, which is not a base64 character; text
/// is base64 after an optional "mikey " prefix, with any whitespace ignored.
pub fn decode_message(data: &[u8]) -> Result<Vec<u8>, MessageInputError> {
    let trimmed = data.trim_ascii();
    if trimmed.is_empty() {
        return Err(MessageInputError::Empty);
    }
    let prefixed = trimmed.strip_prefix(MIKEY_PREFIX.as_bytes());
    let is_base64 = trimmed
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || b" +/=\t\r\n".contains(b));
    if prefixed.is_none() && !is_base64 {
        return Ok(data.to_vec());
    }
    let body = prefixed.unwrap_or(trimmed);
    let compact: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if compact.is_empty() {
        return Err(MessageInputError::Empty);
    }
    STANDARD
        .decode(&compact)
        .or_else(|e| STANDARD_NO_PAD.decode(&compact).map_err(|_| e))
        .map_err(MessageInputError::from)
}

fn open(args: &OpenArgs, json: bool) -> Result<()> {
    let bytes = read_message(args)?;
    let message = Message::parse(&bytes).context("not a MIKEY message")?;
    let im = IMessage::new(&message).context("not a MIKEY-SAKKE I_MESSAGE")?;
    let scheme = match args.scheme {
        Scheme::Auto if im.sakke.id_scheme == IdScheme::ThreeGppUid => Scheme::ThreeGpp,
        Scheme::Auto => Scheme::Rfc6509,
        chosen => chosen,
    };
    let sent = UtcTime::from_unix(im.time.unix_seconds());
    match scheme {
        Scheme::ThreeGpp => open_3gpp::open_3gpp(args, &bytes, im.time, json),
        _ => open_rfc6509(args, &bytes, sent, json),
    }
}

/// The local clock for the timestamp window.
fn local_now(args: &OpenArgs) -> Result<std::time::SystemTime> {
    let now = args.now.unwrap_or_else(UtcTime::now);
    now.to_system_time()
        .with_context(|| format!("{now} is out of the system clock's range"))
}

/// Opens with the SAKKE keys and identities given; one message per run, so replay
/// protection across runs is the caller's (RFC 3830 5.4).
fn open_with(
    args: &OpenArgs,
    bytes: &[u8],
    params: &ResponderParams<'_>,
) -> Result<OpenedIMessage> {
    let mut cache = ReplayCache::new(1);
    open_i_message(bytes, params, &mut cache, local_now(args)?)
        .context("the I_MESSAGE was rejected")
}

fn initiator_kms(args: &OpenArgs, responder_kms: &KmsPublic) -> Result<KmsPublic> {
    match &args.initiator_kms_public {
        Some(file) => Ok(load_public_file(file)?),
        None => Ok(responder_kms.clone()),
    }
}

fn open_rfc6509(args: &OpenArgs, bytes: &[u8], sent: UtcTime, json: bool) -> Result<()> {
    let Some(user) = &args.user else {
        bail!(
            "an RFC 6509 message (SAKKE ID scheme 1) is opened with --user FILE; \
             --to, --rsk and --key-period are for 3GPP messages (ID scheme 2)"
        );
    };
    let keys = load_user_file(user)?;
    let responder_kms = load_public_file(kms_public_path(args)?)?;
    let initiator_kms = initiator_kms(args, &responder_kms)?;

    // The identifiers use the month of T: say so plainly when the keys are for another.
    if sent.period() != Some(keys.period) {
        bail!(
            "the message is dated {sent}, but {} holds keys for {}",
            user.display(),
            keys.period
        );
    }

    let responder = PartyId::Uri(keys.uri.to_string());
    let expected = args.from.as_ref().map(|u| PartyId::Uri(u.to_string()));
    let params = ResponderParams {
        responder: &responder,
        expected_initiator: expected.as_ref(),
        rsk: &keys.rsk,
        responder_kms: &responder_kms.z,
        initiator_kpak: &initiator_kms.kpak,
        max_skew: Duration::from_secs(args.max_skew),
        verifiers: None,
    };
    let opened = open_with(args, bytes, &params)?;

    let from = opened.initiator.uri().unwrap_or_default().to_string();
    let derived = derived(&opened.keys, args.cs_id);

    #[derive(Serialize)]
    struct Report<'a> {
        from: &'a str,
        to: String,
        period: String,
        time: String,
        #[serde(flatten)]
        keys: &'a DerivedKeys,
    }
    if json {
        let report = Report {
            from: &from,
            to: keys.uri.to_string(),
            period: keys.period.to_string(),
            time: sent.to_string(),
            keys: &derived,
        };
        print_secret_json(&report)?;
    } else {
        println!(
            "I_MESSAGE from {from} to {} accepted: signature verified, SAKKE TEST passed",
            keys.uri
        );
        println!("  sent    {sent} (key period {})", keys.period);
        print_keys(&derived);
    }
    Ok(())
}

fn print_keys(derived: &DerivedKeys) {
    println!("  CSB ID  {:#010x}", derived.csb_id);
    println!("  TGK     {}", derived.tgk.as_str());
    println!(
        "  TEK     {} (crypto session {})",
        derived.tek.as_str(),
        derived.cs_id
    );
    println!("  salt    {}", derived.salt.as_str());
}

/// --kms-public, which only --store replaces (and only for 3GPP messages).
fn kms_public_path(args: &OpenArgs) -> Result<&Path> {
    match &args.kms_public {
        Some(path) => Ok(path),
        None => bail!(
            "an RFC 6509 message is opened with --user FILE and --kms-public FILE; --store \
             is for 3GPP messages"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_every_input_form() {
        let raw = [0x01u8, 0x1a, 0x05, 0x01, 0xff];
        let b64 = STANDARD.encode(raw);
        assert_eq!(decode_message(&raw).unwrap(), raw);
        assert_eq!(decode_message(b64.as_bytes()).unwrap(), raw);
        assert_eq!(
            decode_message(format!("mikey {b64}\n").as_bytes()).unwrap(),
            raw
        );
        assert_eq!(
            decode_message(b64.trim_end_matches('=').as_bytes()).unwrap(),
            raw
        );
        assert!(matches!(
            decode_message(b"  \n"),
            Err(MessageInputError::Empty)
        ));
        for bad in [&b"mikey A"[..], b"mikey AA%A"] {
            assert!(matches!(
                decode_message(bad),
                Err(MessageInputError::Base64(_))
            ));
        }
    }
}
