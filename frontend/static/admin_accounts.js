// Staff accounts page: /api/users with the page's CSRF token (app/routes/users.py); every change is audited there.
import { _, csrfToken, el } from "./shared.js";

const table = document.querySelector("#accounts tbody");
const statusLine = document.getElementById("accounts-status");
const me = document.body.dataset.subject;
const roles = [...document.querySelectorAll("#new-role option")].map((o) => o.value);
const dialog = document.getElementById("password-dialog");
const passwordForm = document.getElementById("password-form");
const passwordInput = document.getElementById("reset-password");
let resetting = null;

function say(text, isError = false) {
  statusLine.textContent = text;
  statusLine.className = isError ? "notice error" : "notice ok";
}

async function call(path, body) {
  const response = await fetch(path, {
    method: body === undefined ? "GET" : "POST", credentials: "same-origin",
    headers: { "content-type": "application/json", "x-csrf-token": csrfToken() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
    throw new Error(_("your sign-in has ended"));
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(reason(data) || response.statusText);
  return data;
}

function reason(data) {
  if (typeof data.detail === "string") return data.detail;
  if (Array.isArray(data.detail)) return data.detail.map((d) => `${d.loc?.at(-1)}: ${d.msg}`).join("; ");
  return "";
}

function row(user) {
  const self = user.username === me;
  const role = el("select", { "aria-label": _("Role of {username}", { username: user.username }) },
    ...roles.map((r) => el("option", { value: r, text: r })));
  role.value = user.role;
  role.disabled = self;
  const saveRole = el("button", { type: "button", text: _("Save role"), "data-action": "role" });
  saveRole.disabled = self;
  const toggle = el("button", { type: "button", "data-action": user.disabled ? "enable" : "disable",
    text: user.disabled ? _("Enable") : _("Disable") });
  toggle.disabled = self && !user.disabled;
  const password = el("button", { type: "button", text: _("New password"), "data-action": "password" });
  const actions = el("div", { class: "actions" }, toggle, password);
  const tr = el("tr", { "data-username": user.username },
    el("th", { scope: "row", text: self ? _("{username} (you)", { username: user.username }) : user.username }),
    el("td", {}, el("div", { class: "actions" }, role, saveRole)),
    el("td", { class: user.disabled ? "state-disabled" : "state-active", text: user.disabled ? _("Disabled") : _("Active") }),
    el("td", { text: user.created_at.replace("T", " ").slice(0, 16) }),
    el("td", {}, actions));
  saveRole.addEventListener("click", () => act(user.username, "role", { role: role.value },
    _("{username} is now {role}; their earlier sign-ins have ended.", { username: user.username, role: role.value })));
  toggle.addEventListener("click", () => act(user.username, user.disabled ? "enable" : "disable", {},
    user.disabled ? _("{username} is enabled.", { username: user.username })
      : _("{username} is disabled; their sign-ins have ended.", { username: user.username })));
  password.addEventListener("click", () => openPassword(user.username));
  return tr;
}

async function load() {
  const { users } = await call("/api/users");
  table.replaceChildren(...users.map(row));
}

async function act(username, action, body, done) {
  try {
    await call(`/api/users/${encodeURIComponent(username)}/${action}`, body);
    await load();
    say(done);
  } catch (error) {
    say(_("Not done: {reason}", { reason: error.message }), true);
  }
}

function openPassword(username) {
  resetting = username;
  document.getElementById("password-user").textContent = username;
  passwordInput.value = "";
  dialog.showModal();
  passwordInput.focus();
}

passwordForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!passwordInput.reportValidity()) return;
  const username = resetting;
  dialog.close();
  await act(username, "password", { password: passwordInput.value },
    _("{username} has a new password; their earlier sign-ins have ended.", { username }));
  if (username === me) location.href = "/login";
});
document.getElementById("password-cancel").addEventListener("click", () => dialog.close());

document.getElementById("create-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const body = Object.fromEntries(new FormData(form));
  try {
    const user = await call("/api/users", body);
    form.reset();
    await load();
    say(_("Created {role} account {username}.", { role: user.role, username: user.username }));
  } catch (error) {
    say(_("Not created: {reason}", { reason: error.message }), true);
  }
});

// A random password from the browser's CSPRNG, shown so that it can be handed over.
const ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
for (const button of document.querySelectorAll("[data-generate]")) {
  button.addEventListener("click", () => {
    const bytes = crypto.getRandomValues(new Uint8Array(18));
    const words = [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join("");
    document.getElementById(button.dataset.generate).value = words.match(/.{1,6}/g).join("-");
  });
}

load().catch((error) => say(_("Could not load the accounts: {reason}", { reason: error.message }), true));
