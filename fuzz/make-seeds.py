#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/seeds/<target>/: real encodings, valid and invalid.

    cargo build -p sakke-cli && fuzz/make-seeds.py target/debug/sakke

Sources: RFC 6508 Appendix A (read from crates/sakke/tests/rfc6508_vectors.rs, which
checks every value), the Streamwide interop messages (crates/mikey/tests/data), and a key
store made by the given `sakke` binary (fresh test keys, so key_file/ changes each run).
"""

import base64
import json
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fuzz" / "seeds"


def rfc6508():
    """The hex constants of the RFC 6508 vector test, by name."""
    text = (ROOT / "crates/sakke/tests/rfc6508_vectors.rs").read_text()
    return {
        name: bytes.fromhex(re.sub(r"\s", "", value))
        for name, value in re.findall(r'const (\w+): &str = "([^"]*)";', text)
    }


def streamwide():
    """The Streamwide KMS's Z and the four I_MESSAGEs."""
    text = (ROOT / "crates/mikey/tests/data/streamwide-test-vectors-v5.md").read_text()
    z = bytes.fromhex(re.search(r"\* PubEncKey\s*:\s*(\w+)", text).group(1))
    messages = [base64.b64decode(m) for m in re.findall(r"\* I-MESSAGE\s*:\s*mikey (\S+)", text)]
    return z, messages


def write(target, name, data):
    directory = SEEDS / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def flip_last(data):
    return data[:-1] + bytes([data[-1] ^ 1])


def main(sakke):
    v = rfc6508()
    z = b"\x04" + v["ZX"] + v["ZY"]
    rsk = b"\x04" + v["KBX"] + v["KBY"]
    r = b"\x04" + v["RBX"] + v["RBY"]
    encapsulated = r + v["HINT"]
    sw_z, messages = streamwide()

    for name, data in [
        ("rfc6508-z", z),
        ("rfc6508-rsk", rsk),
        ("rfc6508-r", r),
        ("streamwide-z", sw_z),
        ("off-curve", flip_last(z)),
        ("compressed", b"\x02" + v["ZX"]),
        ("identity", b"\x00"),
        ("x-not-canonical", b"\x04" + b"\xff" * 256),
    ]:
        write("point", name, data)

    write("encapsulated", "rfc6508", encapsulated)
    write("encapsulated", "r-off-curve", flip_last(r) + v["HINT"])
    write("encapsulated", "short", encapsulated[:-1])

    decap = {
        "id": 1,
        "kms_public_key": z.hex(),
        "identity": v["B"].hex(),
        "rsk": rsk.hex(),
        "encapsulated": encapsulated.hex(),
    }
    encap = {"id": "a", "kms_public_key": z.hex(), "identity": v["B"].hex(), "ssv": v["SSV"].hex()}
    write("batch_line", "decap-rfc6508", json.dumps(decap) + "\n")
    write("batch_line", "encap-rfc6508", json.dumps(encap) + "\n")
    random_ssv = dict(encap, id=[1, {"b": None}], ssv=None)
    escaped = json.dumps(dict(encap, id=1e2)).replace('"ssv": "1', '"ssv": "\\u0031')
    write("batch_line", "encap-null-ssv-escaped", json.dumps(random_ssv) + "\r\n" + escaped + "\n")
    write(
        "batch_line",
        "errors",
        "\n".join(
            [
                "",
                "[1]",
                '{"id": 2, "SSV": "00"}',
                '{"id": 3, "id": 4}',
                '{"id": 5, "kms_public_key": "0g", "identity": 7}',
                json.dumps(dict(decap, rsk=z.hex())),
                json.dumps(dict(encap, identity="00")),
            ]
        ).encode()
        + b"\n\xff not UTF-8\n",
    )

    with tempfile.TemporaryDirectory() as tmp:
        store = pathlib.Path(tmp) / "store"
        run = lambda *args: subprocess.run([sakke, *args], check=True, capture_output=True)
        run("kms", "init", "--store", str(store))
        run("kms", "issue", "--store", str(store), "--uri", "tel:+447700900123", "--period", "2026-11")
        write("key_file", "kms.json", (store / "kms.json").read_bytes())
        write("key_file", "kms-public.json", (store / "kms-public.json").read_bytes())
        (user,) = (store / "users").iterdir()
        write("key_file", "user.json", user.read_bytes())
        public = json.loads((store / "kms-public.json").read_text())
        write("key_file", "version-2.json", json.dumps(dict(public, version=2)))
        write("key_file", "unknown-field.json", json.dumps(dict(public, extra=1)))

    for i, message in enumerate(messages, 1):
        write("mikey", f"streamwide-{i}", message)
    write("mikey", "truncated", messages[0][: len(messages[0]) // 2])


if __name__ == "__main__":
    main(sys.argv[1])
