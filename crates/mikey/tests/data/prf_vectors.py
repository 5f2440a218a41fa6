#!/usr/bin/env python3
"""Independent derivation of MIKEY PRF vectors, written from the RFC text only.

RFC 3830 4.1.2:
    P(s, label, m) = HMAC(s, A_1 || label) || ... || HMAC(s, A_m || label)
    A_0 = label, A_i = HMAC(s, A_(i-1))
    n = ceil(inkey_len / 256); inkey = s_1 || ... || s_n (256-bit blocks, last may be short)
    m = ceil(outkey_len / 160)
    PRF(inkey, label) = P(s_1, label, m) XOR ... XOR P(s_n, label, m), truncated to outkey_len
RFC 6043 6.1 (PRF func 1): the same with HMAC-SHA-256 and 256 instead of 160.
RFC 3830 4.1.3 label: constant || cs_id || csb_id || RAND   (TEK 0x2AD01C64,
    auth 0x1B5C7973, encr 0x15798CEF, salt 0x39A2C14B)
RFC 3830 4.1.4 label: constant || 0xFF || csb_id || RAND   (encr 0x150533E1,
    auth 0x2D22AC75, salt 0x29B88916)

Run: python3 prf_vectors.py   (prints the values pasted into tests/prf_vectors.rs)
"""
import hashlib
import hmac

HASHES = {0: hashlib.sha1, 1: hashlib.sha256}


def p_function(h, s, label, m):
    out = b""
    a = label
    for _ in range(m):
        a = hmac.new(s, a, h).digest()
        out += hmac.new(s, a + label, h).digest()
    return out


def prf(func, inkey, label, outkey_len_bytes):
    h = HASHES[func]
    hlen = h().digest_size
    blocks = [inkey[i:i + 32] for i in range(0, len(inkey), 32)]
    m = -(-outkey_len_bytes // hlen)
    acc = bytes(m * hlen)
    for s in blocks:
        p = p_function(h, s, label, m)
        acc = bytes(x ^ y for x, y in zip(acc, p))
    return acc[:outkey_len_bytes]


def tgk_label(const, cs_id, csb_id, rand):
    return const.to_bytes(4, "big") + bytes([cs_id]) + csb_id.to_bytes(4, "big") + rand


def env_label(const, csb_id, rand):
    return const.to_bytes(4, "big") + b"\xff" + csb_id.to_bytes(4, "big") + rand


TEK, AUTH, ENCR, SALT = 0x2AD01C64, 0x1B5C7973, 0x15798CEF, 0x39A2C14B
E_ENCR, E_AUTH, E_SALT = 0x150533E1, 0x2D22AC75, 0x29B88916

# Streamwide Test 1 (GMK): TGK = GMK, CSB ID = 0x06a12aea, CS ID = 4, RAND as sent.
gmk = bytes.fromhex("07d1a1677ac36d8e81620484689b3c2d")
csb = 0x06A12AEA
rand = bytes.fromhex("ca2f5d51ff0866362c1d85a56f84651e")
# A 40-byte key (two inkey blocks, the second 8 bytes long) to exercise the XOR.
long_key = bytes(range(1, 41))
long_rand = bytes(range(0xA0, 0xA0 + 20))

cases = []
for func in (0, 1):
    cases += [
        (f"f{func}_gmk_tek16", prf(func, gmk, tgk_label(TEK, 4, csb, rand), 16)),
        (f"f{func}_gmk_auth20", prf(func, gmk, tgk_label(AUTH, 4, csb, rand), 20)),
        (f"f{func}_gmk_encr16", prf(func, gmk, tgk_label(ENCR, 4, csb, rand), 16)),
        (f"f{func}_gmk_salt14", prf(func, gmk, tgk_label(SALT, 4, csb, rand), 14)),
        (f"f{func}_long_tek70", prf(func, long_key, tgk_label(TEK, 0, 0xDEADBEEF, long_rand), 70)),
        (f"f{func}_env_auth32", prf(func, long_key, env_label(E_AUTH, 0x01020304, long_rand), 32)),
        (f"f{func}_env_encr16", prf(func, gmk, env_label(E_ENCR, 0x01020304, long_rand), 16)),
        (f"f{func}_env_salt14", prf(func, gmk, env_label(E_SALT, 0x01020304, long_rand), 14)),
    ]
for name, value in cases:
    print(f"{name} = {value.hex()}")
