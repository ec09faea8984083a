// Progressive enhancement for Lethe's pages. Without this script every page still works (the
// server encrypts). With it, secrets are encrypted in the browser before they are sent (P5),
// the key travels only in the link's fragment, and links are copied with one click.
import * as lc from "/static/lethe-crypto.js";

document.documentElement.classList.add("js");
// Browsers offer WebCrypto only to secure contexts (https, or http://localhost). Elsewhere the
// create form is sent as it is, and the server encrypts (the page says so).
const canEncrypt = window.isSecureContext && Boolean(globalThis.crypto?.subtle);
if (!canEncrypt) document.documentElement.classList.add("no-webcrypto");
const page = document.body.dataset.page;
// Dates and numbers are written in the page's language (the reader's choice, or their browser's).
const LOCALE = document.documentElement.lang || undefined;
// What this script says, in the page's language (a JSON block the server writes; English
// where a message is missing). `{n}` in a message is a number filled in here.
const MESSAGES = JSON.parse(document.getElementById("page-messages")?.textContent || "{}");
const say = (key, fallback, n) => (MESSAGES[key] || fallback).replace("{n}", String(n));
const $ = (id) => document.getElementById(id);

function showError(el, message) {
  el.textContent = message;
  el.hidden = false;
  el.setAttribute("tabindex", "-1");
  el.focus();
}

async function copyFrom(input) {
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
    return true;
  } catch {
    return false;
  }
}

function setupCopyButtons(root) {
  root.querySelectorAll("button[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const ok = await copyFrom($(button.dataset.copy));
      const status = $("copy-status");
      if (status) status.textContent = ok
        ? say("js-copied", "Copied to the clipboard.")
        : say("js-select-to-copy", "Selected: press Ctrl+C (⌘C) to copy.");
    });
  });
}

async function api(path, body) {
  const init = { method: "GET", cache: "no-store", credentials: "same-origin", headers: {} };
  // Signed in: the API takes the session cookie with its form token (never another site's).
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content;
  if (csrf) init.headers["x-csrf-token"] = csrf;
  if (body !== undefined) {
    init.method = "POST";
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, data };
}

/** Replaces `section` with the content of `<template id=templateId>`, then runs `fill`. */
function swap(section, templateId, fill) {
  const fragment = $(templateId).content.cloneNode(true);
  fill(fragment);
  section.replaceWith(fragment);
  setupCopyButtons(document);
  localiseTimes(document);
  document.querySelector("main h1")?.focus();
}

function describeExpiry(ttl, expiresAt) {
  const units = [[86400, "day"], [3600, "hour"], [60, "minute"], [1, "second"]];
  const [size, unit] = units.find(([s]) => ttl % s === 0);
  const n = ttl / size;
  // The same UTC format as the server-rendered pages: YYYY-MM-DD HH:MM UTC.
  const at = new Date(expiresAt * 1000).toISOString().slice(0, 16).replace("T", " ");
  return `in ${n} ${unit}${n === 1 ? "" : "s"} (${at} UTC)`;
}

// What "E-mail me when…" asks for (the server's NOTIFY_EVENTS).
const NOTIFY_EVENTS = ["secret.revealed", "secret.burned", "secret.destroyed", "secret.expired", "secret.opened_after_end"];

async function createEndToEnd(form, error) {
  const text = form.secret.value;
  const passphrase = form.passphrase.value;
  const max = Number(form.dataset.maxBytes);
  if (!text.trim()) return showError(error, "You did not provide anything to share.");
  if (new TextEncoder().encode(text).length > max) {
    return showError(error, `The secret is larger than the limit of ${max} bytes.`);
  }
  const k = lc.randomBytes(32);
  const pass = passphrase ? { passphrase, salt: lc.randomBytes(16), iterations: lc.DEFAULT_ITERATIONS } : null;
  const derived = await lc.derive(k, pass);
  const body = {
    ciphertext: await lc.seal(derived.key, text),
    proof_verifier: lc.b64u(derived.verifier),
    ttl: Number(form.ttl.value),
    require_login: form.require_login.checked,
    allowed_viewers: form.allowed_viewers.value.split(/[\s,]+/).filter(Boolean),
  };
  // `form.name` is the form's own name attribute: the field is reached through `elements`.
  const label = form.elements.namedItem("name").value.trim();
  if (label) body.name = label;
  const team = form.elements.namedItem("team");
  if (team && team.value) body.team = Number(team.value);
  const notify = form.elements.namedItem("notify");
  if (notify) body.notify = notify.checked ? NOTIFY_EVENTS : [];
  if (pass) body.kdf = { salt: lc.b64u(pass.salt), iterations: pass.iterations };
  const r = await api("/api/v2/conceal", body);
  if (!r.ok) return showError(error, r.data.detail || "The secret could not be created. Try again.");
  const fragment = "#" + lc.b64u(k);
  const share = `${location.origin}/secret/${r.data.secret_key}${fragment}`;
  const receipt = `${location.origin}/private/${r.data.receipt_key}${fragment}`;
  form.reset();
  swap($("create"), "created-template", (f) => {
    f.querySelector("#share-link").value = share;
    f.querySelector("#receipt-link").value = receipt;
    f.querySelector("[data-field=expires]").textContent = describeExpiry(r.data.ttl, r.data.expires_at);
    f.querySelector("[data-field=passphrase-reminder]").hidden = !pass;
  });
  // The address stays "/": the created page's own address would be the receipt's with the
  // key after "#", and browser history would then hold a way to the whole share link.
  if (await copyFrom($("share-link"))) $("copy-status").textContent = "The link was copied to the clipboard.";
}

// How much of the size limit the secret uses, said as the person types (and to screen readers
// only near the limit, so every keystroke is not announced).
function setupCounter() {
  const area = $("secret");
  const out = $("secret-count");
  if (!area || !out) return;
  const max = Number(area.getAttribute("maxlength")) || 0;
  const fmt = new Intl.NumberFormat(LOCALE);
  const update = () => {
    const n = area.value.length;
    out.textContent = `${fmt.format(n)} of ${fmt.format(max)} characters`;
    out.classList.toggle("near-limit", n > max * 0.9);
    out.setAttribute("aria-live", n > max * 0.9 ? "polite" : "off");
  };
  area.addEventListener("input", update);
  update();
}

// A passphrase from the browser's CSPRNG: 4 groups of 5 letters and digits (no 0/o, 1/l/i),
// about 99 bits. It is shown in clear so the sender can copy it to the other channel.
const PASS_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
function suggestPassphrase() {
  const out = [];
  const limit = 256 - (256 % PASS_ALPHABET.length);
  while (out.length < 20) {
    for (const b of crypto.getRandomValues(new Uint8Array(32))) {
      if (b < limit && out.length < 20) out.push(PASS_ALPHABET[b % PASS_ALPHABET.length]);
    }
  }
  return [0, 5, 10, 15].map((i) => out.slice(i, i + 5).join("")).join("-");
}

function setupSuggest() {
  const button = $("suggest-passphrase");
  const input = $("passphrase");
  if (!button || !input) return;
  button.addEventListener("click", () => {
    input.value = suggestPassphrase();
    input.type = "text";
    $("passphrase-status").textContent = "A passphrase was filled in. Send it to the recipient through another channel.";
    input.focus();
    input.select();
  });
}

function setupCreate() {
  const form = $("create-form");
  const error = $("create-error");
  setupCounter();
  setupSuggest();
  if (!canEncrypt) return;
  form.addEventListener("submit", async (event) => {
    // A link to mail must be known to the server: such a secret is sent as the plain form,
    // and the server encrypts it (the page says so beside the field).
    const recipient = form.elements.namedItem("recipient");
    if (recipient && recipient.value.trim()) return;
    event.preventDefault();
    error.hidden = true;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    button.textContent = "Encrypting…";
    try {
      await createEndToEnd(form, error);
    } catch {
      showError(error, "Your browser could not encrypt the secret. Nothing was sent.");
    } finally {
      button.disabled = false;
      button.textContent = "Create a secret link";
    }
  });
}

async function revealEndToEnd(section, form, error, k) {
  const key = section.dataset.key;
  let pass = null;
  if (section.dataset.passphrase === "true") {
    const status = await api(`/api/v2/secret/${key}`);
    if (!status.ok) return location.reload();
    pass = { passphrase: form.passphrase.value, salt: lc.unb64u(status.data.kdf.salt), iterations: status.data.kdf.iterations };
  }
  const derived = await lc.derive(k, pass);
  const r = await api(`/api/v2/secret/${key}/reveal`, { proof: lc.b64u(derived.proof) });
  if (r.status === 403 && r.data.attempts_remaining > 0) {
    const left = r.data.attempts_remaining;
    return showError(error, pass
      ? say("reveal-wrong-passphrase", "That passphrase is wrong. The secret is still there. Attempts left: {n}.", left)
      : say("reveal-wrong-key", "This link's key is wrong. The secret is still there. Attempts left: {n}.", left));
  }
  // Signed in, but not on the sender's list: a reload would show the same form without saying
  // why, so say it here (the secret is untouched; trying again would only be refused again).
  if (r.status === 403 && r.data.type === "urn:lethe:problem:viewer-not-allowed") {
    form.hidden = true;
    return showError(error, say("ended-refused", "This secret is meant for someone else. Your attempt was recorded."));
  }
  if (!r.ok) return location.reload();
  const text = await lc.open(derived.key, r.data.ciphertext);
  // The key has done its job: drop it from the address bar and the history entry.
  history.replaceState(null, "", location.pathname);
  swap(section, "revealed-template", (f) => {
    f.querySelector("#secret-value").value = text;
  });
}

function setupSecret() {
  // The way to sign in first keeps the key after "#", so the link still opens afterwards.
  document.querySelectorAll("a[data-keep-fragment]").forEach((a) => {
    if (location.hash.length > 1) a.href += encodeURIComponent(location.hash);
  });
  const section = $("waiting");
  const form = $("reveal-form");
  if (!section || !form || section.dataset.e2e !== "true") return;
  const error = $("reveal-error");
  const button = form.querySelector("button[type=submit]");
  if (!canEncrypt) {
    button.disabled = true;
    return showError(error, say("js-insecure-reveal", "This secret was encrypted in the sender's browser, and this page is not served over https, so your browser cannot decrypt it here. Nothing has been used up: open the link over https, or ask the sender to share it again."));
  }
  let k = null;
  try {
    k = lc.unb64u(location.hash.slice(1));
  } catch {
    k = null;
  }
  if (!k || k.length !== 32) {
    button.disabled = true;
    return showError(error, say("js-incomplete-link", "This link is incomplete: the part after “#” is missing or damaged, and the secret cannot be decrypted without it. Nothing has been used up: ask the sender for the full link."));
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    button.disabled = true;
    button.textContent = say("js-decrypting", "Decrypting…");
    try {
      await revealEndToEnd(section, form, error, k);
    } catch {
      showError(error, say("js-decrypt-failed", "The secret could not be decrypted in this browser."));
    } finally {
      button.disabled = false;
      button.textContent = say("waiting-view", "View secret");
    }
  });
}

function setupReceipt() {
  const link = $("share-link");
  if (link && link.dataset.e2e === "true" && location.hash.length > 1) {
    link.value += location.hash;
    $("e2e-link-note")?.remove();
  }
}

// Times: the pages write them in UTC ("2026-05-03 14:05 UTC"), which is what a reader without
// this script sees. Here each becomes the reader's local time and how far it is from now, with
// the UTC time kept as its tooltip and in its `datetime`.
const UTC_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})(?::(\d{2}))? UTC$/;
const UNITS = [["day", 86400], ["hour", 3600], ["minute", 60]];

function fromNow(date) {
  const secs = Math.round((date.getTime() - Date.now()) / 1000);
  const rtf = new Intl.RelativeTimeFormat(LOCALE, { numeric: "auto" });
  const unit = UNITS.find(([, size]) => Math.abs(secs) >= size);
  return unit ? rtf.format(Math.trunc(secs / unit[1]), unit[0]) : rtf.format(0, "second");
}

function localiseTimes(root) {
  const local = new Intl.DateTimeFormat(LOCALE, { dateStyle: "medium", timeStyle: "short" });
  root.querySelectorAll("time:not([datetime])").forEach((el) => {
    const utc = el.textContent.trim();
    const m = UTC_TIME.exec(utc);
    if (!m) return;
    const date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0)));
    el.dateTime = date.toISOString();
    el.title = utc;
    el.textContent = el.hasAttribute("data-no-relative")
      ? local.format(date)
      : `${local.format(date)} (${fromNow(date)})`;
  });
}

// The language switcher: with this script the choice is kept in the cookie here and the page
// reloads in place, so a link's "#key" survives (a form submission would drop it).
function setupLanguage() {
  const form = $("language-form");
  if (!form) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const lang = form.elements.namedItem("lang").value;
    document.cookie = `lethe_lang=${encodeURIComponent(lang)}; path=/; max-age=31536000; samesite=lax`;
    location.reload();
  });
}

if (page === "create") setupCreate();
if (page === "secret") setupSecret();
if (page === "receipt") setupReceipt();
setupCopyButtons(document);
localiseTimes(document);
setupLanguage();
