package org.opencluster.auth.protocol.handshake;

/**
 * Proposed RISP command ids of the handshake (docs/PROTOCOL.md, section 5.2). The command registry in
 * {@code org.opencluster.auth.protocol.risp} is the authority; these constants exist so that the crypto core and
 * its tests agree with it on one spelling. The type bits of each id give its parameter (RISP v4): 0x0xxx u8,
 * 0x1xxx u16, 0x2xxx u32, 0x3xxx 64-bit, 0x4xxx 16 bytes, 0x5xxx 32 bytes, 0x7xxx none, 0x8xxx string with
 * 1-byte length, 0x9xxx string with 2-byte length, 0xaxxx string with 4-byte length.
 */
public final class HandshakeCommandIds {
    // Message markers (no parameter). Every handshake message is: marker, fields..., HS_END.
    public static final int HS_CLIENT_HELLO = 0x7200;
    public static final int HS_SERVER_HELLO = 0x7201;
    public static final int HS_SERVER_CERTIFICATE = 0x7202;
    public static final int HS_SERVER_CERTIFICATE_VERIFY = 0x7203;
    public static final int HS_CLIENT_CHOICE = 0x7204;
    public static final int HS_LOGIN_REQUEST = 0x7205;
    public static final int HS_LOGIN_CHALLENGE = 0x7206;
    public static final int HS_SERVER_FINISHED = 0x7207;
    public static final int HS_LOGIN_PROOF = 0x7208;
    public static final int HS_CLIENT_FINISHED = 0x7209;
    public static final int HS_LOGIN_RESULT = 0x720a;
    /** Version 2: the server asks for the CLIENT_HELLO again with its cookie (section 5.3.11), clear. */
    public static final int HS_HELLO_RETRY = 0x720b;
    public static final int HS_END = 0x72ff;

    // Fields.
    public static final int PROOF_KIND = 0x0200;                 // u8
    public static final int PROTOCOL_VERSION = 0x1200;           // u16
    public static final int SIGNATURE_SCHEME = 0x1201;           // u16 (TLS SignatureScheme values)
    public static final int CHOSEN_SUITE = 0x1202;               // u16
    public static final int LOGIN_STATUS = 0x1203;               // u16 (0 = success, else a HandshakeError code)
    public static final int MAX_FRAME_PLAINTEXT = 0x2200;        // u32
    public static final int KEY_UPDATE_BYTES = 0x3200;           // 64-bit, > 0
    public static final int KEY_UPDATE_RECORDS = 0x3201;         // 64-bit, 1..2^32
    public static final int POLICY_VERSION = 0x3202;             // 64-bit, > 0
    public static final int SESSION_ID = 0x4200;                 // 16 bytes
    public static final int CLIENT_RANDOM = 0x5200;              // 32 bytes
    public static final int SERVER_RANDOM = 0x5201;              // 32 bytes
    public static final int USERNAME = 0x8200;                   // str8: UTF-8, NFC, 1..255 bytes
    public static final int VERIFY_DATA = 0x8201;                // str8: Hash.length bytes
    public static final int COOKIE = 0x8202;                     // str8: HELLO_RETRY's cookie, 1..255 bytes
    public static final int DEVICE_TOKEN = 0x8203;               // str8: LOGIN_RESULT, optional (section 5.14)
    public static final int SUPPORTED_SUITES = 0x9200;           // str16: n * u16
    public static final int EXTENSIONS = 0x9201;                 // str16: n * (u16 type, u16 length, data)
    public static final int KEY_SHARE = 0x9202;                  // str16: u16 group || public key
    public static final int SUITE_POLICY = 0x9203;               // str16: SuitePolicy encoding
    public static final int CERTIFICATE = 0x9204;                // str16: one DER X.509 certificate
    public static final int SIGNATURE = 0x9205;                  // str16
    public static final int ENVELOPE = 0x9206;                   // str16: real or decoy envelope
    public static final int PROOF_EPHEMERAL = 0x9207;            // str16: u16 group || public key
    public static final int PROOF = 0x9208;                      // str16: signature, HMAC or WebAuthn JSON
    public static final int WEBAUTHN_OPTIONS = 0x9209;           // str16: UTF-8 JSON, LOGIN_CHALLENGE of kind 4
    public static final int PADDING = 0x920a;                    // str16: zero bytes (version 3, HandshakePadding)
    public static final int PROOF_EPHEMERAL_X25519 = 0x920b;     // str16: 0x001d || 32 bytes (version 3)
    public static final int OPRF_CREDENTIAL_RESPONSE = 0x920c;   // str16: RFC 9807 CredentialResponse, 162 bytes

    // Record layer (see org.opencluster.auth.protocol.frame.FrameHeader).
    public static final int WRAPPED_ENCRYPTED_COMMAND = 0x7300;
    public static final int WRAPPED_ENCRYPTED_CLOSE = 0x7301;
    public static final int LENGTH_OF_UNCRYPTED = 0x2300;        // u32
    public static final int ENCRYPTED_STRING = 0xa300;           // str32

    /** Protocol version 1: no HELLO_RETRY. */
    public static final int PROTOCOL_VERSION_1 = 0x0001;
    /** Protocol version 2 (this document): a client that sends it understands HS_HELLO_RETRY (section 5.3.11). */
    public static final int PROTOCOL_VERSION_2 = 0x0002;
    /**
     * Protocol version 3: LOGIN_REQUEST and LOGIN_PROOF carry PADDING to fixed sizes, so frame sizes no longer tell
     * an eavesdropper the username's length or the proof's kind and key type (section 5.3.12).
     */
    public static final int PROTOCOL_VERSION_3 = 0x0003;

    private HandshakeCommandIds() {
    }
}
