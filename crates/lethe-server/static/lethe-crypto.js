// Lethe's end-to-end format in the browser (WebCrypto only). Specified in docs/crypto.md
// ("Browser format"); the Rust reference is lethe_core::e2e, and the browser test checks the
// published vectors here.
const enc = new TextEncoder();
const DOMAIN = enc.encode("lethe/e2e/v1");
export const DEFAULT_ITERATIONS = 600000;

/** Unpadded base64url, as used in links and the API. */
export function b64u(bytes) {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function unb64u(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("not base64url");
  const s = text.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(s + "=".repeat((4 - (s.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export function randomBytes(n) {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** Length-hiding frame: u32 length, content, zeros up to a power-of-two bucket (≥ 256). */
export function pad(bytes) {
  let bucket = 256;
  while (bucket < bytes.length + 4) bucket *= 2;
  const out = new Uint8Array(bucket);
  new DataView(out.buffer).setUint32(0, bytes.length);
  out.set(bytes, 4);
  return out;
}

export function unpad(frame) {
  const len = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0);
  if (4 + len > frame.length) throw new Error("inconsistent frame");
  return frame.slice(4, 4 + len);
}

async function pbkdf2(passphrase, salt, iterations) {
  const base = await crypto.subtle.importKey("raw", enc.encode(passphrase), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, base, 256);
  return new Uint8Array(bits);
}

async function hkdf(ikm, info) {
  const base = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  const params = { name: "HKDF", hash: "SHA-256", salt: DOMAIN, info: enc.encode(info) };
  return new Uint8Array(await crypto.subtle.deriveBits(params, base, 256));
}

/**
 * Derives the content key, the proof and its verifier from the fragment key `k` and,
 * optionally, `pass = {passphrase, salt, iterations}`.
 */
export async function derive(k, pass) {
  let ikm = k;
  if (pass) {
    const p = await pbkdf2(pass.passphrase, pass.salt, pass.iterations);
    ikm = new Uint8Array(64);
    ikm.set(k);
    ikm.set(p, 32);
  }
  const key = await hkdf(ikm, "content");
  const proof = await hkdf(ikm, "proof");
  const verifier = new Uint8Array(await crypto.subtle.digest("SHA-256", proof));
  return { key, proof, verifier };
}

/** Encrypts text into an envelope: base64url(0x01 ‖ iv ‖ AES-256-GCM(frame)). */
export async function seal(keyBytes, text, iv = randomBytes(12)) {
  const key = await crypto.subtle.importKey("raw", keyBytes, "AES-GCM", false, ["encrypt"]);
  const params = { name: "AES-GCM", iv, additionalData: DOMAIN };
  const ct = new Uint8Array(await crypto.subtle.encrypt(params, key, pad(enc.encode(text))));
  const out = new Uint8Array(13 + ct.length);
  out[0] = 1;
  out.set(iv, 1);
  out.set(ct, 13);
  return b64u(out);
}

/** Decrypts an envelope back to text; throws if the key is wrong. */
export async function open(keyBytes, envelope) {
  const raw = unb64u(envelope);
  if (raw[0] !== 1 || raw.length < 13 + 256 + 16) throw new Error("malformed envelope");
  const key = await crypto.subtle.importKey("raw", keyBytes, "AES-GCM", false, ["decrypt"]);
  const params = { name: "AES-GCM", iv: raw.slice(1, 13), additionalData: DOMAIN };
  const frame = new Uint8Array(await crypto.subtle.decrypt(params, key, raw.slice(13)));
  return new TextDecoder("utf-8", { fatal: true }).decode(unpad(frame));
}
