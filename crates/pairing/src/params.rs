//! RFC 6509 Appendix A, parameter set 1, and values derived from it at compile time.

use crate::arith::{hex_limbs, sub_limbs, Limbs, N};

/// p, a 1024-bit prime with p = 3 mod 4.
pub(crate) const P: Limbs = hex_limbs(
    "997ABB1F 0A563FDA 65C61198 DAD0657A 416C0CE1 9CB48261 BE9AE358 B3E01A2E
     F40AAB27 E2FC0F1B 228730D5 31A59CB0 E791B39F F7C88A19 356D27F4 A666A6D0
     E26C6487 326B4CD4 512AC5CD 65681CE1 B6AFF4A8 31852A82 A7CF3C52 1C3C09AA
     9F94D6AF 56971F1F FCE3E823 89857DB0 80C5DF10 AC7ACE87 666D807A FEA85FEB",
);

/// q = (p + 1) / 4, a 1022-bit prime: the order of P.
pub(crate) const Q: Limbs = hex_limbs(
    "265EAEC7 C2958FF6 99718466 36B4195E 905B0338 672D2098 6FA6B8D6 2CF8068B
     BD02AAC9 F8BF03C6 C8A1CC35 4C69672C 39E46CE7 FDF22286 4D5B49FD 2999A9B4
     389B1921 CC9AD335 144AB173 595A0738 6DABFD2A 0C614AA0 A9F3CF14 870F026A
     A7E535AB D5A5C7C7 FF38FA08 E2615F6C 203177C4 2B1EB3A1 D99B601E BFAA17FB",
);

/// The generator P = (Px, Py) of E(F_p)[q].
pub(crate) const PX: Limbs = hex_limbs(
    "53FC09EE 332C29AD 0A799005 3ED9B52A 2B1A2FD6 0AEC69C6 98B2F204 B6FF7CBF
     B5EDB6C0 F6CE2308 AB10DB90 30B09E10 43D5F22C DB9DFA55 718BD9E7 406CE890
     9760AF76 5DD5BCCB 337C8654 8B72F2E1 A702C339 7A60DE74 A7C1514D BA66910D
     D5CFB4CC 80728D87 EE9163A5 B63F73EC 80EC46C4 967E0979 880DC8AB EAE63895",
);
pub(crate) const PY: Limbs = hex_limbs(
    "0A824906 3F6009F1 F9F1F053 3634A135 D3E82016 02990696 3D778D82 1E141178
     F5EA69F4 654EC2B9 E7F7F5E5 F0DE55F6 6B598CCF 9A140B2E 416CFF0C A9E032B9
     70DAE117 AD547C6C CAD696B5 B7652FE0 AC6F1E80 164AA989 492D979F C5A4D5F2
     13515AD7 E9CB99A9 80BDAD5A D5BB4636 ADB9B570 6A67DCDE 75573FD7 1BEF16D7",
);

/// g = <P, P>, as its PF_p representative.
pub(crate) const G: Limbs = hex_limbs(
    "66FC2A43 2B6EA392 148F1586 7D623068 C6A87BD1 FB94C41E 27FABE65 8E015A87
     371E9474 4C96FEDA 449AE956 3F8BC446 CBFDA85D 5D00EF57 7072DA8F 541721BE
     EE0FAED1 828EAB90 B99DFB01 38C78433 55DF0460 B4A9FD74 B4F1A32B CAFA1FFA
     D682C033 A7942BCC E3720F20 B9B7B040 3C8CAE87 B7A0042A CDE0FAB3 6461EA46",
);

/// n: the SSV length in bits.
pub const SSV_BITS: usize = 128;

const fn small(v: u64) -> Limbs {
    let mut r = [0u64; N];
    r[0] = v;
    r
}

/// Fermat exponents for inversion.
pub(crate) const P_MINUS_2: Limbs = sub_limbs(&P, &small(2)).0;
pub(crate) const Q_MINUS_2: Limbs = sub_limbs(&Q, &small(2)).0;

/// (q + 1) / 2, the inverse of 2 mod q.
pub(crate) const HALF_MOD_Q: Limbs = shr1(&crate::arith::add_limbs(&Q, &small(1)).0);

/// Number of signed digits in the non-adjacent form of q - 1.
pub(crate) const MILLER_DIGITS: usize = 1022;

/// The non-adjacent form of q - 1 (digits in {-1, 0, 1}, least significant first).
/// The Miller loop walks it from the top: it has 353 non-zero digits against 513 set
/// bits in the binary form, so a third fewer addition steps.
pub(crate) const MILLER_NAF: [i8; MILLER_DIGITS] = naf(&sub_limbs(&Q, &small(1)).0);

const fn naf(k: &Limbs) -> [i8; MILLER_DIGITS] {
    let mut out = [0i8; MILLER_DIGITS];
    let mut k = *k;
    let mut i = 0;
    while !is_zero(&k) {
        assert!(i < MILLER_DIGITS, "NAF longer than expected");
        if k[0] & 1 == 1 {
            // d = 2 - (k mod 4): +1 or -1, leaving k - d divisible by 4.
            if k[0] & 3 == 1 {
                out[i] = 1;
                k = sub_limbs(&k, &small(1)).0;
            } else {
                out[i] = -1;
                k = crate::arith::add_limbs(&k, &small(1)).0;
            }
        }
        k = shr1(&k);
        i += 1;
    }
    assert!(i == MILLER_DIGITS, "NAF shorter than expected");
    out
}

const fn is_zero(k: &Limbs) -> bool {
    let mut i = 0;
    while i < N {
        if k[i] != 0 {
            return false;
        }
        i += 1;
    }
    true
}

const fn shr1(k: &Limbs) -> Limbs {
    let mut r = [0u64; N];
    let mut i = 0;
    while i < N {
        r[i] = k[i] >> 1;
        if i + 1 < N {
            r[i] |= k[i + 1] << 63;
        }
        i += 1;
    }
    r
}
