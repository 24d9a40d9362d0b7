// Minimal chat over /ws/chat (protocol in docs/contracts.md): triage frame, streamed tokens, done.
// After a drop it reconnects and resumes the same conversation (session id and resume token, kept in memory
// only); the emergency banner shows the number from the server's session frame, the one the answers use.
import { LEVEL_LABELS, _, pageLocale } from "./shared.js";

const log = document.getElementById("log");
const form = document.getElementById("composer");
const input = document.getElementById("text");
const statusLine = document.getElementById("status");
const banner = document.getElementById("banner");

const TOO_LONG = _("That message is too long. Please shorten it and send it again.");
const FRIENDLY_ERRORS = {
  text_too_long: TOO_LONG,
  message_too_large: TOO_LONG,
  empty_text: _("Please type a message first."),
  rate_limited: _("You are sending messages very quickly. Please wait a moment, then send it again."),
};

let socket;
let session = {};
let emergencyNumber = document.body.dataset.emergencyNumber || "911";
let failures = 0;
const answers = new Map();

function addEntry(role, text) {
  const item = document.createElement("li");
  item.className = `entry ${role}`;
  const body = document.createElement("div");
  body.className = "body";
  body.textContent = text;
  item.append(body);
  log.append(item);
  item.scrollIntoView({ block: "end" });
  return item;
}

function showEmergency() {
  const call = document.createElement("a");
  call.href = `tel:${emergencyNumber.replace(/[^0-9+]/g, "")}`;
  call.textContent = emergencyNumber;
  const [before, after] = _("This may be an emergency. Call {number} now, or go to the nearest emergency department.").split("{number}");
  banner.replaceChildren(before, call, after ?? "");
  banner.hidden = false;
}

function onFrame(frame) {
  switch (frame.type) {
    case "session":
      session = { sessionId: frame.session_id, token: frame.token };
      if (frame.emergency_number) emergencyNumber = frame.emergency_numbers?.[pageLocale] || frame.emergency_number;
      if (!banner.hidden) showEmergency();
      failures = 0;
      statusLine.textContent = frame.resumed ? _("Connected (conversation resumed)") : _("Connected");
      break;
    case "triage": {
      const item = addEntry("assistant", "");
      const badge = document.createElement("p");
      badge.className = `disposition urgency-${frame.urgency}`;
      badge.dataset.level = frame.level;
      badge.textContent = LEVEL_LABELS[frame.level] || frame.level;
      item.prepend(badge);
      answers.set(frame.message_id, item.querySelector(".body"));
      if (frame.urgency === "em") showEmergency();
      break;
    }
    case "token": {
      const body = answers.get(frame.message_id);
      if (body) body.textContent += frame.text;
      break;
    }
    case "done":
      statusLine.textContent = _("Answered");
      break;
    case "error":
      if (frame.code === "resume_rejected" || frame.closing) break;
      addEntry("error", FRIENDLY_ERRORS[frame.code] || _("Sorry, something went wrong. Please try again."));
      statusLine.textContent = _("Not answered");
      break;
  }
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const url = new URL(`${scheme}://${location.host}/ws/chat`);
  if (session.sessionId && session.token) {
    url.searchParams.set("session_id", session.sessionId);
    url.searchParams.set("resume", session.token);
  }
  if (pageLocale !== "en") url.searchParams.set("lang", pageLocale); // answers in the page's language
  socket = new WebSocket(url);
  socket.addEventListener("message", (event) => onFrame(JSON.parse(event.data)));
  socket.addEventListener("close", () => {
    failures += 1;
    statusLine.textContent = failures > 3
      ? _("Unavailable right now, still trying. In an emergency call {number}.", { number: emergencyNumber })
      : _("Disconnected, reconnecting…");
    setTimeout(connect, Math.min(8000, 500 * 2 ** failures));
  });
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  if (!socket || socket.readyState !== WebSocket.OPEN) {
    statusLine.textContent = _("Not sent: not connected. In an emergency call {number}.", { number: emergencyNumber });
    return;
  }
  addEntry("user", text);
  socket.send(JSON.stringify({ type: "message", text }));
  input.value = "";
  statusLine.textContent = _("Thinking…");
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    form.requestSubmit();
  }
});

connect();
