// Small helpers shared by the staff pages (plain ES modules, no build step).

// Translations: the page carries its scripts' messages in its own language (`#i18n-messages`, from the gettext
// catalogue in frontend/locale; empty in English, the source language), and its locale in <html lang>.
const MESSAGES = (() => {
  try { return JSON.parse(document.getElementById("i18n-messages")?.textContent || "{}"); } catch { return {}; }
})();
export const pageLocale = document.documentElement.lang || "en";
const fill = (text, values) => (values ? text.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole)) : text);

// gettext: the message's translation (placeholders such as {name} filled from `values`), or the English msgid.
export function _(msgid, values) {
  const found = MESSAGES[msgid];
  return fill(typeof found === "string" && found ? found : msgid, values);
}

export function ngettext(singular, plural, count, values) {
  const forms = MESSAGES[singular];
  const english = count === 1 ? singular : plural;
  const text = Array.isArray(forms) && forms.length ? forms[forms.length === 1 ? 0 : (count === 1 ? 0 : 1)] || english : english;
  return fill(text, values);
}

// Dates and numbers: the browser's own variant of the page's language (en-GB, ja-JP), else the language itself.
export const displayLocale = (navigator.languages || []).find((tag) => tag.split("-")[0].toLowerCase() === pageLocale) || pageLocale;
const numbers = new Intl.NumberFormat(displayLocale);
export const formatNumber = (value) => numbers.format(value);

export const LEVEL_LABELS = {
  emergency_ambulance: _("Emergency: call an ambulance"),
  emergency: _("Emergency: go to the emergency department"),
  consultation_24: _("See a doctor within 24 hours"),
  consultation: _("Book a doctor's appointment"),
  self_care: _("Self-care at home"),
};
export const URGENCY_RANK = { em: 0, ne: 1, sc: 2 };
export const LEVEL_RANK = { emergency_ambulance: 0, emergency: 1, consultation_24: 2, consultation: 3, self_care: 4 };

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== "" && c != null));
  return node;
}

export function waitedFor(iso) {
  const minutes = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 60000));
  if (minutes < 1) return _("under a minute");
  if (minutes < 60) return _("{minutes} min", { minutes });
  return _("{hours} h {minutes} min", { hours: Math.floor(minutes / 60), minutes: minutes % 60 });
}

// The signed-in page's CSRF token (bound to the sign-in; app/security/csrf.py): sent as X-CSRF-Token on POSTs.
export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content || "";
}

export const SIGN_IN_AGAIN_DELAY_MS = 4000;

// The sign-in has ended (expired, revoked, or at its maximum length): say so where it cannot be missed, tell the
// page (a `staff:signed-out` event: stop reconnecting, stop claiming to be live), then go to the sign-in page.
export function signInAgain(message = _("Your sign-in has ended. Sign in again to continue.")) {
  if (document.body.dataset.signedOut) return;
  document.body.dataset.signedOut = "true";
  const next = `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
  const banner = el("p", { class: "signed-out", role: "alert", id: "signed-out" },
    `${message} `, el("a", { href: next, text: _("Sign in again") }));
  (document.querySelector("main") || document.body).prepend(banner);
  document.dispatchEvent(new CustomEvent("staff:signed-out", { detail: { message } }));
  setTimeout(() => location.assign(next), SIGN_IN_AGAIN_DELAY_MS);
}

// Silent renewal: a staff token lives minutes (data-token-ttl seconds); while the page is in use (visible, or
// touched since the last renewal) it is renewed once past half its life, until the sign-in's maximum length.
// A refused renewal, or a token left to run out, ends in `onEnded` (never a page that fails quietly).
export function keepSignedIn(onEnded = () => {}) {
  let expiresAt = Number(document.body.dataset.expiresAt || 0) * 1000;
  const ttl = Number(document.body.dataset.tokenTtl || 0) * 1000;
  if (!expiresAt || !ttl) return;
  let touched = false;
  for (const type of ["pointerdown", "keydown"]) document.addEventListener(type, () => { touched = true; }, { passive: true });
  // A page that watches for emergencies (the clinician queue, live: data-watching) is in use while it watches.
  const inUse = () => touched || document.visibilityState === "visible" || document.body.dataset.watching === "true";

  async function tick() {
    const left = expiresAt - Date.now();
    if (left <= 0) {
      onEnded(_("Your sign-in has expired. Sign in again to continue."));
      return;
    }
    if (left < ttl / 2 && inUse()) {
      try {
        const response = await fetch("/api/session/renew", {
          method: "POST", credentials: "same-origin", headers: { "x-csrf-token": csrfToken() },
        });
        if (response.status === 401 || response.status === 403) {
          onEnded(_("Your sign-in has ended or was revoked. Sign in again to continue."));
          return;
        }
        if (response.ok) {
          expiresAt = (await response.json()).expires_at * 1000;
          touched = false;
        }
      } catch {
        // offline for a moment: try again at the next tick
      }
    }
    setTimeout(tick, Math.max(1000, Math.min(30000, (expiresAt - Date.now()) / 4)));
  }
  setTimeout(tick, 1000);
}
