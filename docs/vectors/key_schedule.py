#!/usr/bin/env python3
"""Known-answer vectors for the OpenCluster Auth key schedule, written from docs/PROTOCOL.md alone.

Independent of the Java code: pyca/cryptography does the X25519 and P-256 ECDH, the HMACs (HKDF-Extract is one
HMAC, RFC 5869), HKDF-Expand and the AEADs; this file only follows the document:
  5.4.1  HKDF-Expand-Label with the "oca1 " prefix, Derive-Secret
  5.4.2  early, handshake and master secrets, finished keys, proof salt, WebAuthn challenge, c/s hs and ap secrets
  5.4.3  traffic key, iv, key update
  5.5.3  key-agreement proof (kind 2), enrolment-code proof (kind 3)
  5.7    frame header, nonce, AAD, AEAD sealing (data frames and the close frame)
  5.13   reauth_0 and one key-agreement re-authentication (C_1, proof, new application secrets)
Every input is derived from a fixed label below, so the output is the same on every run, with one exception: the
hybrid suites' ML-KEM-768 ciphertext (the client's encapsulation, 5.6.1), because pyca/cryptography encapsulates
with fresh randomness only. Their vectors therefore check the server (decapsulating) side; ML-KEM encapsulation
itself is checked against NIST ACVP answers (protocol/src/test/resources/vectors/mlkem768-acvp.json,
MlKem768AcvpVectorsTest).

Run:  python3 docs/vectors/key_schedule.py > docs/vectors/key-schedule.json
Checked by protocol's KeyScheduleKnownAnswerTest (which reads the JSON; CI does not run this script).
"""
import hashlib
import json
import struct

from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import ec, mlkem, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

# docs/PROTOCOL.md 5.6.1
SUITES = {
    0x0105: ("OCA_X25519MLKEM768_AES_256_GCM_SHA384", "X25519MLKEM768", "AES-256-GCM", hashes.SHA384),
    0x0106: ("OCA_X25519MLKEM768_CHACHA20_POLY1305_SHA256", "X25519MLKEM768", "ChaCha20-Poly1305", hashes.SHA256),
    0x0101: ("OCA_X25519_AES_256_GCM_SHA384", "X25519", "AES-256-GCM", hashes.SHA384),
    0x0102: ("OCA_X25519_CHACHA20_POLY1305_SHA256", "X25519", "ChaCha20-Poly1305", hashes.SHA256),
    0x0103: ("OCA_P256_AES_256_GCM_SHA384", "P-256", "AES-256-GCM", hashes.SHA384),
    0x0104: ("OCA_P256_CHACHA20_POLY1305_SHA256", "P-256", "ChaCha20-Poly1305", hashes.SHA256),
}
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551

# Record layer ids (5.2, 5.7.1)
WRAPPED_ENCRYPTED_COMMAND, WRAPPED_ENCRYPTED_CLOSE = 0x7300, 0x7301
LENGTH_OF_UNCRYPTED, ENCRYPTED_STRING = 0x2300, 0xA300


def seed(label, n=32):
    """Fixed input bytes: SHA-256("oca kat " || label), repeated with a counter when more are needed."""
    out, i = b"", 0
    while len(out) < n:
        out += hashlib.sha256(b"oca kat " + label.encode() + struct.pack(">I", i)).digest()
        i += 1
    return out[:n]


def hmac_(h, key, data):
    m = hmac.HMAC(key, h())
    m.update(data)
    return m.finalize()


def extract(h, salt, ikm):
    """HKDF-Extract (RFC 5869 2.2): HMAC(salt, IKM); an empty salt means L zero bytes."""
    return hmac_(h, salt if salt else bytes(h.digest_size), ikm)


def expand(h, prk, info, n):
    return HKDFExpand(algorithm=h(), length=n, info=info).derive(prk)


def expand_label(h, secret, label, context, n):
    full = b"oca1 " + label.encode("ascii")
    info = struct.pack(">H", n) + bytes([len(full)]) + full + bytes([len(context)]) + context
    return expand(h, secret, info, n)


def derive_secret(h, secret, label, context):
    return expand_label(h, secret, label, context, h.digest_size)


def traffic(h, secret):
    return {"secret": secret, "key": expand_label(h, secret, "key", b"", 32),
            "iv": expand_label(h, secret, "iv", b"", 12)}


def frame(aead_name, t, seq, plaintext, close=False):
    """5.7.1/5.7.2: 14-byte header (the AAD), nonce = iv XOR (0^4 || u64 seq), AEAD over the plaintext."""
    n = len(plaintext)
    header = struct.pack(">HHIHI", WRAPPED_ENCRYPTED_CLOSE if close else WRAPPED_ENCRYPTED_COMMAND,
                         LENGTH_OF_UNCRYPTED, n, ENCRYPTED_STRING, n + 16)
    nonce = bytes(a ^ b for a, b in zip(t["iv"], bytes(4) + struct.pack(">Q", seq)))
    aead = AESGCM(t["key"]) if aead_name == "AES-256-GCM" else ChaCha20Poly1305(t["key"])
    return header + aead.encrypt(nonce, plaintext, header)


def ephemeral(group, label):
    """A key pair from a fixed 32-byte seed: X25519 takes it as the private key (RFC 7748 clamps it), P-256 as
    the scalar (reduced mod n). Public keys in the encodings of 5.3.4: 32 bytes, or 04 || X || Y."""
    raw = seed(label)
    if group == "X25519":
        key = x25519.X25519PrivateKey.from_private_bytes(raw)
        pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    else:
        key = ec.derive_private_key(int.from_bytes(raw, "big") % (P256_ORDER - 1) + 1, ec.SECP256R1())
        raw = key.private_numbers().private_value.to_bytes(32, "big")
        pub = key.public_key().public_bytes(serialization.Encoding.X962,
                                            serialization.PublicFormat.UncompressedPoint)
    return key, raw, pub


def agree(group, key, peer_public):
    if group == "X25519":
        return key.exchange(x25519.X25519PublicKey.from_public_bytes(peer_public))
    # ecdh_shared for P-256 is the x-coordinate, 32 bytes (5.4.2), which is what ECDH returns.
    return key.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), peer_public))


def hybrid_shares(tag):
    """X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem-04, ML-KEM part first): the server is the initiator, its share is
    ek || X25519 public and its private part here is the FIPS 203 seed d || z and the X25519 private key; the
    client answers ct || X25519 public. Shared secret = ML-KEM ss || X25519 ss."""
    server_seed = seed(tag + " server ml-kem seed", 64)
    server_kem = mlkem.MLKEM768PrivateKey.from_seed_bytes(server_seed)
    server_x, server_x_private, server_x_public = ephemeral("X25519", tag + " server ephemeral")
    client_x, client_x_private, client_x_public = ephemeral("X25519", tag + " client ephemeral")
    ek = server_kem.public_key().public_bytes_raw()
    ss, ct = server_kem.public_key().encapsulate()
    assert server_kem.decapsulate(ct) == ss
    x = agree("X25519", client_x, server_x_public)
    assert x == agree("X25519", server_x, client_x_public)
    return (server_seed + server_x_private, ek + server_x_public, client_x_private, ct + client_x_public, ss + x)


def vector(suite_id):
    name, group, aead, h = SUITES[suite_id]
    tag = "%04x" % suite_id
    if group == "X25519MLKEM768":
        server_private, server_public, client_private, client_public, ecdh = hybrid_shares(tag)
    else:
        client, client_private, client_public = ephemeral(group, tag + " client ephemeral")
        server, server_private, server_public = ephemeral(group, tag + " server ephemeral")
        ecdh = agree(group, client, server_public)
        assert ecdh == agree(group, server, client_public)
    L = h.digest_size
    # Transcript hashes are given directly (their message bytes are 5.3's business): Hash(ASCII(label)).
    th = {x: hashlib.new(h.name, x.encode()).digest() for x in
          ("TH(..CLIENT_CHOICE)", "TH(..LOGIN_CHALLENGE)", "TH(..SERVER_FINISHED)", "TH(..LOGIN_PROOF)",
           "TH(..CLIENT_FINISHED)")}
    t = th["TH(..SERVER_FINISHED)"]
    z = seed(tag + " Z")
    code = "7K3M-9QXD-2R4T-V6WY-8ZAB-CDEF"
    code_hash = hashlib.sha256(code.replace("-", "").upper().encode("ascii")).digest()

    early = extract(h, bytes(L), bytes(L))
    derived_0 = derive_secret(h, early, "derived", b"")
    hs = extract(h, derived_0, ecdh)
    c_hs = traffic(h, derive_secret(h, hs, "c hs traffic", th["TH(..CLIENT_CHOICE)"]))
    s_hs = traffic(h, derive_secret(h, hs, "s hs traffic", th["TH(..CLIENT_CHOICE)"]))
    server_finished = hmac_(h, expand_label(h, s_hs["secret"], "finished", b"", L), th["TH(..LOGIN_CHALLENGE)"])
    client_finished = hmac_(h, expand_label(h, c_hs["secret"], "finished", b"", L), th["TH(..LOGIN_PROOF)"])
    derived_1 = derive_secret(h, hs, "derived", b"")
    master = extract(h, derived_1, bytes(L))
    proof_salt = derive_secret(h, hs, "proof salt", t)
    webauthn_challenge = expand_label(h, proof_salt, "webauthn challenge", t, 32)
    ka_proof = hmac_(h, expand_label(h, extract(h, proof_salt, z), "ka proof", b"", L), t)
    enrol_proof = hmac_(h, expand_label(h, extract(h, proof_salt, code_hash), "enrol proof", b"", L), t)
    c_ap_0 = traffic(h, derive_secret(h, master, "c ap traffic", th["TH(..CLIENT_FINISHED)"]))
    s_ap_0 = traffic(h, derive_secret(h, master, "s ap traffic", th["TH(..CLIENT_FINISHED)"]))
    c_ap_1 = traffic(h, expand_label(h, c_ap_0["secret"], "key update", b"", L))
    reauth_0 = derive_secret(h, master, "reauth", th["TH(..CLIENT_FINISHED)"])

    # 5.13, re-authentication n = 1 with kind 2 (key agreement): nonce N, ephemeral share E = u16 group || key.
    reauth_nonce = seed(tag + " reauth nonce")
    # The re-authentication ephemeral is in the account key's group; a hybrid-suite session uses X25519 here.
    reauth_group = "P-256" if group == "P-256" else "X25519"
    _, _, reauth_public = ephemeral(reauth_group, tag + " reauth ephemeral")
    reauth_share = struct.pack(">H", 0x001D if reauth_group == "X25519" else 0x0017) + reauth_public
    c_1 = hmac_(h, reauth_0, struct.pack(">IB", 1, 2) + reauth_nonce + struct.pack(">H", len(reauth_share))
                + reauth_share)
    reauth_proof = hmac_(h, expand_label(h, extract(h, reauth_0, z), "ka reauth", b"", L), c_1)
    prk_1 = extract(h, reauth_0, z)
    c_ap_reauth = traffic(h, derive_secret(h, prk_1, "c ap traffic", c_1))
    s_ap_reauth = traffic(h, derive_secret(h, prk_1, "s ap traffic", c_1))

    login_request = bytes.fromhex("7205820005616c6963659201000072ff")  # 5.3.6: alice, no extension
    ping, pong, echo = bytes.fromhex("7101"), bytes.fromhex("7102"), bytes.fromhex("91040005") + b"hello"
    out = {
        "ecdh_shared": ecdh, "early_secret": early, "derived_0": derived_0, "handshake_secret": hs,
        "c_hs": c_hs["secret"], "c_hs.key": c_hs["key"], "c_hs.iv": c_hs["iv"],
        "s_hs": s_hs["secret"], "s_hs.key": s_hs["key"], "s_hs.iv": s_hs["iv"],
        "server_finished": server_finished, "client_finished": client_finished,
        "derived_1": derived_1, "master_secret": master, "proof_salt": proof_salt,
        "webauthn_challenge": webauthn_challenge, "ka_proof": ka_proof, "code_hash": code_hash,
        "enrol_proof": enrol_proof,
        "c_ap_0": c_ap_0["secret"], "c_ap_0.key": c_ap_0["key"], "c_ap_0.iv": c_ap_0["iv"],
        "s_ap_0": s_ap_0["secret"], "s_ap_0.key": s_ap_0["key"], "s_ap_0.iv": s_ap_0["iv"],
        "c_ap_1": c_ap_1["secret"], "c_ap_1.key": c_ap_1["key"], "c_ap_1.iv": c_ap_1["iv"],
        "reauth_0": reauth_0, "reauth C_1": c_1, "reauth ka proof": reauth_proof,
        "reauth c_ap'": c_ap_reauth["secret"], "reauth s_ap'": s_ap_reauth["secret"],
        "frame c_hs seq 0 (LOGIN_REQUEST)": frame(aead, c_hs, 0, login_request),
        "frame c_ap_0 seq 0 (PING)": frame(aead, c_ap_0, 0, ping),
        "frame c_ap_0 seq 1 (ECHO hello)": frame(aead, c_ap_0, 1, echo),
        "frame c_ap_0 seq 2 (close)": frame(aead, c_ap_0, 2, b"", close=True),
        "frame s_ap_0 seq 0 (PONG)": frame(aead, s_ap_0, 0, pong),
        "frame c_ap_1 seq 0 (PING)": frame(aead, c_ap_1, 0, ping),
    }
    inputs = {"client_ephemeral_private": client_private, "client_ephemeral_public": client_public,
              "server_ephemeral_private": server_private, "server_ephemeral_public": server_public,
              "Z": z, "login_request_plaintext": login_request, "reauth_nonce": reauth_nonce,
              "reauth_share": reauth_share}
    inputs.update(th)
    return {"suite": suite_id, "name": name, "enrolment_code": code,
            "inputs": {k: v.hex() for k, v in inputs.items()},
            "outputs": {k: v.hex() for k, v in out.items()}}


if __name__ == "__main__":
    print(json.dumps({
        "description": "Key-schedule known answers computed by docs/vectors/key_schedule.py (pyca/cryptography) "
                       "from docs/PROTOCOL.md sections 5.4, 5.5.3, 5.7 and 5.13; see that script for the inputs. "
                       "For the X25519MLKEM768 suites the private inputs are the server's (ML-KEM seed d || z, "
                       "X25519 private key) and ecdh_shared is ML-KEM ss || X25519 ss.",
        "vectors": [vector(s) for s in sorted(SUITES)]}, indent=2))
