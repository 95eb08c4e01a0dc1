// OpenCluster Auth web page: the login handshake of docs/PROTOCOL.md section 5, done by the browser itself with
// WebCrypto for suite 0x0103 (P-256 ECDH, AES-256-GCM, SHA-384), over the REST transport of section 10. Every
// command is sealed here, in the page; the HTTP layer only carries the bytes.

const SUITE = 0x0103;
const HASH = 'SHA-384';
const L = 48; // SHA-384 output length
const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

// ---- command ids (section 5.2, 7) -------------------------------------------------------------------------------
const ID = {
  HS_CLIENT_HELLO: 0x7200, HS_SERVER_HELLO: 0x7201, HS_SERVER_CERTIFICATE: 0x7202, HS_SERVER_CERTIFICATE_VERIFY: 0x7203,
  HS_CLIENT_CHOICE: 0x7204, HS_LOGIN_REQUEST: 0x7205, HS_LOGIN_CHALLENGE: 0x7206, HS_SERVER_FINISHED: 0x7207,
  HS_LOGIN_PROOF: 0x7208, HS_CLIENT_FINISHED: 0x7209, HS_LOGIN_RESULT: 0x720a, HS_HELLO_RETRY: 0x720b, HS_END: 0x72ff,
  PROOF_KIND: 0x0200, PROTOCOL_VERSION: 0x1200, SIGNATURE_SCHEME: 0x1201, CHOSEN_SUITE: 0x1202, LOGIN_STATUS: 0x1203,
  MAX_FRAME_PLAINTEXT: 0x2200, KEY_UPDATE_BYTES: 0x3200, KEY_UPDATE_RECORDS: 0x3201, POLICY_VERSION: 0x3202,
  SESSION_ID: 0x4200, CLIENT_RANDOM: 0x5200, USERNAME: 0x8200, VERIFY_DATA: 0x8201, COOKIE: 0x8202,
  SUPPORTED_SUITES: 0x9200,
  EXTENSIONS: 0x9201, KEY_SHARE: 0x9202, SUITE_POLICY: 0x9203, CERTIFICATE: 0x9204, SIGNATURE: 0x9205, PROOF: 0x9208,
  FRAME: 0x7300, CLOSE: 0x7301, LENGTH_OF_UNCRYPTED: 0x2300, ENCRYPTED_STRING: 0xa300,
  PING: 0x7101, PONG: 0x7102, WHOAMI: 0x7103, WHOAMI_IS: 0x8103, ECHO: 0x9104, ECHO_REPLY: 0x9105, OK: 0x7106,
  ERROR: 0x1100, ERROR_TEXT: 0x9100, WEBAUTHN_REGISTRATION_CODE: 0x7178, ENROLMENT_CODE_IS: 0x8143,
};
// WebAuthn (proof kind 4 and the registration commands, docs/PROTOCOL.md).
const WEBAUTHN = {
  EXTENSION: 0x0011, OPTIONS_FIELD: 0x9209, PROOF_KIND: 4,
  REGISTER_BEGIN: 0x7170, CREATION_OPTIONS: 0x9171, REGISTER_FINISH: 0x9172,
};
const EXTENSION_ENROLMENT = 0x0010;
const EXTENSION_HELLO_COOKIE = 0x0013;
const PROOF_KIND_ENROLMENT = 3;

// ---- bytes --------------------------------------------------------------------------------------------------------
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) { out.set(p, i); i += p.length; }
  return out;
};
const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const b64url = (b) => btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const unb64url = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const u16 = (n) => new Uint8Array([n >> 8, n & 0xff]);

// ---- RISP v4 (section 1) ------------------------------------------------------------------------------------------
// A command is {id, value}: value is null (no parameter), a BigInt (integers) or a Uint8Array (fixed and strings).
function kindOf(id) {
  const top = id >> 12;
  if (top < 7) return (top & 7) < 4 ? { int: 1 << (top & 7) } : { fixed: 1 << (top & 7) };
  if (top >= 8 && top <= 0xb) return { prefix: 1 << (top - 8) };
  return {};
}

function risp(id, value = null) {
  const k = kindOf(id);
  if (k.int) {
    const out = new Uint8Array(2 + k.int);
    let v = BigInt.asUintN(8 * k.int, BigInt(value));
    for (let i = k.int - 1; i >= 0; i--) { out[2 + i] = Number(v & 0xffn); v >>= 8n; }
    out.set(u16(id));
    return out;
  }
  if (k.fixed) {
    if (value.length !== k.fixed) throw new Error(`0x${id.toString(16)} takes exactly ${k.fixed} bytes`);
    return concat(u16(id), value);
  }
  if (k.prefix) {
    const len = new Uint8Array(k.prefix);
    let n = value.length;
    for (let i = k.prefix - 1; i >= 0; i--) { len[i] = n & 0xff; n = Math.floor(n / 256); }
    return concat(u16(id), len, value);
  }
  return u16(id);
}

// Decodes whole commands; each carries its own bytes (raw), so messages can be hashed exactly as received.
function decodeRisp(bytes) {
  const out = [];
  let i = 0;
  const need = (n) => { if (i + n > bytes.length) throw new Error('truncated RISP stream'); };
  while (i < bytes.length) {
    const start = i;
    need(2);
    const id = (bytes[i] << 8) | bytes[i + 1];
    i += 2;
    const k = kindOf(id);
    let value = null;
    if (k.int) {
      need(k.int);
      value = 0n;
      for (let j = 0; j < k.int; j++) value = (value << 8n) | BigInt(bytes[i + j]);
      if (k.int === 8) value = BigInt.asIntN(64, value);
      i += k.int;
    } else if (k.fixed || k.prefix) {
      let n = k.fixed;
      if (k.prefix) {
        need(k.prefix);
        n = 0;
        for (let j = 0; j < k.prefix; j++) n = n * 256 + bytes[i + j];
        i += k.prefix;
        if (n > (1 << 20) + 64) throw new Error('RISP string over the page limit');
      }
      need(n);
      value = bytes.slice(i, i + n);
      i += n;
    }
    out.push({ id, value, raw: bytes.slice(start, i) });
  }
  return out;
}

// A handshake message: marker, fields, HS_END (section 5.3.1).
const message = (marker, ...fields) => concat(risp(marker), ...fields, risp(ID.HS_END));

// Version 3 (section 5.3.12): LOGIN_REQUEST and LOGIN_PROOF end with PADDING, zero bytes making the message exactly
// its size class (or, when it does not fit, the next multiple of 256), so frame sizes tell nothing.
const PADDING = 0x920a;
const LOGIN_REQUEST_BYTES = 512;
const LOGIN_PROOF_BYTES = 8448;
const padded = (sizeClass, marker, ...fields) => {
  const least = message(marker, ...fields).length + 4;
  const size = least <= sizeClass ? sizeClass : Math.ceil(least / 256) * 256;
  return message(marker, ...fields, risp(PADDING, new Uint8Array(size - least)));
};

// Splits a command list into handshake messages; anything else (ERROR) is returned as {error}.
function messages(commands) {
  const out = [];
  let cur = null;
  for (let k = 0; k < commands.length; k++) {
    const c = commands[k];
    if (c.id === ID.ERROR) {
      const text = commands[k + 1] && commands[k + 1].id === ID.ERROR_TEXT ? dec.decode(commands[k + 1].value) : '';
      out.push({ error: Number(c.value), text });
      break;
    }
    if (cur === null) { cur = { marker: c.id, fields: new Map(), repeated: [], raws: [c.raw] }; continue; }
    cur.raws.push(c.raw);
    if (c.id === ID.HS_END) { cur.bytes = concat(...cur.raws); out.push(cur); cur = null; continue; }
    if (cur.fields.has(c.id) && c.id !== ID.CERTIFICATE) throw new Error('repeated field in a handshake message');
    cur.fields.set(c.id, c.value);
    cur.repeated.push(c);
  }
  if (cur !== null) throw new Error('an unfinished handshake message');
  return out;
}

function field(m, id) {
  if (!m.fields.has(id)) throw new Error(`field 0x${id.toString(16)} missing from message 0x${m.marker.toString(16)}`);
  return m.fields.get(id);
}

// ---- key schedule (section 5.4), all HMAC-SHA-384 ----------------------------------------------------------------
async function hmac(key, data) {
  const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: HASH }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, data));
}
const extract = (salt, ikm) => hmac(salt, ikm);
async function expand(prk, info, n) {
  let t = new Uint8Array(0);
  const out = [];
  for (let i = 1; out.length * L < n; i++) {
    t = await hmac(prk, concat(t, info, new Uint8Array([i])));
    out.push(t);
  }
  return concat(...out).slice(0, n);
}
function expandLabel(secret, label, context, n) {
  const full = enc.encode('oca1 ' + label);
  return expand(secret, concat(u16(n), new Uint8Array([full.length]), full, new Uint8Array([context.length]),
    context), n);
}
const deriveSecret = (secret, label, context) => expandLabel(secret, label, context, L);
const EMPTY = new Uint8Array(0);
const sha = async (alg, data) => new Uint8Array(await crypto.subtle.digest(alg, data));

class Transcript {
  constructor() { this.parts = []; }
  add(bytes) { this.parts.push(bytes); }
  hash() { return sha(HASH, concat(...this.parts)); }
}

// ---- record layer (section 5.7) -----------------------------------------------------------------------------------
class Direction {
  static async create(secret, limits) {
    const d = new Direction();
    d.limits = limits;
    await d.use(secret);
    return d;
  }

  async use(secret) {
    this.secret = secret;
    this.key = await crypto.subtle.importKey('raw', await expandLabel(secret, 'key', EMPTY, 32), 'AES-GCM', false,
      ['encrypt', 'decrypt']);
    this.iv = await expandLabel(secret, 'iv', EMPTY, 12);
    this.seq = 0n;
    this.bytes = 0n;
  }

  nonce() {
    const n = this.iv.slice();
    for (let i = 0; i < 8; i++) n[11 - i] ^= Number((this.seq >> BigInt(8 * i)) & 0xffn);
    return n;
  }

  // After every frame both ends count; past a limit the direction moves to the next secret (section 5.7.3).
  async advance(n) {
    this.seq += 1n;
    this.bytes += BigInt(n);
    if (this.seq >= this.limits.records || this.bytes >= this.limits.bytes) {
      await this.use(await expandLabel(this.secret, 'key update', EMPTY, L));
    }
  }
}

const header = (type, n) => concat(risp(type), risp(ID.LENGTH_OF_UNCRYPTED, n), u16(ID.ENCRYPTED_STRING),
  new Uint8Array([(n + 16) >>> 24, ((n + 16) >> 16) & 0xff, ((n + 16) >> 8) & 0xff, (n + 16) & 0xff]));

async function seal(dir, plaintext) {
  const aad = header(ID.FRAME, plaintext.length);
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: dir.nonce(), additionalData: aad },
    dir.key, plaintext));
  await dir.advance(plaintext.length);
  return concat(aad, ct);
}

// The close frame (n = 0) under `dir`'s current keys: what a DELETE of the REST session carries (section 10.2).
async function sealClose(dir) {
  const aad = header(ID.CLOSE, 0);
  const tag = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: dir.nonce(), additionalData: aad },
    dir.key, EMPTY));
  await dir.advance(0);
  return concat(aad, tag);
}

// Opens every frame in `bytes`; returns the inner commands of all of them, in order.
async function open(dir, bytes) {
  const outer = decodeRisp(bytes);
  const inner = [];
  for (let i = 0; i < outer.length; i += 3) {
    const [marker, len, body] = outer.slice(i, i + 3);
    if (!body || (marker.id !== ID.FRAME && marker.id !== ID.CLOSE) || len.id !== ID.LENGTH_OF_UNCRYPTED
        || body.id !== ID.ENCRYPTED_STRING || body.value.length !== Number(len.value) + 16) {
      throw new Error('malformed frame');
    }
    const aad = header(marker.id, Number(len.value));
    const pt = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: dir.nonce(), additionalData: aad },
      dir.key, body.value));
    await dir.advance(pt.length);
    if (marker.id === ID.CLOSE) { inner.push({ id: ID.CLOSE, value: null }); break; }
    inner.push(...decodeRisp(pt));
  }
  return inner;
}

// ---- the server's certificate and signature ------------------------------------------------------------------------
// Minimal DER walk: enough to find the SubjectPublicKeyInfo of an X.509 certificate (tbsCertificate field 7, or 6
// without the explicit version).
function derChildren(bytes) {
  const out = [];
  let i = 0;
  while (i < bytes.length) {
    const tag = bytes[i];
    let len = bytes[i + 1];
    let hdr = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let j = 0; j < n; j++) len = len * 256 + bytes[i + 2 + j];
      hdr += n;
    }
    out.push({ tag, whole: bytes.slice(i, i + hdr + len), body: bytes.slice(i + hdr, i + hdr + len) });
    i += hdr + len;
  }
  return out;
}
function spkiOf(certDer) {
  const tbs = derChildren(derChildren(certDer)[0].body)[0].body;
  const fields = derChildren(tbs);
  return fields[fields[0].tag === 0xa0 ? 6 : 5].whole;
}
// ECDSA signatures travel in DER (as Java makes them); WebCrypto wants r || s. Only strict DER is read: one
// SEQUENCE of two INTEGERs, minimal definite lengths, minimal positive integers of at most `size` bytes, nothing
// after. Anything else is null (the signature does not verify), never repaired: a lenient reading let 65 invalid
// Wycheproof encodings verify (r + 2^256 cut to r, BER lengths, trailing bytes...).
function ecdsaRaw(der, size = 32) {
  let i = 0;
  const length = () => {
    const first = der[i++];
    if (first < 0x80) return first;
    // The only long form a signature can need, and only when the short form cannot say it.
    if (first !== 0x81 || !(der[i] >= 0x80)) return -1;
    return der[i++];
  };
  const integer = () => {
    if (der[i++] !== 0x02) return null;
    const n = length();
    if (n < 1 || i + n > der.length) return null;
    let v = der.slice(i, i + n);
    i += n;
    if (v[0] & 0x80) return null; // negative
    if (v[0] === 0 && (n === 1 || !(v[1] & 0x80))) return null; // zero, or a superfluous leading zero
    if (v[0] === 0) v = v.slice(1);
    return v.length > size ? null : concat(new Uint8Array(size - v.length), v);
  };
  if (der.length < 2 || der[i++] !== 0x30 || length() !== der.length - i) return null;
  const r = integer();
  const s = r && integer();
  return s && i === der.length ? concat(r, s) : null;
}
async function verifyServer(scheme, spki, signature, data) {
  if (scheme === 0x0403) {
    const key = await crypto.subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    const raw = ecdsaRaw(signature);
    return raw !== null && crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, raw, data);
  }
  if (scheme === 0x0807) {
    const key = await crypto.subtle.importKey('spki', spki, { name: 'Ed25519' }, false, ['verify']);
    return crypto.subtle.verify({ name: 'Ed25519' }, key, signature, data);
  }
  throw new Error(`server signature scheme 0x${scheme.toString(16)} is not supported by this page`);
}
const labelled = (context, hash) => concat(new Uint8Array(64).fill(0x20), enc.encode(context), new Uint8Array([0]),
  hash);

// ---- REST calls (section 10) ---------------------------------------------------------------------------------------
class ProblemError extends Error {
  constructor(p) { super(`${p.title} (code 0x${p.code.toString(16).padStart(4, '0')}): ${p.detail}`); this.problem = p; }
}
async function call(method, path, body, type = 'application/json') {
  const init = { method, credentials: 'omit', cache: 'no-store', headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = type;
    init.body = type === 'application/json' ? JSON.stringify(body) : body;
  }
  const r = await fetch(path, init);
  if (r.headers.get('Content-Type') === 'application/problem+json') throw new ProblemError(await r.json());
  if (r.status === 204) return null;
  return type === 'application/json' ? r.json() : new Uint8Array(await r.arrayBuffer());
}

// ---- device tokens (section 5.14) ---------------------------------------------------------------------------------
// As the CLI keeps them per server key and username, the page keeps them in localStorage per server origin and
// username: `oca.device-token <origin> <base64url of the NFC username>` = base64url of the token. A login with a
// security key asks for one (the DEVICE_TOKEN extension: the token kept, or empty); an enrolment never does.
const EXTENSION_DEVICE_TOKEN = 0x0012;
const DEVICE_TOKEN_FIELD = 0x8203;
const MAX_DEVICE_TOKEN = 255;

const deviceTokens = {
  key: (username) => `oca.device-token ${location.origin} ${b64url(enc.encode(username))}`,
  // The token kept for `username`, or EMPTY; a stored value that is not a token this page can send is dropped.
  find(username) {
    const stored = localStorage.getItem(this.key(username));
    if (stored === null) return EMPTY;
    try {
      const token = unb64url(stored);
      if (token.length >= 1 && token.length <= MAX_DEVICE_TOKEN) return token;
    } catch { /* not base64url */ }
    this.drop(username);
    return EMPTY;
  },
  save(username, token) { localStorage.setItem(this.key(username), b64url(token)); },
  drop(username) { localStorage.removeItem(this.key(username)); },
  // After a successful login that asked: the server's new token replaces the old one; no token means the server
  // took none of this (it must answer the extension, section 5.14), so the old one is dropped.
  settle(username, token) {
    if (token !== undefined && token.length >= 1 && token.length <= MAX_DEVICE_TOKEN) this.save(username, token);
    else this.drop(username);
  },
};
const deviceTokenExtension = (token) => concat(u16(EXTENSION_DEVICE_TOKEN), u16(token.length), token);

// ---- the handshake ---------------------------------------------------------------------------------------------
const ERRORS = { 0x0203: 'RATE_LIMITED', 0x060b: 'LOGIN_FAILED', 0x0602: 'NO_COMMON_SUITE' };

export class Session {
  // mode: {kind: 'enrol', code} or {kind: 'webauthn', assertion?: JSON to replay instead of asking the key}
  static async login(username, mode) {
    const s = new Session();
    try {
      await s.run(username, mode);
    } catch (e) {
      // Like a TCP client closing its socket: the server ends the session (an abandoned login counts as failed).
      if (s.restId) await s.close().catch(() => {});
      throw e;
    }
    return s;
  }

  async run(username, mode) {
    const transcript = new Transcript();
    const clientRandom = crypto.getRandomValues(new Uint8Array(32));
    const helloWith = (extensions) => message(ID.HS_CLIENT_HELLO, risp(ID.PROTOCOL_VERSION, 3),
      risp(ID.CLIENT_RANDOM, clientRandom), risp(ID.SUPPORTED_SUITES, u16(SUITE)), risp(ID.EXTENSIONS, extensions));
    let hello = helloWith(EMPTY);
    let created = await call('POST', '/api/v1/sessions', { clientHello: b64url(hello) });
    if (created.helloRetry !== undefined) {
      // HELLO_RETRY (section 5.3.11): the same hello again with the cookie; it alone enters the transcript.
      const [retry] = messages(decodeRisp(unb64url(created.helloRetry)));
      if (retry.marker !== ID.HS_HELLO_RETRY) throw new Error('unexpected server answer to CLIENT_HELLO');
      const cookie = field(retry, ID.COOKIE);
      const ext = new Uint8Array(4 + cookie.length);
      new DataView(ext.buffer).setUint16(0, EXTENSION_HELLO_COOKIE);
      new DataView(ext.buffer).setUint16(2, cookie.length);
      ext.set(cookie, 4);
      hello = helloWith(ext);
      created = await call('POST', '/api/v1/sessions', { clientHello: b64url(hello) });
      if (created.helloRetry !== undefined) throw new Error('UNEXPECTED_MESSAGE: a second HELLO_RETRY');
    }
    transcript.add(hello);
    this.restId = created.sessionId;
    const [sh, sc, sv] = messages(decodeRisp(unb64url(created.serverFlight)));
    if (sh.marker !== ID.HS_SERVER_HELLO || sc.marker !== ID.HS_SERVER_CERTIFICATE
        || sv.marker !== ID.HS_SERVER_CERTIFICATE_VERIFY) throw new Error('unexpected server flight');
    transcript.add(sh.bytes); transcript.add(sc.bytes); transcript.add(sv.bytes);
    const version = Number(field(sh, ID.PROTOCOL_VERSION));
    if (version < 1 || version > 3) throw new Error(`UNSUPPORTED_VERSION: the server speaks version ${version}`);
    const pad = (sizeClass, marker, ...fields) => (version >= 3 ? padded(sizeClass, marker, ...fields)
      : message(marker, ...fields));

    // 1. the server proves its key over the hello hash (SHA-384 of the three messages, section 5.3.4)
    const hh = await sha('SHA-384', concat(hello, sh.bytes, sc.bytes));
    const leaf = sc.repeated.find((c) => c.id === ID.CERTIFICATE).value;
    const spki = spkiOf(leaf);
    this.serverKeyFingerprint = b64url(await sha('SHA-256', spki));
    const ok = await verifyServer(Number(field(sv, ID.SIGNATURE_SCHEME)), spki, field(sv, ID.SIGNATURE),
      labelled('oca1 server hello signature', hh));
    if (!ok) throw new Error('BAD_SERVER_SIGNATURE: the server signature does not verify');

    // 2. the policy and the choice rule: the first suite of the policy that this page supports
    const policy = field(sh, ID.SUITE_POLICY);
    const pv = new DataView(policy.buffer, policy.byteOffset, policy.byteLength);
    const policyVersion = pv.getBigUint64(0);
    const ids = [];
    for (let i = 0; i < pv.getUint16(8); i++) ids.push(pv.getUint16(10 + 2 * i));
    if (ids.find((id) => id === SUITE) === undefined) throw new Error('NO_COMMON_SUITE: 0x0103 is not enabled');
    this.suite = { id: SUITE, name: created.suites.find((x) => x.id === SUITE).name };
    const share = field(sh, ID.KEY_SHARE);
    if (share.length !== 67 || share[0] !== 0x00 || share[1] !== 0x17) throw new Error('DOWNGRADE_DETECTED');
    const limits = { bytes: BigInt(field(sh, ID.KEY_UPDATE_BYTES)), records: BigInt(field(sh, ID.KEY_UPDATE_RECORDS)) };

    // 3. ECDH P-256 and the handshake secrets
    const mine = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
    const myPublic = new Uint8Array(await crypto.subtle.exportKey('raw', mine.publicKey));
    const theirs = await crypto.subtle.importKey('raw', share.slice(2), { name: 'ECDH', namedCurve: 'P-256' }, false, []);
    const shared = new Uint8Array(await crypto.subtle.deriveBits({ name: 'ECDH', public: theirs }, mine.privateKey, 256));
    const choice = message(ID.HS_CLIENT_CHOICE, risp(ID.CHOSEN_SUITE, SUITE), risp(ID.POLICY_VERSION, policyVersion),
      risp(ID.KEY_SHARE, concat(u16(0x0017), myPublic)), risp(ID.EXTENSIONS, EMPTY));
    transcript.add(choice);
    const zeros = new Uint8Array(L);
    const early = await extract(zeros, zeros);
    const hs = await extract(await deriveSecret(early, 'derived', EMPTY), shared);
    shared.fill(0);
    const thChoice = await transcript.hash();
    const cHs = await deriveSecret(hs, 'c hs traffic', thChoice);
    const sHs = await deriveSecret(hs, 's hs traffic', thChoice);
    const out = await Direction.create(cHs, limits);
    const inb = await Direction.create(sHs, limits);
    this.handshakeOut = out;

    // 4. LOGIN_REQUEST (encrypted) with the extension of the proof wanted, then (types in increasing order) the
    // device token of a security-key login
    const name = username.normalize('NFC');
    const asksDeviceToken = mode.kind !== 'enrol';
    const ext = mode.kind === 'enrol' ? concat(u16(EXTENSION_ENROLMENT), u16(0))
      : concat(u16(WEBAUTHN.EXTENSION), u16(0), deviceTokenExtension(deviceTokens.find(name)));
    const request = pad(LOGIN_REQUEST_BYTES, ID.HS_LOGIN_REQUEST,
      risp(ID.USERNAME, enc.encode(name)), risp(ID.EXTENSIONS, ext));
    transcript.add(request);
    const flight4 = await this.flight(concat(choice, await seal(out, request)));
    const [challenge, finished] = messages(await open(inb, flight4.bytes));
    if (challenge.error !== undefined) throw new Error(`${ERRORS[challenge.error] || challenge.error}: ${challenge.text}`);
    transcript.add(challenge.bytes);
    const sFinishedKey = await expandLabel(sHs, 'finished', EMPTY, L);
    if (!equal(field(finished, ID.VERIFY_DATA), await hmac(sFinishedKey, await transcript.hash()))) {
      throw new Error('BAD_FINISHED: the server finished value does not verify');
    }
    transcript.add(finished.bytes);
    const t = await transcript.hash();

    // 5. the proof, bound to this session through T and the handshake secret (section 5.5.3)
    const proofSalt = await deriveSecret(hs, 'proof salt', t);
    let kind;
    let proof;
    if (mode.kind === 'enrol') {
      kind = PROOF_KIND_ENROLMENT;
      const codeHash = await sha('SHA-256', enc.encode(mode.code.replace(/[\s-]/g, '').toUpperCase()));
      // code_hash || HMAC(proof_key, T): the server keeps only a keyed verifier of code_hash (section 5.5.3)
      proof = concat(codeHash, await hmac(await expandLabel(await extract(proofSalt, codeHash), 'enrol proof', EMPTY, L), t));
    } else {
      kind = WEBAUTHN.PROOF_KIND;
      if (Number(field(challenge, ID.PROOF_KIND)) !== kind) throw new Error('the server did not ask for a security key');
      const options = JSON.parse(dec.decode(field(challenge, WEBAUTHN.OPTIONS_FIELD)));
      const webauthnChallenge = await expandLabel(proofSalt, 'webauthn challenge', t, 32);
      this.webauthnChallenge = webauthnChallenge;
      proof = enc.encode(mode.assertion || await assertion(options, webauthnChallenge));
      lastAssertion = dec.decode(proof);
    }
    const proofMsg = pad(LOGIN_PROOF_BYTES, ID.HS_LOGIN_PROOF, risp(ID.PROOF_KIND, kind), risp(ID.SIGNATURE_SCHEME, 0),
      risp(ID.PROOF, proof));
    transcript.add(proofMsg);
    const cFinishedKey = await expandLabel(cHs, 'finished', EMPTY, L);
    const clientFinished = message(ID.HS_CLIENT_FINISHED, risp(ID.VERIFY_DATA, await hmac(cFinishedKey,
      await transcript.hash())));
    transcript.add(clientFinished);
    const flight6 = await this.flight(await seal(out, concat(proofMsg, clientFinished)));
    const [result] = messages(await open(inb, flight6.bytes));
    if (result.error !== undefined) throw new Error(`${ERRORS[result.error] || result.error}: ${result.text}`);
    const status = Number(field(result, ID.LOGIN_STATUS));
    if (status !== 0) throw new Error(`${ERRORS[status] || '0x' + status.toString(16)}: the login was refused`);
    const deviceToken = result.fields.get(DEVICE_TOKEN_FIELD);
    if (deviceToken !== undefined && !asksDeviceToken) {
      throw new Error('MALFORMED_MESSAGE: the server sent a DEVICE_TOKEN this login did not ask for');
    }
    this.sessionId = hex(field(result, ID.SESSION_ID));

    // 6. application traffic secrets from TH(..CLIENT_FINISHED)
    const master = await extract(await deriveSecret(hs, 'derived', EMPTY), zeros);
    const th = await transcript.hash();
    this.out = await Direction.create(await deriveSecret(master, 'c ap traffic', th), limits);
    this.in = await Direction.create(await deriveSecret(master, 's ap traffic', th), limits);
    if (asksDeviceToken) deviceTokens.settle(name, deviceToken);
  }

  async flight(bytes) {
    const answer = await call('POST', `/api/v1/sessions/${this.restId}/handshake`, { flight: b64url(bytes) });
    return { bytes: unb64url(answer.flight), closed: answer.closed };
  }

  // Seals `commands` into one frame, posts it, opens the reply frame(s).
  async exec(...commands) {
    const body = await seal(this.out, concat(...commands));
    return open(this.in, await call('POST', `/api/v1/sessions/${this.restId}/frames`, body, 'application/x-risp'));
  }

  // Ends the REST session with this page's close frame under its current keys (application keys once logged in,
  // handshake keys mid-login; nothing before it has keys): the session id alone cannot end a session.
  async close() {
    const dir = this.out || this.handshakeOut;
    const body = dir ? await sealClose(dir) : undefined;
    return call('DELETE', `/api/v1/sessions/${this.restId}`, body, 'application/x-risp');
  }
}

// ---- WebAuthn ------------------------------------------------------------------------------------------------------
let lastAssertion = null;

async function assertion(options, challenge) {
  const cred = await navigator.credentials.get({
    publicKey: {
      challenge,
      rpId: options.rpId,
      timeout: options.timeout,
      userVerification: options.userVerification,
      allowCredentials: options.allowCredentials.map((c) => ({ type: c.type, id: unb64url(c.id) })),
    },
  });
  return JSON.stringify(cred.toJSON());
}

async function registerKey(session) {
  const answer = await session.exec(risp(WEBAUTHN.REGISTER_BEGIN));
  failOnError(answer);
  const json = JSON.parse(dec.decode(answer.find((c) => c.id === WEBAUTHN.CREATION_OPTIONS).value));
  const options = PublicKeyCredential.parseCreationOptionsFromJSON(json.publicKey || json);
  const cred = await navigator.credentials.create({ publicKey: options });
  const done = await session.exec(risp(WEBAUTHN.REGISTER_FINISH, enc.encode(JSON.stringify(cred.toJSON()))));
  failOnError(done);
  return done;
}

function failOnError(commands) {
  const e = commands.find((c) => c.id === ID.ERROR);
  if (e) {
    const t = commands.find((c) => c.id === ID.ERROR_TEXT);
    throw new Error(`ERROR 0x${Number(e.value).toString(16).padStart(4, '0')}: ${t ? dec.decode(t.value) : ''}`);
  }
}

// ---- the page -------------------------------------------------------------------------------------------------------
const $ = (id) => document.getElementById(id);
let current = null;

function show(text, failed = false) {
  $('status').textContent = text;
  $('status').className = failed ? 'failed' : 'ok';
}

function describe(commands) {
  const names = Object.fromEntries(Object.entries(ID).map(([k, v]) => [v, k]));
  return commands.map((c) => {
    const name = names[c.id] || `0x${c.id.toString(16).padStart(4, '0')}`;
    if (c.value === null) return name;
    if (typeof c.value === 'bigint') return `${name} 0x${c.value.toString(16)}`;
    try { return `${name} "${dec.decode(c.value)}"`; } catch { return `${name} ${hex(c.value)}`; }
  }).join('\n');
}

async function connected(session) {
  if (current) await current.close().catch(() => {});
  current = session;
  $('suite').textContent = `${session.suite.name} (0x${session.suite.id.toString(16).padStart(4, '0')})`;
  $('session-id').textContent = session.sessionId;
  $('rest-session').textContent = session.restId;
  $('server-key').textContent = session.serverKeyFingerprint;
  $('send').disabled = false;
}

async function guarded(action) {
  try {
    show('working...');
    await action();
  } catch (e) {
    show(e instanceof DOMException ? `${e.name}: ${e.message}` : e.message, true);
  }
}

function commandBytes() {
  const which = $('command').value;
  if (which === 'ECHO') return risp(ID.ECHO, enc.encode($('echo-text').value));
  return risp(ID[which]);
}

window.addEventListener('DOMContentLoaded', () => {
  $('register').addEventListener('click', () => guarded(async () => {
    const s = await Session.login($('username').value, { kind: 'enrol', code: $('code').value });
    await connected(s);
    await registerKey(s);
    show(`security key registered for ${$('username').value}; log in with it`);
  }));
  $('login').addEventListener('click', () => guarded(async () => {
    const s = await Session.login($('username').value, { kind: 'webauthn' });
    await connected(s);
    show(`logged in as ${$('username').value} with a security key`);
  }));
  $('send').addEventListener('click', () => guarded(async () => {
    const reply = await current.exec(commandBytes());
    $('reply').textContent = describe(reply);
    show('reply received');
  }));
  show('ready');
});

// For tests and the curious: log in again presenting the last assertion (a replay, which the server must refuse).
window.oca = {
  lastAssertion: () => lastAssertion,
  verifyServer,
  replayLogin: (username) => Session.login(username, { kind: 'webauthn', assertion: lastAssertion })
    .then(() => 'accepted', (e) => e.message),
  enrolLogin: (username, code) => Session.login(username, { kind: 'enrol', code })
    .then(async (s) => { await connected(s); return 'ok'; }, (e) => e.message),
};
