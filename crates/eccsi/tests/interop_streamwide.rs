//! Interop with an independent implementation: Streamwide's published KMS and user keys
//! (shared/interop/streamwide-test-vectors-v5.md), with the 32-byte 3GPP UID (TS 33.180
//! F.2.1) as the ECCSI identifier, fed raw to HS. Their SSKs must validate against their
//! KPAK, and the ECCSI signatures on their MIKEY-SAKKE I_MESSAGEs must verify.

use eccsi::signature::Verifier;
use eccsi::{validate_ssk, EccsiError, Kpak, Pvt, Signature, SigningKey, Ssk, VerifyingKey};

/// `PubAuthKey` of the Streamwide KMS (kms.mydev.streamwide.com).
const KPAK: &str = "0448f9c2c48b50735f6bc70ec6691073243f1e0bd83cc73bb936d61ffcb2d6049a5b297e8205b29fbd8591cb582d6402add21451ce4beebeaaa7520e93b11cf28f";

struct User {
    name: &'static str,
    uri: &'static str,
    /// 3GPP UID: the ECCSI ID, 32 raw bytes.
    user_id: &'static str,
    ssk: &'static str,
    pvt: &'static str,
}

const USERS: [User; 4] = [
    User {
        name: "GMS",
        uri: "gms@streamwide.com",
        user_id: "15a4d5b12856538d02d91fedbb766e6dd377b014c92e216666c8fb678608d20e",
        ssk: "2e7237faa18a874b88d955199dea974b7d0fefcbbae1946baf659b26a4d05a5e",
        pvt: "0468a24d49b184d7008d22f63a415debd38bfa9295f066fa6ada5951c2322d2eca1d6f1d994f22710daef776d9c54d9a338f32395080d6f2bdffb6c7895f12cda2",
    },
    User {
        name: "Alice",
        uri: "sip:alice@streamwide.com",
        user_id: "b5c452309219da6a3d805615548d6c1b0f4de45a6b48fb13d9a24d857fc03dc4",
        ssk: "a1be54a56c7905c06abd2be177fc0c137a32278c9067550b0f0d93fb630d2428",
        pvt: "0426cd8b0a33af9b381ee53ebc6841aed5c1c98fb0d2beb9c7ff98d7c79808d1f566659f6b735016192dd9984df56e54f3f95c76ac4638c1f3d3228f3c752c8cc8",
    },
    User {
        name: "IWF",
        uri: "sip:iwf_legacy_v1.1.x_format@streamwide.com",
        user_id: "edb3cd733168a81106e366c2ddc0e4bc323e9069d48edfe2b3b0f7033bae962a",
        ssk: "ed3162edf45f6e6f0f0939a02c84795c2ab78f714c91fe0254ca0f48eacf6a20",
        pvt: "0411d4c57e7b945588148a55f9e88bd1d62017f4fab600af6bf4dcdb05e6f75e9441e20f7a9e2371ebb34692b941270b52744d1699538b41a4cdf043101e23449d",
    },
    User {
        name: "Bob",
        uri: "sip:bob@streamwide.com",
        user_id: "780851cda91a9c33f941cd3a2831697e2893264754e363f8a0cef827eb201a81",
        ssk: "a36885736f21b6ceba48448093086f4ada1ce099bd77e3047c04529ac3f4d4eb",
        pvt: "049c203fda536ae9481eb7f3a1e4662d0adaa6a3b7d3fff0c2dfadd148a754af424d434253b62dcd08eb6aedb6cd091e09f8539d41d3ef2d0ce07e8ead352f2dd9",
    },
];

/// An I_MESSAGE as published (base64 after "mikey "), signed by its initiator.
struct IMessage {
    title: &'static str,
    initiator_uri: &'static str,
    base64: &'static str,
}

const I_MESSAGES: [IMessage; 4] = [
    IMessage {
        title: "GMK",
        initiator_uri: "gms@streamwide.com",
        base64: "ARoFAQahKuoBAgQAAQAAAAgN+bw5BqEq6gsA7ImNqAAAAAAOEMovXVH/CGY2LB2FpW+EZR4OCAEAIBWk1bEoVlONAtkf7bt2bm3Td7AUyS4hZmbI+2eGCNIODgkBACC1xFIwkhnaaj2AVhVUjWwbD03kWmtI+xPZok2Ff8A9xA4GAQAYa21zLm15ZGV2LnN0cmVhbXdpZGUuY29tCgcBABhrbXMubXlkZXYuc3RyZWFtd2lkZS5jb20aAAAAGwABBgEBEAIBBAQBDAUBAAYBABIBBBMBABQBEBUBAgERBC3aUP1jhkJ9H82+MG+m8UQpuYzjR5JCHxwWvskS8Mny2EqaxY3EcWJhrcq6qkW8/JHV13Ajl7ONGzddlw0JgInw5TgkvS8nxlQFtZTNDAQNYfgHfB6mt2ngI7pK7TBSWLx6kWJtP9+GOsQBq8XF5sn8lU1oc5QYueVprQxfbvCAeNptCSm0d/8tTS1MRoZinm1ptcc56tfqR7SDGaEf4qIwgi+z6OlimTqd4TfQakk+0SS1N6+FpyTVJaV+vHH+XhbdNEAqvEF4kkVa9uBVbz3oibD6qE5r1p5RPLhMdbFSt43kD3m2W0bywQRLcd83h3ToKJjUVZmiJ1looeUhlmLDlOMS1o5aCogO1Y9BzxcIBAcAR0MAAAAAAQAAAAAAAShwT6Qcj+IPiBwbqw0y2MoGoSrqAAAkTt3Dv4wqSl0/yYSEQBI+fQVNq0MI1QV1kgbMeJ0FpM4OSTZNIIEiJZ8Dj82CPpmzeAtvAA00Ld0hK6wK+/O6TLeVfE6HxgAGWUHFH/27VKKiyKPa0tpfDhlEEnWzJiVzWOD/yzXdBGiiTUmxhNcAjSL2OkFd69OL+pKV8Gb6atpZUcIyLS7KHW8dmU8icQ2u93bZxU2aM48yOVCA1vK9/7bHiV8SzaI=",
    },
    IMessage {
        title: "CSK",
        initiator_uri: "sip:alice@streamwide.com",
        base64: "ARoFAS3dW/ABAgYAAQAAAAQt3VvwCwDsiY2oAAAAAA4QTRPEF5i4LeE7cBqWlzKO3Q4IAQAgtcRSMJIZ2mo9gFYVVI1sGw9N5FprSPsT2aJNhX/APcQOCQEAIBWk1bEoVlONAtkf7bt2bm3Td7AUyS4hZmbI+2eGCNIODgYBABhrbXMubXlkZXYuc3RyZWFtd2lkZS5jb20KBwEAGGttcy5teWRldi5zdHJlYW13aWRlLmNvbRoAAAAbAAEGAQEQAgEEBAEMBQEABgEAEgEEEwEAFAEQFQECAREEfQkdJ4BYO/O2WHY5cZ8HZMAMm5n9MLxgvJCOAv+759hNMLBMPPvnEjivXxmb661AVDQ1haLXdN52IbHmBgLJTYeyPQX8CVon6WVshkoTQCMWMRND0jdyGFRlw24VGkYfL2Z+JBvta/dAy4+GZYxTsqXzF7KOqH4f2P/aY5eVHAEvwF2zwUXUB0nOIs8Jtq/7dT+hwB5/mvoQiK+uiFkdwEvltVw6ZCzpWiqO+ly/ulyhYXubtqqFOvKMWLe/dqdaEsOMmsP4ZFTsYYOCU5B9IbrQ02IZDNJlNasQNe/m5MrC5+WcZkTw54G/ViwtQlxhuoi/E8J6XL0bY4n44uXDvmRNXMkLCsMC1y/iJVKWo9EEBwBEQwAAAAABAAAAAAABb37iYqxNp/XQanLehoFqvi3dW/AAACG8cPNwhkxPqPeos5kqzBfSM1U4vqkNYBaZK2uYKuhgCPAggdf8YqSPHsId0HAlWI2c3FevHT8Yd84XlCTMbp/Y8UE/qNnqyYDSyrpmrkj9okfl3jPsNoqzh8uddNZSTDzr5UAEJs2LCjOvmzge5T68aEGu1cHJj7DSvrnH/5jXx5gI0fVmZZ9rc1AWGS3ZmE31blTz+Vx2rEY4wfPTIo88dSyMyA==",
    },
    IMessage {
        title: "PCK",
        initiator_uri: "sip:alice@streamwide.com",
        base64: "ARoFARaZJjgAAQsA7ImNqAAAAAAOEAKii92vmExeBWO8HOhX34MOCAEAILXEUjCSGdpqPYBWFVSNbBsPTeRaa0j7E9miTYV/wD3EDgkBACB4CFHNqRqcM/lBzTooMWl+KJMmR1TjY/igzvgn6yAagQ4GAQAYa21zLm15ZGV2LnN0cmVhbXdpZGUuY29tCgcBABhrbXMubXlkZXYuc3RyZWFtd2lkZS5jb20aAAAAGwABBgEBEAIBBAQBDAUBAAYBABIBBBMBABQBEBUBAgERBF0yVtvyB49KhE+ao3Hj8W+gNROh57Tk5/9BWa2jNv1YLxYpBxV7206wlv/WHWlzz+NgptVcWgECwaekKAGURuP4TA+dRQpkGvqW8wImX2EF8Zjy+a1pOZMZ3YFAYRiYEAAGmOByWKdDDOT0TfgL2pPFXS1CvZ/bZtQL03Q8fL/JInBbnv4dSYiJ9/fkeeqg37yIRsjA3Xfds7k/2o4f0s4NisOs74F2xjE12l3/764H+g1y2rAMAWkjaJbS9jbVfZNGDauoRhq8zuXEXH1c5ftqs4VEPeOPmWjAkW1rQe8KxkZbmtrygtNpBIXVeZZEyorzD+MyQ2zL9xoGVs8cToze4NOxYt19SOInSpGO5Q0vBAcAREMAAAAAAQAAAAAAAfb0FW9YVClhy8qPsQ5m8WcWmSY4AAAhpTVAAi78zLNoUFiVPGjByx4N9U9gccPiQl1eiCiFLm8BIIFAPW9oE9lYM5oS5nQS9bWbJzGv+vWNAh2uUWmyG/OTGMeFzAD0JFMB6zcf7ck7GFns2OEPIGGx+7046le+CihyBCbNiwozr5s4HuU+vGhBrtXByY+w0r65x/+Y18eYCNH1ZmWfa3NQFhkt2ZhN9W5U8/lcdqxGOMHz0yKPPHUsjMg=",
    },
    IMessage {
        title: "GMK (legacy format for IWF)",
        initiator_uri: "gms@streamwide.com",
        base64: "ARoFAQSCCacCAADK/rq+AAAAAAAAAAAAAAAAAAsA7ImNqAAAAAAOEM3U5xrZLMCQ86E8tmouyxgOCAEAIBWk1bEoVlONAtkf7bt2bm3Td7AUyS4hZmbI+2eGCNIODgkBACDts81zMWioEQbjZsLdwOS8Mj6QadSO3+KzsPcDO66WKg4GAQAYa21zLm15ZGV2LnN0cmVhbXdpZGUuY29tCgcBABhrbXMubXlkZXYuc3RyZWFtd2lkZS5jb20aAAAAGwABBgEBEAIBBAQBDAUBAAYBABIBBBMBABQBEBUBAgERBF6WXZDP1xXQb6fqRvMIIWmyvxj3mWH7CM+1KiNnW67b1ZyKQfnNTTVd6qOmDw5gOl2AJsvvVT2hRmzZENyjyVRp0njGf1jT7kNElNm604PwuYPUrRZfEJkx8S+RlZ4Yzi3e5rQiT51qw2fs6B9Eeikz8G0ERl2OL9hK9Fuhei4VePlS0iDpxuDnUmHik4nTc8F+7ApxagH0YP/6V3EgnLMoBnjW6qBK2F+2BTXNY8uZ3FBmk71ta8O2vg32fhQZpRqv5XE9tMkG0Xdkrk2IwX234rVLlgGudn7kNuQUS2zbsh6FdUYXCEY8zzMIZMCAbEjHkm1CIMlJ+Qj2sTkW8YO4HjdsRwl5Ja6hNciqF54XBAcAEQEAAAABAAAAAAAAAAAAAAAAIIH/fqEkt5+oaoFcfKQ58KNfBa9wOmqCE6kGkoPOHu3amjBGJiTGbSZLzi5SElAtgAIY1zsJxcUoLV+65v9s8THsBGiiTUmxhNcAjSL2OkFd69OL+pKV8Gb6atpZUcIyLS7KHW8dmU8icQ2u93bZxU2aM48yOVCA1vK9/7bHiV8SzaI=",
    },
];

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).expect("hex")
}

fn kpak() -> Kpak {
    Kpak::from_bytes(&h(KPAK)).expect("Streamwide KPAK is a valid point")
}

fn user_by_uri(uri: &str) -> &'static User {
    USERS
        .iter()
        .find(|u| u.uri == uri)
        .expect("initiator is a listed user")
}

/// Standard base64 (RFC 4648, with padding), enough for the vectors.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let body = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in body.bytes() {
        acc = (acc << 6) | value(c);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// Splits an I_MESSAGE into the signed part and the ECCSI signature. The SIGN payload is
/// last: a 2-byte header (type 2 = ECCSI in the top 4 bits, length 129 in the low 12)
/// then the signature; RFC 3830 signs everything before the signature itself.
fn split_signed(message: &[u8]) -> (&[u8], &[u8]) {
    let (signed, sig) = message.split_at(message.len() - eccsi::SIGNATURE_LEN);
    let header = u16::from_be_bytes([signed[signed.len() - 2], signed[signed.len() - 1]]);
    assert_eq!(header >> 12, 2, "SIGN payload type ECCSI");
    assert_eq!(usize::from(header & 0x0fff), eccsi::SIGNATURE_LEN);
    (signed, sig)
}

#[test]
fn every_user_ssk_validates_with_uid_as_id() {
    let kpak = kpak();
    for user in &USERS {
        let id = h(user.user_id);
        assert_eq!(id.len(), 32, "{}: UID is 32 bytes", user.name);
        let ssk = Ssk::from_bytes(&h(user.ssk)).expect("SSK decodes");
        let pvt = Pvt::from_bytes(&h(user.pvt)).expect("PVT decodes");
        validate_ssk(&id, &ssk, &pvt, &kpak)
            .unwrap_or_else(|e| panic!("{}: SSK validation failed: {e}", user.name));
        let key = SigningKey::new(&id, ssk, pvt, kpak).expect("signing key");
        assert_eq!(key.pvt().to_bytes().to_vec(), h(user.pvt));
    }
}

#[test]
fn ssk_does_not_validate_under_another_users_id_or_uri() {
    let kpak = kpak();
    for (i, user) in USERS.iter().enumerate() {
        let ssk = Ssk::from_bytes(&h(user.ssk)).expect("SSK");
        let pvt = Pvt::from_bytes(&h(user.pvt)).expect("PVT");
        let other = &USERS[(i + 1) % USERS.len()];
        assert_eq!(
            validate_ssk(&h(other.user_id), &ssk, &pvt, &kpak).unwrap_err(),
            EccsiError::SskValidationFailed
        );
        // The URI is not the identifier in this community: the UID is.
        assert_eq!(
            validate_ssk(user.uri.as_bytes(), &ssk, &pvt, &kpak).unwrap_err(),
            EccsiError::SskValidationFailed
        );
    }
}

#[test]
fn streamwide_i_message_signatures_verify() {
    let kpak = kpak();
    for msg in &I_MESSAGES {
        let bytes = base64_decode(msg.base64);
        let (signed, sig_bytes) = split_signed(&bytes);
        let sig = Signature::from_bytes(sig_bytes).expect("signature decodes");
        assert_eq!(
            sig.to_bytes().to_vec(),
            sig_bytes,
            "{}: re-encodes",
            msg.title
        );
        let signer = user_by_uri(msg.initiator_uri);
        assert_eq!(sig.pvt().to_bytes().to_vec(), h(signer.pvt));
        let verifier = VerifyingKey::new(&h(signer.user_id), kpak);
        verifier
            .verify(signed, &sig)
            .unwrap_or_else(|e| panic!("{}: {e}", msg.title));
        Verifier::verify(&verifier, signed, &sig).expect("trait verify");

        // Any other signer identity, or a changed message, fails.
        let wrong = USERS
            .iter()
            .find(|u| u.uri != msg.initiator_uri)
            .expect("other");
        assert_eq!(
            VerifyingKey::new(&h(wrong.user_id), kpak)
                .verify(signed, &sig)
                .unwrap_err(),
            EccsiError::VerificationFailed
        );
        let mut altered = signed.to_vec();
        altered[0] ^= 1;
        assert!(verifier.verify(&altered, &sig).is_err());
    }
}

#[test]
fn our_signatures_with_streamwide_keys_verify() {
    let kpak = kpak();
    for user in &USERS {
        let id = h(user.user_id);
        let ssk = Ssk::from_bytes(&h(user.ssk)).expect("SSK");
        let pvt = Pvt::from_bytes(&h(user.pvt)).expect("PVT");
        let key = SigningKey::new(&id, ssk, pvt, kpak).expect("signing key");
        let sig = key.sign(user.uri.as_bytes(), &mut eccsi::rand_core::OsRng);
        VerifyingKey::new(&id, kpak)
            .verify(user.uri.as_bytes(), &sig)
            .expect("verifies");
    }
}
