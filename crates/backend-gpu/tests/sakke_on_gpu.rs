//! SAKKE on the GPU backend: RFC 6508 Appendix A decapsulated on the device, batched
//! encapsulation byte-identical to the CPU's, several identities under two KMSs in one
//! batch, and a faulty device (one wrong pairing or multiplication per batch) still
//! yielding every right SSV, with the retries counted.

mod common;

use backend_gpu::{Fault, GpuBackend, GpuConfig};
use common::under_ci;
use pairing::backend::TablePolicy;
use rand::{rngs::StdRng, SeedableRng};
use sakke::{
    decapsulate_batch, encapsulate_batch, encapsulate_to, CpuBackend, CpuConfig, DecapItem,
    EncapItem, EncapsulatedData, Identifier, Kms, KmsPublicKey, PairingBackend, ReceiverKey,
    RecipientKey, Rsk, Ssv,
};

fn h(s: &str) -> Vec<u8> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(clean).expect("hex")
}

// RFC 6508 Appendix A.
const ZX: &str = "5958EF1B 1679BF09 9B3A030D F255AA6A 23C1D8F1 43D4D23F 753E69BD 27A832F3
    8CB4AD53 DDEF4260 B0FE8BB4 5C4C1FF5 10EFFE30 0367A37B 61F701D9 14AEF097
    24825FA0 707D61A6 DFF4FBD7 273566CD DE352A0B 04B7C16A 78309BE6 40697DE7
    47613A5F C195E8B9 F328852A 579DB8F9 9B1D0034 479EA9C5 595F47C4 B2F54FF2";
const ZY: &str = "1508D375 14DCF7A8 E143A605 8C09A6BF 2C9858CA 37C25806 5AE6BF75 32BC8B5B
    63383866 E0753C5A C0E72709 F8445F2E 6178E065 857E0EDA 10F68206 B63505ED
    87E534FB 2831FF95 7FB7DC61 9DAE6130 1EEACC2F DA3680EA 4999258A 833CEA8F
    C67C6D19 487FB449 059F26CC 8AAB655A B58B7CC7 96E24E9A 39409575 4F5F8BAE";
const B: &str = "3230 31312D30 32007465 6C3A2B34 34373730 30393030 31323300";
const SSV: &str = "12345678 9ABCDEF0 12345678 9ABCDEF0";
const RBX: &str = "44E8AD44 AB8592A6 A5A3DDCA 5CF896C7 18043606 A01D650D EF37A01F 37C228C3
    32FC3173 54E2C274 D4DAF8AD 001054C7 6CE57971 C6F4486D 57230432 61C506EB
    F5BE438F 53DE04F0 67C776E0 DD3B71A6 29013328 3725A532 F21AF145 126DC1D7
    77ECC27B E50835BD 28098B8A 73D9F801 D893793A 41FF5C49 B87E79F2 BE4D56CE";
const RBY: &str = "557E134A D85BB1D4 B9CE4F8B E4B08A12 BABF55B1 D6F1D7A6 38019EA2 8E15AB1C
    9F76375F DD1210D4 F4351B9A 009486B7 F3ED46C9 65DED2D8 0DADE4F3 8C6721D5
    2C3AD103 A10EBD29 59248B4E F006836B F097448E 6107C9ED EE9FB704 823DF199
    F832C905 AE45F8A2 47A072D8 EF729EAB C5E27574 B07739B3 4BE74A53 2F747B86";
const HINT: &str = "89E0BC66 1AA1E916 38E6ACC8 4E496507";
const KBX: &str = "93AF67E5 007BA6E6 A80DA793 DA300FA4 B52D0A74 E25E6E7B 2B3D6EE9 D18A9B5C
    5023597B D82D8062 D3401956 3BA1D25C 0DC56B7B 979D74AA 50F29FBF 11CC2C93
    F5DFCA61 5E609279 F6175CEA DB00B58C 6BEE1E7A 2A47C4F0 C456F052 59A6FA94
    A634A40D AE1DF593 D4FECF68 8D5FC678 BE7EFC6D F3D68353 25B83B2C 6E69036B";
const KBY: &str = "155F0A27 241094B0 4BFB0BDF AC6C670A 65C325D3 9A069F03 659D44CA 27D3BE8D
    F311172B 55416018 1CBE94A2 A783320C ED590BC4 2644702C F371271E 496BF20F
    588B78A1 BC01ECBB 6559934B DD2FB65D 2884318A 33D1A42A DF5E33CC 5800280B
    28356497 F87135BA B9612A17 26042440 9AC15FEE 996B744C 33215123 5DECB0F5";

fn point(x: &str, y: &str) -> Vec<u8> {
    [vec![4u8], h(x), h(y)].concat()
}

fn open(config: GpuConfig) -> Option<GpuBackend> {
    match GpuBackend::open(config) {
        Ok(b) => Some(b),
        Err(e) if under_ci() => panic!("opening the GPU backend: {e} (CI=true: no skipping)"),
        Err(e) => {
            eprintln!("skipping GPU test: {e}");
            None
        }
    }
}

fn tabled(fault: Option<Fault>) -> Option<GpuBackend> {
    open(GpuConfig {
        tables: TablePolicy::Always,
        fault,
        ..GpuConfig::default()
    })
}

#[test]
fn rfc6508_appendix_a_decapsulates_on_the_gpu() {
    let Some(gpu) = tabled(None) else { return };
    let id = Identifier::new(h(B)).expect("RFC identifier");
    let kms = KmsPublicKey::from_bytes(&point(ZX, ZY)).expect("RFC KMS key");
    let rsk = Rsk::from_bytes(&point(KBX, KBY)).expect("RFC RSK");
    let key = ReceiverKey::new(&id, &kms, rsk).expect("valid");
    let ed = EncapsulatedData::from_bytes(&[point(RBX, RBY), h(HINT)].concat()).expect("RFC");
    // Twice in one batch, so the key gets a table: both Miller kernels see the vector.
    let item = DecapItem {
        encapsulated: &ed,
        key: &key,
    };
    let out = decapsulate_batch(&gpu, &[item, item]);
    assert_eq!(out.retried, 0, "the device's results passed TEST");
    assert!(out.backend_error.is_none());
    for ssv in out.results {
        assert_eq!(ssv.expect("decapsulated").as_bytes().to_vec(), h(SSV));
    }
    // Encapsulating the RFC's SSV on the device gives the RFC's ciphertext.
    let recipient = RecipientKey::new(&id, &kms).expect("valid");
    let ssv = Ssv::from_bytes(&h(SSV)).expect("16 bytes");
    let out = encapsulate_batch(
        &gpu,
        &[EncapItem {
            ssv: &ssv,
            to: &recipient,
        }],
    );
    let ed = out.results[0].as_ref().expect("encapsulated");
    assert_eq!(ed.to_bytes().to_vec(), [point(RBX, RBY), h(HINT)].concat());
}

struct Users {
    receivers: Vec<ReceiverKey>,
    recipients: Vec<RecipientKey>,
}

/// Four identities under two KMSs.
fn users() -> Users {
    let mut rng = StdRng::seed_from_u64(95);
    let kmss = [Kms::generate_from(&mut rng), Kms::generate_from(&mut rng)];
    let (mut receivers, mut recipients) = (Vec::new(), Vec::new());
    for i in 0..4 {
        let kms = &kmss[i % 2];
        let id = Identifier::rfc6509("2026-12", &format!("tel:+4477009000{i:02}")).unwrap();
        let rsk = kms.issue_rsk(&id).unwrap();
        receivers.push(ReceiverKey::new(&id, &kms.public_key(), rsk).unwrap());
        recipients.push(RecipientKey::new(&id, &kms.public_key()).unwrap());
    }
    Users {
        receivers,
        recipients,
    }
}

/// Encapsulates n SSVs on `encap` (checking each against the CPU's single-item path),
/// then decapsulates them on `gpu`, checking every SSV; returns the decapsulation
/// retries.
fn round_trip(encap: &dyn PairingBackend, gpu: &GpuBackend, u: &Users, n: usize) -> usize {
    let ssvs: Vec<Ssv> = (0..n).map(|i| Ssv::from([i as u8 + 1; 16])).collect();
    let items: Vec<EncapItem> = (0..n)
        .map(|i| EncapItem {
            ssv: &ssvs[i],
            to: &u.recipients[i % 4],
        })
        .collect();
    let encapsulated = encapsulate_batch(encap, &items);
    assert!(encapsulated.backend_error.is_none());
    let eds: Vec<EncapsulatedData> = encapsulated
        .results
        .into_iter()
        .zip(&items)
        .map(|(ed, it)| {
            let ed = ed.expect("encapsulated");
            assert_eq!(
                ed,
                encapsulate_to(it.ssv, it.to),
                "byte-identical to the CPU"
            );
            ed
        })
        .collect();
    let decap: Vec<DecapItem> = (0..n)
        .map(|i| DecapItem {
            encapsulated: &eds[i],
            key: &u.receivers[i % 4],
        })
        .collect();
    let out = decapsulate_batch(gpu, &decap);
    assert!(out.backend_error.is_none());
    for (got, want) in out.results.into_iter().zip(&ssvs) {
        assert_eq!(got.expect("decapsulated").as_bytes(), want.as_bytes());
    }
    out.retried
}

#[test]
fn mixed_identities_and_kmss_round_trip_on_the_gpu() {
    let Some(gpu) = tabled(None) else { return };
    let u = users();
    assert_eq!(round_trip(&gpu, &gpu, &u, 9), 0);
    let stats = gpu.table_stats();
    assert!(
        stats.tables >= 4,
        "line and base tables of the keys used twice: {stats:?}"
    );
}

#[test]
fn a_faulty_device_costs_retries_never_a_wrong_ssv() {
    let u = users();
    let cpu = CpuBackend::new(CpuConfig::default()).expect("cpu");
    for fault in [Fault::CorruptPairing, Fault::CorruptScalarMul] {
        let Some(gpu) = tabled(Some(fault)) else {
            return;
        };
        // One corrupted item per batch: found by TEST and recomputed on the CPU.
        assert_eq!(round_trip(&cpu, &gpu, &u, 5), 1, "{fault:?}");
    }
}
