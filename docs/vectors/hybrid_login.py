#!/usr/bin/env python3
"""docs/PROTOCOL.md section 5.11.3 (a login over suite 0x0105, X25519MLKEM768 + AES-256-GCM + SHA-384),
recomputed from the section's inputs by an implementation independent of the Java code.

pyca/cryptography (46 or later, for ML-KEM) does ML-KEM-768, X25519, SHA-384, HMAC/HKDF and AES-256-GCM; the key
schedule is key_schedule.py's, written from sections 5.4.1-5.4.3 alone. From the section's lines "hybrid <name> = <hex>"
this script takes only the inputs (the server's ML-KEM seed d || z and X25519 private key, the client's X25519
private key, the wire bytes of the first flights) and recomputes:
  - the server's share ek || X25519 public (FIPS 203 KeyGen from d || z), which must be SERVER_HELLO's KEY_SHARE;
  - the X25519 half of the client's share; the ML-KEM half (the ciphertext) is taken from CLIENT_CHOICE, because
    pyca encapsulates only with fresh randomness: the script decapsulates it with the server's key instead
    (ML-KEM encapsulation from m is checked against NIST ACVP answers by protocol's MlKem768AcvpVectorsTest);
  - mlkem_ss, x25519_ss, the combined secret mlkem_ss || x25519_ss (draft-ietf-tls-ecdhe-mlkem-04 section 3 order),
    TH(..CLIENT_CHOICE) over the wire bytes, the handshake secret and from it c_hs/s_hs with their keys and ivs;
  - the plaintext of the first encrypted frame (flight 3, sealed under c_hs, sequence 0): LOGIN_REQUEST.
Every recomputed value must equal the section's line. Prints "all values agree" and exits 0, or names each
disagreement and exits 1.

Run:  python3 docs/vectors/hybrid_login.py docs/PROTOCOL.md
Run by auth-server's HybridLoginWorkedExampleTest.
"""
import hashlib
import re
import struct
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import mlkem, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from key_schedule import derive_secret, extract, traffic

KEY_SHARE = 0x9202          # 5.3: str16, u16 group || public key
X25519MLKEM768 = 0x11EC     # 5.6.1
EK, CT, X = 1184, 1088, 32  # FIPS 203 ML-KEM-768 sizes; X25519 public key


def section_values(path):
    """The "hybrid <name> = <hex>" lines of section 5.11.3."""
    text = open(path, encoding="utf-8").read()
    values = {}
    for m in re.finditer(r"^hybrid (.+?)\s+= ([0-9a-f]+)$", text, re.MULTILINE):
        values[m.group(1)] = bytes.fromhex(m.group(2))
    if not values:
        sys.exit("no 'hybrid ...' lines in " + path)
    return values


def commands(data):
    """RISP v4 framing (section 1): below 0x7000 an integer of 2^((id >> 12) & 7) bytes; 0x8000-0xbfff a length
    prefix of 2^((id >> 12) - 8) bytes, then the string; otherwise no parameter."""
    out, i = [], 0
    while i < len(data):
        cid = struct.unpack_from(">H", data, i)[0]
        i += 2
        if cid < 0x7000:
            n = 1 << ((cid >> 12) & 7)
            value, i = data[i:i + n], i + n
        elif 0x8000 <= cid < 0xC000:
            p = 1 << ((cid >> 12) - 8)
            n = int.from_bytes(data[i:i + p], "big")
            value, i = data[i + p:i + p + n], i + p + n
        else:
            value = b""
        out.append((cid, value))
    return out


def key_share(message):
    shares = [v for cid, v in commands(message) if cid == KEY_SHARE]
    assert len(shares) == 1, "one KEY_SHARE per hello"
    group = struct.unpack_from(">H", shares[0])[0]
    assert group == X25519MLKEM768, "group %04x" % group
    return shares[0][2:]


def main(path):
    v = section_values(path)
    h = hashes.SHA384
    got = {}

    # The server's share from its private inputs (FIPS 203 ML-KEM.KeyGen_internal(d, z); RFC 7748).
    server_kem = mlkem.MLKEM768PrivateKey.from_seed_bytes(v["mlkem seed d || z"])
    server_x = x25519.X25519PrivateKey.from_private_bytes(v["server x25519 private"])
    raw = (serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    got["server share (ek || x25519)"] = (server_kem.public_key().public_bytes_raw()
                                          + server_x.public_key().public_bytes(*raw))
    assert key_share(v["flight2 SERVER_HELLO"]) == got["server share (ek || x25519)"], \
        "SERVER_HELLO carries the recomputed server share"

    # The client's share: its X25519 half from its private key, its ML-KEM ciphertext from the wire.
    client_share = key_share(v["flight3 CLIENT_CHOICE"])
    client_x = x25519.X25519PrivateKey.from_private_bytes(v["client x25519 private"])
    assert len(client_share) == CT + X
    assert client_share[CT:] == client_x.public_key().public_bytes(*raw), "client X25519 half"
    got["client share (ct || x25519)"] = client_share

    # ML-KEM secret first, then X25519 (draft-ietf-tls-ecdhe-mlkem-04, section 3).
    got["mlkem_ss"] = server_kem.decapsulate(client_share[:CT])
    got["x25519_ss"] = server_x.exchange(x25519.X25519PublicKey.from_public_bytes(client_share[CT:]))
    assert got["x25519_ss"] == client_x.exchange(
        x25519.X25519PublicKey.from_public_bytes(got["server share (ek || x25519)"][EK:])), "X25519 both ways"
    shared = got["mlkem_ss"] + got["x25519_ss"]
    got["shared (mlkem_ss||x25519_ss)"] = shared

    # 5.3.1 transcript: hash of the messages' bytes in order; 5.4.2 key schedule.
    th = hashlib.sha384(v["flight1 CLIENT_HELLO"] + v["flight2 SERVER_HELLO"] + v["flight2 SERVER_CERTIFICATE"]
                        + v["flight2 CERTIFICATE_VERIFY"] + v["flight3 CLIENT_CHOICE"]).digest()
    got["TH(..CLIENT_CHOICE)"] = th
    L = h.digest_size
    early = extract(h, bytes(L), bytes(L))
    hs = extract(h, derive_secret(h, early, "derived", b""), shared)
    c_hs = traffic(h, derive_secret(h, hs, "c hs traffic", th))
    s_hs = traffic(h, derive_secret(h, hs, "s hs traffic", th))
    for name, t in (("c_hs", c_hs), ("s_hs", s_hs)):
        got[name], got[name + ".key"], got[name + ".iv"] = t["secret"], t["key"], t["iv"]

    # 5.7.1: the first encrypted frame, 14-byte header (the AAD) then ciphertext || tag; nonce = iv XOR u64 seq 0.
    frame = v["flight3 frame (wire)"]
    marker, len_id, n, str_id, ct_len = struct.unpack_from(">HHIHI", frame)
    assert (marker, len_id, str_id, ct_len) == (0x7300, 0x2300, 0xA300, n + 16) and len(frame) == 14 + n + 16
    got["LOGIN_REQUEST"] = AESGCM(c_hs["key"]).decrypt(c_hs["iv"], frame[14:], frame[:14])

    bad = [name for name, value in got.items() if v.get(name) != value]
    for name in bad:
        print("disagrees: hybrid %s\n  section    %s\n  recomputed %s" % (
            name, v[name].hex() if name in v else "(missing)", got[name].hex()))
    if bad:
        sys.exit(1)
    print("all values agree (%d recomputed from the inputs of section 5.11.3)" % len(got))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/PROTOCOL.md")
