// Small helpers shared by the staff pages (plain ES modules, no build step).
export const LEVEL_LABELS = {
  emergency_ambulance: "Emergency: call an ambulance",
  emergency: "Emergency: go to the emergency department",
  consultation_24: "See a doctor within 24 hours",
  consultation: "Book a doctor's appointment",
  self_care: "Self-care at home",
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
  if (minutes < 1) return "under a minute";
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

// The signed-in page's CSRF token (bound to the sign-in; app/security/csrf.py): sent as X-CSRF-Token on POSTs.
export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content || "";
}

export const SIGN_IN_AGAIN_DELAY_MS = 4000;

// The sign-in has ended (expired, revoked, or at its maximum length): say so where it cannot be missed, tell the
// page (a `staff:signed-out` event: stop reconnecting, stop claiming to be live), then go to the sign-in page.
export function signInAgain(message = "Your sign-in has ended. Sign in again to continue.") {
  if (document.body.dataset.signedOut) return;
  document.body.dataset.signedOut = "true";
  const next = `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
  const banner = el("p", { class: "signed-out", role: "alert", id: "signed-out" },
    `${message} `, el("a", { href: next, text: "Sign in again" }));
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
      onEnded("Your sign-in has expired. Sign in again to continue.");
      return;
    }
    if (left < ttl / 2 && inUse()) {
      try {
        const response = await fetch("/api/session/renew", {
          method: "POST", credentials: "same-origin", headers: { "x-csrf-token": csrfToken() },
        });
        if (response.status === 401 || response.status === 403) {
          onEnded("Your sign-in has ended or was revoked. Sign in again to continue.");
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
