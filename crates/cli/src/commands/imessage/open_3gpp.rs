//! `sakke imessage open` for 3GPP MCX messages (SAKKE ID scheme 2): the recipient's UID
//! from its URI, the KMS URI and the key period of the message time; keys from a store or
//! from --rsk and the grid options; `--own` for the initiator's SAKKE-to-self copy.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use mikey::sakke::{Identifier, ReceiverKey};
use mikey::{
    open_own_i_message, received_key_id, IMessage, IdRole, KeyPeriods, KeyPurpose, McxIdentity,
    MikeyError, NtpTimestamp, OwnParams, PartyId, ReplayCache, ResponderParams,
};
use serde::Serialize;

use super::{
    derived, initiator_kms, kms_public_path, local_now, open_with, print_keys, print_secret_json,
    store, DerivedKeys, KeyParametersReport, OpenArgs,
};
use crate::identity::Uri;
use crate::keystore::{load_public_file, load_rsk_hex_file, KmsPublic};
use crate::time::UtcTime;

pub(super) fn open_3gpp(
    args: &OpenArgs,
    bytes: &[u8],
    time: NtpTimestamp,
    json: bool,
) -> Result<()> {
    const NEEDS: &str = "a 3GPP message (SAKKE ID scheme 2) is opened with --to URI \
        (--from URI with --own) and either --store DIR, or --rsk FILE and --key-period \
        SECONDS (and --key-offset if not 0)";
    if args.user.is_some() {
        bail!("{NEEDS}, not --user (an RFC 6509 key file)");
    }
    let me_uri = if args.own { &args.from } else { &args.to };
    if let (Some(dir), Some(me_uri)) = (&args.store, me_uri) {
        let keys = store::user_keys(dir, me_uri, time)?;
        let recipient = Responder3gpp {
            periods: keys.periods,
            kms_uri: keys.public.kms_uri.clone(),
            kms: keys.public,
            rsk: keys.rsk,
        };
        return open_3gpp_with(args, bytes, time, json, recipient);
    }
    let (Some(me_uri), Some(rsk_file), Some(length)) = (me_uri, &args.rsk, args.key_period) else {
        bail!("{NEEDS}");
    };
    let periods = KeyPeriods::new(length, args.key_offset.unwrap_or(0))
        .context("--key-period must be at least 1 second")?;
    let kms_public = kms_public_path(args)?;
    let responder_kms = load_public_file(kms_public)?;
    let kms_uri = args.kms_uri.as_ref().unwrap_or(&responder_kms.kms_uri);
    let me = McxIdentity::new(me_uri.as_str(), kms_uri.as_str(), periods);
    let period_no = me.period_number(time).with_context(|| {
        format!(
            "the message is dated {}, before the KMS's first key period",
            UtcTime::from_unix(time.unix_seconds())
        )
    })?;

    // Check the RSK belongs to this UID before opening: a wrong file, URI, KMS URI or
    // key period is then named as such instead of as a failed SAKKE TEST.
    let rsk = load_rsk_hex_file(rsk_file)?;
    let uid = me.uid(period_no)?;
    let sakke_id = Identifier::new(uid.to_vec()).context("the UID is not a SAKKE identifier")?;
    ReceiverKey::new(&sakke_id, &responder_kms.z, rsk.clone()).with_context(|| {
        format!(
            "{} is not the RSK of {me_uri} at {kms_uri} for key period {period_no} \
             ({length} s periods from offset {}) under the KMS of {}",
            rsk_file.display(),
            periods.offset(),
            kms_public.display()
        )
    })?;
    let responder = Responder3gpp {
        periods,
        kms_uri: kms_uri.clone(),
        kms: responder_kms,
        rsk,
    };
    open_3gpp_with(args, bytes, time, json, responder)
}

/// The recipient's side of a 3GPP message (the responder, or with --own the initiator):
/// its KMS, the KMS URI in its UID, its RSK.
struct Responder3gpp {
    periods: KeyPeriods,
    kms: KmsPublic,
    kms_uri: Uri,
    rsk: mikey::sakke::Rsk,
}

/// Opens a 3GPP message to --to (or, with --own, from --from) with its RSK, already
/// checked against the UID.
fn open_3gpp_with(
    args: &OpenArgs,
    bytes: &[u8],
    time: NtpTimestamp,
    json: bool,
    responder: Responder3gpp,
) -> Result<()> {
    let Responder3gpp {
        periods,
        kms: responder_kms,
        kms_uri,
        rsk,
    } = responder;
    let kms_uri = &kms_uri;
    let me_uri = match args.own {
        true => args
            .from
            .as_ref()
            .context("--from URI is required with --own")?,
        false => args.to.as_ref().context("--to URI is required")?,
    };
    let me = McxIdentity::new(me_uri.as_str(), kms_uri.as_str(), periods);
    let period_no = me.period_number(time)?;
    let uid = me.uid(period_no)?;
    let initiator_kms = initiator_kms(args, &responder_kms)?;

    let initiator_kms_uri = args
        .initiator_kms_uri
        .as_ref()
        .or(args
            .initiator_kms_public
            .is_some()
            .then_some(&initiator_kms.kms_uri))
        .unwrap_or(kms_uri);
    let expected = args.from.as_ref().map(|u| {
        PartyId::Mcx(McxIdentity::new(
            u.as_str(),
            initiator_kms_uri.as_str(),
            periods,
        ))
    });
    let me = PartyId::Mcx(me);
    let opened = if args.own {
        let params = OwnParams {
            initiator: &me,
            rsk: &rsk,
            kms: &responder_kms.z,
            kpak: &responder_kms.kpak,
            max_skew: Duration::from_secs(args.max_skew),
            verifiers: None,
        };
        open_own_i_message(bytes, &params, &mut ReplayCache::new(1), local_now(args)?)
            .context("the I_MESSAGE was rejected")?
    } else {
        let params = ResponderParams {
            responder: &me,
            expected_initiator: expected.as_ref(),
            rsk: &rsk,
            responder_kms: &responder_kms.z,
            initiator_kpak: &initiator_kms.kpak,
            max_skew: Duration::from_secs(args.max_skew),
            verifiers: None,
        };
        open_with(args, bytes, &params)?
    };
    // Opening your own message, the responder is known by its UID (and --to, if given).
    let (to, to_uid) = if args.own {
        let im = IMessage::new(&opened.message)?;
        let sent = im.idr(IdRole::ResponderUid).map(|i| hex::encode(&i.data));
        (args.to.as_ref().map(Uri::to_string), sent)
    } else {
        (Some(me_uri.to_string()), Some(hex::encode(uid)))
    };

    // With identity hiding and no --from, the signer is known by its UID alone.
    let from = opened.initiator.uri().map(str::to_string);
    let from_uid = opened.initiator.uid_at(time)?.map(hex::encode);
    let csb_id = opened.message.hdr.csb_id;
    // A purpose tag TS 33.180 does not assign does not make the message invalid: the
    // key is reported under its CSB ID. A GMK's ID is recovered from its GUK-ID with the
    // receiver's URI, when known.
    let receiver = to.as_deref().unwrap_or_default();
    let (purpose, key_id) = match received_key_id(csb_id, opened.ssv.as_bytes(), receiver) {
        Ok((purpose, id)) => (purpose.name().to_string(), id),
        Err(MikeyError::UnknownKeyPurpose(tag)) => (format!("unknown (tag {tag})"), csb_id),
        Err(e) => return Err(e).context("reading the key ID"),
    };
    let gmk = KeyPurpose::of(csb_id).is_ok_and(|p| p == KeyPurpose::Gmk);
    let key_id = if gmk && to.is_none() { csb_id } else { key_id };
    let parameters = opened.key_parameters.as_ref().map(KeyParametersReport::new);
    let derived = derived(&opened.keys, args.cs_id);
    let sent = UtcTime::from_unix(time.unix_seconds());

    #[derive(Serialize)]
    struct Report<'a> {
        scheme: &'static str,
        own: bool,
        from: Option<&'a str>,
        from_uid: Option<&'a str>,
        to: Option<&'a str>,
        to_uid: Option<&'a str>,
        kms_uri: String,
        key_period_no: u64,
        time: String,
        purpose: &'a str,
        key_id: String,
        key_parameters: Option<&'a KeyParametersReport>,
        #[serde(flatten)]
        keys: &'a DerivedKeys,
    }
    if json {
        let report = Report {
            scheme: "3gpp",
            own: args.own,
            from: from.as_deref(),
            from_uid: from_uid.as_deref(),
            to: to.as_deref(),
            to_uid: to_uid.as_deref(),
            kms_uri: kms_uri.to_string(),
            key_period_no: period_no,
            time: sent.to_string(),
            purpose: &purpose,
            key_id: format!("{key_id:08x}"),
            key_parameters: parameters.as_ref(),
            keys: &derived,
        };
        print_secret_json(&report)?;
    } else {
        let to = match (&to, &to_uid) {
            (Some(uri), _) => uri.clone(),
            (None, Some(uid)) => format!("UID {uid}"),
            (None, None) => "an unnamed responder".into(),
        };
        let from = match (&from, &from_uid) {
            (Some(uri), _) => uri.clone(),
            (None, Some(uid)) => format!("UID {uid}"),
            (None, None) => "an unnamed initiator".into(),
        };
        println!(
            "3GPP I_MESSAGE from {from} to {to} accepted: signature verified, SAKKE TEST passed"
        );
        println!("  sent    {sent} (key period {period_no} at {kms_uri})");
        let via = match (gmk, args.own && to.starts_with("UID")) {
            (true, true) => " (the GUK-ID: --to gives the GMK-ID)",
            (true, false) => " (CSB ID is its GUK-ID)",
            _ => "",
        };
        let copy = if args.own {
            ", opened from its copy to self"
        } else {
            ""
        };
        println!("  key     {purpose} {key_id:#010x}{via}{copy}");
        if let Some(p) = &parameters {
            println!("  params  {p}");
        }
        print_keys(&derived);
    }
    Ok(())
}
