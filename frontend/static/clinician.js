// Clinician queue: live sessions over /ws/clinician (events from app/hub.py), one open case at a time.
import { LEVEL_LABELS, URGENCY_RANK, LEVEL_RANK, csrfToken, el, waitedFor } from "./shared.js";

const queue = document.getElementById("queue");
const queueEmpty = document.getElementById("queue-empty");
const queueCount = document.getElementById("queue-count");
const linkStatus = document.getElementById("link-status");
const announcer = document.getElementById("announcer");
const casePane = document.getElementById("case");
const placeholder = document.getElementById("case-placeholder");
const caseTitle = document.getElementById("case-title");
const assessment = document.getElementById("assessment");
const transcript = document.getElementById("transcript");
const takeoverButton = document.getElementById("takeover");
const releaseButton = document.getElementById("release");
const revealButton = document.getElementById("reveal");
const original = document.getElementById("original");
const originalList = document.getElementById("original-list");
const replyForm = document.getElementById("reply");
const replyText = document.getElementById("reply-text");
const consultForm = document.getElementById("consult");
const consultText = document.getElementById("consult-text");
const consultLog = document.getElementById("consult-log");

const sessions = new Map();
let me = null;
let openId = null;
let socket = null;
let retry = 0;
let signedOut = false;
const entries = new Map(); // `${kind}:${message_id}` -> <li> in the open transcript
const consultAnswers = new Map();

const shortId = (id) => id.slice(0, 8);

function sortKey(s) {
  return [URGENCY_RANK[s.urgency] ?? 3, LEVEL_RANK[s.level] ?? 5, s.waiting_since || "~", s.started_at];
}

function compare(a, b) {
  const ka = sortKey(a), kb = sortKey(b);
  for (let i = 0; i < ka.length; i += 1) {
    if (ka[i] < kb[i]) return -1;
    if (ka[i] > kb[i]) return 1;
  }
  return 0;
}

function statusText(s) {
  if (s.status === "taken_over") return s.clinician === me ? "You are in charge" : `With ${s.clinician}`;
  if (s.status === "disconnected") return "Patient offline";
  return "With the assistant";
}

function renderQueue() {
  const focused = queue.contains(document.activeElement) ? document.activeElement.dataset.session : null;
  const items = [...sessions.values()].sort(compare);
  queue.replaceChildren(...items.map((s) => {
    const button = el("button", { type: "button", class: "session", "data-session": s.session_id },
      el("span", { class: `badge urgency-${s.urgency || "none"}`, text: (s.urgency || "new").toUpperCase() }),
      el("span", { class: "session-main" },
        el("span", { class: "session-level", text: LEVEL_LABELS[s.level] || "Not yet assessed" }),
        el("span", { class: "session-text", text: s.last_text || "…" })),
      el("span", { class: "session-meta" },
        el("span", { text: s.waiting_since ? `waiting ${waitedFor(s.waiting_since)}` : "" }),
        el("span", { class: `state state-${s.status}`, text: statusText(s) })));
    button.setAttribute("aria-label",
      `${LEVEL_LABELS[s.level] || "Not yet assessed"}, ${statusText(s)}, session ${shortId(s.session_id)}` +
      (s.waiting_since ? `, waiting ${waitedFor(s.waiting_since)}` : ""));
    if (s.session_id === openId) button.setAttribute("aria-current", "true");
    button.addEventListener("click", () => openSession(s.session_id));
    return el("li", {}, button);
  }));
  if (focused) queue.querySelector(`[data-session="${focused}"]`)?.focus();
  queueEmpty.hidden = items.length > 0;
  queueCount.textContent = String(items.length);
}

function renderAssessment(s) {
  const flags = (s.red_flags || []).map((f) => el("li", { class: "flag", text: f.replaceAll("_", " ") }));
  assessment.replaceChildren(
    el("p", { class: `disposition urgency-${s.urgency || "none"}`, text: LEVEL_LABELS[s.level] || "Not yet assessed" }),
    flags.length ? el("div", {}, el("h3", { text: "Red flags" }), el("ul", { class: "flags" }, ...flags)) : "",
    s.rationale ? el("p", { class: "rationale" }, el("strong", { text: "Rationale: " }), s.rationale) : "",
    s.needs_clinician ? el("p", { class: "needs-clinician", text: "The clinical engine could not read this conversation: please read it and decide." }) : "",
    (s.conditions || []).length ? el("div", {},
      el("h3", { text: "Conditions considered" }),
      el("ul", { class: "conditions" }, ...s.conditions.map((c) =>
        el("li", { text: `${c.name} (${LEVEL_LABELS[c.level] || c.level}; ${c.via === "named" ? "named in the text" : "from the findings"})` })))) : "",
  );
  caseTitle.textContent = `Conversation ${shortId(s.session_id)} · ${statusText(s)}`;
  const mine = s.clinician === me;
  takeoverButton.hidden = Boolean(s.clinician);
  releaseButton.hidden = !mine;
  replyForm.hidden = !mine;
}

function transcriptEntry(item) {
  const key = `${item.kind}:${item.message_id}`;
  let li = entries.get(key);
  if (!li) {
    const who = { patient: "Patient", assistant: "Assistant", clinician: `Clinician${item.clinician ? ` (${item.clinician})` : ""}` }[item.kind];
    li = el("li", { class: `turn turn-${item.kind}` }, el("p", { class: "who", text: who }), el("div", { class: "text" }));
    entries.set(key, li);
    const answer = entries.get(`assistant:${item.message_id}`);
    if (item.kind === "patient" && answer) answer.before(li);
    else transcript.append(li);
  }
  if (item.triage && !li.querySelector(".disposition")) {
    li.querySelector(".who").after(el("p", {
      class: `disposition urgency-${item.triage.urgency}`, text: LEVEL_LABELS[item.triage.level] || item.triage.level,
    }));
  }
  if (item.text !== undefined) li.querySelector(".text").textContent = item.text;
  if (item.done) markDone(li);
  return li;
}

function markDone(li) {
  const text = li.querySelector(".text");
  if (li.classList.contains("turn-assistant") && !text.textContent) {
    text.textContent = "No automatic answer: a clinician is in charge.";
    text.classList.add("muted");
  }
}

async function api(path, options = {}) {
  const headers = { "content-type": "application/json", "x-csrf-token": csrfToken() };
  const response = await fetch(path, { credentials: "same-origin", headers, ...options });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.detail || response.statusText);
  return body;
}

async function openSession(id) {
  openId = id;
  entries.clear();
  transcript.replaceChildren();
  original.hidden = true;
  casePane.hidden = false;
  placeholder.hidden = true;
  renderQueue();
  const { session, transcript: items } = await api(`/api/clinician/sessions/${id}`);
  sessions.set(id, session);
  renderAssessment(session);
  items.forEach(transcriptEntry);
  caseTitle.focus();
}

function onEvent(event) {
  switch (event.type) {
    case "snapshot":
      sessions.clear();
      event.sessions.forEach((s) => sessions.set(s.session_id, s));
      renderQueue();
      if (openId && sessions.has(openId)) renderAssessment(sessions.get(openId));
      return;
    case "session": {
      const isNew = !sessions.has(event.session_id);
      sessions.set(event.session_id, event.session);
      renderQueue();
      if (event.session.urgency === "em" && isNew) announcer.textContent = "New emergency conversation in the queue.";
      if (event.session_id === openId) renderAssessment(event.session);
      return;
    }
    case "error":
      linkStatus.textContent = event.detail;
      if (event.code === "unauthorized") signedOut = true; // revoked or ended: sign in again, do not reconnect
      return;
  }
  if (event.channel === "consult") return onConsult(event);
  if (event.session_id !== openId) return;
  switch (event.type) {
    case "patient_message": transcriptEntry({ kind: "patient", message_id: event.message_id, text: event.text }); break;
    case "triage": transcriptEntry({ kind: "assistant", message_id: event.message_id, triage: event }); break;
    case "token": {
      const li = transcriptEntry({ kind: "assistant", message_id: event.message_id });
      li.querySelector(".text").textContent += event.text;
      break;
    }
    case "done":
      markDone(transcriptEntry({ kind: "assistant", message_id: event.message_id }));
      break;
    case "clinician_message":
      transcriptEntry({ kind: "clinician", message_id: event.message_id, text: event.text, clinician: event.clinician });
      break;
  }
}

function onConsult(frame) {
  if (frame.type === "triage") {
    const li = el("li", { class: "turn turn-assistant", "aria-busy": "true" }, el("p", { class: "who", text: "Assistant" }), el("div", { class: "text" }));
    consultLog.append(li);
    consultAnswers.set(frame.message_id, li);
  } else if (frame.type === "token") {
    consultAnswers.get(frame.message_id)?.querySelector(".text").append(frame.text);
  } else if (frame.type === "done") {
    consultAnswers.get(frame.message_id)?.setAttribute("aria-busy", "false");
  }
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/ws/clinician`);
  socket.addEventListener("open", () => { retry = 0; linkStatus.textContent = "Live"; linkStatus.className = "link-status live"; });
  socket.addEventListener("message", (message) => onEvent(JSON.parse(message.data)));
  socket.addEventListener("close", () => {
    if (signedOut) {
      location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
      return;
    }
    linkStatus.textContent = "Reconnecting…";
    linkStatus.className = "link-status";
    setTimeout(connect, Math.min(8000, 500 * 2 ** retry++));
  });
}

async function act(path, button) {
  button.disabled = true;
  try {
    const { session } = await api(path, { method: "POST" });
    sessions.set(session.session_id, session);
    renderQueue();
    renderAssessment(session);
    if (!replyForm.hidden) replyText.focus();
  } catch (error) {
    linkStatus.textContent = error.message;
  } finally {
    button.disabled = false;
  }
}

takeoverButton.addEventListener("click", () => act(`/api/clinician/sessions/${openId}/takeover`, takeoverButton));
releaseButton.addEventListener("click", () => act(`/api/clinician/sessions/${openId}/release`, releaseButton));

revealButton.addEventListener("click", async () => {
  try {
    const { turns } = await api(`/api/clinician/sessions/${openId}/reidentify`, { method: "POST" });
    originalList.replaceChildren(...turns.filter((t) => t.role === "user").map((t) => el("li", { text: t.text })));
    original.hidden = false;
  } catch (error) {
    originalList.replaceChildren(el("li", { class: "error", text: `Not available: ${error.message}` }));
    original.hidden = false;
  }
});

replyForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = replyText.value.trim();
  if (!text) return;
  try {
    await api(`/api/clinician/sessions/${openId}/reply`, { method: "POST", body: JSON.stringify({ text }) });
    replyText.value = "";
  } catch (error) {
    linkStatus.textContent = error.message;
  }
});

consultForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = consultText.value.trim();
  if (!text || !openId || socket.readyState !== WebSocket.OPEN) return;
  consultLog.append(el("li", { class: "turn turn-clinician" }, el("p", { class: "who", text: "You" }), el("div", { class: "text", text })));
  socket.send(JSON.stringify({ type: "consult", session_id: openId, text }));
  consultText.value = "";
});

me = document.body.dataset.subject || null;
caseTitle.tabIndex = -1;
setInterval(renderQueue, 30000);
connect();
