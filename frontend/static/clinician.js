// Clinician queue: live sessions over /ws/clinician (events from app/hub.py), one open case at a time.
// The queue in three groups (live, offline, resolved); alerts for a new emergency (screen reader, sound, desktop
// notification, the count in the title); the case's lifecycle (assign, resolve, reopen) beside the takeover.
import { LEVEL_LABELS, URGENCY_RANK, LEVEL_RANK, _, csrfToken, displayLocale, el, signInAgain, waitedFor } from "./shared.js";

const queue = document.getElementById("queue");
const queueEmpty = document.getElementById("queue-empty");
const queueCount = document.getElementById("queue-count");
const queueOffline = document.getElementById("queue-offline");
const queueResolved = document.getElementById("queue-resolved");
const offlineGroup = document.getElementById("offline-group");
const resolvedGroup = document.getElementById("resolved-group");
const offlineCount = document.getElementById("offline-count");
const resolvedCount = document.getElementById("resolved-count");
const linkStatus = document.getElementById("link-status");
const consoleAlert = document.getElementById("console-alert");
const announcer = document.getElementById("announcer");
const soundToggle = document.getElementById("sound-toggle");
const notifyButton = document.getElementById("notify-permission");
const lifecycleLine = document.getElementById("lifecycle");
const transcriptLog = document.getElementById("transcript-log");
const consultScroll = document.getElementById("consult-scroll");
const assignButton = document.getElementById("assign");
const unassignButton = document.getElementById("unassign");
const resolveButton = document.getElementById("resolve");
const reopenButton = document.getElementById("reopen");
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
let firstSnapshot = true;
const entries = new Map(); // `${kind}:${message_id}` -> <li> in the open transcript
const consultAnswers = new Map();
const consultLogs = new Map(); // session id -> the <li>s of its consultation, shown only with that case
// This clinician's own replies as typed, by message id: shown back to them as written (the hub, the other
// screens and the trail keep the redacted copy). In memory only, never stored.
const ownReplies = new Map();
const baseTitle = document.title;
const SOUND_SETTING = "triage-console:sound";

const shortId = (id) => id.slice(0, 8);
const clock = (iso) => (iso ? new Date(iso).toLocaleTimeString(displayLocale, { hour: "2-digit", minute: "2-digit" }) : "");
const inWords = (id) => id.split(".").pop().replaceAll("_", " ");

function sortKey(s) {
  const urgency = URGENCY_RANK[s.urgency] ?? 3;
  return [urgency, s.needs_clinician && urgency > 0 ? 0 : 1, LEVEL_RANK[s.level] ?? 5, s.waiting_since || "~", s.started_at];
}

// Live patients wait in the queue; those who left wait apart (never above a live emergency); resolved last.
function group(s) {
  if (s.state === "resolved") return "resolved";
  return s.connected === false ? "offline" : "live";
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
  if (s.status === "taken_over") return s.clinician === me ? _("You are in charge") : _("With {clinician}", { clinician: s.clinician });
  if (s.status === "disconnected") return _("Patient offline");
  return _("With the assistant");
}

const someone = (name) => name || _("someone");
const youOr = (name) => (name === me ? _("you") : name);

function ownerText(s) {
  if (s.state === "resolved") return _("Resolved by {name}", { name: someone(s.resolved_by) });
  if (s.assigned_to) return _("Assigned to {name}", { name: youOr(s.assigned_to) });
  return "";
}

// The button's name is its visible text (no aria-label that could say something else).
function queueItem(s) {
  const owner = ownerText(s);
  const button = el("button", { type: "button", class: "session", "data-session": s.session_id },
    el("span", { class: `badge urgency-${s.urgency || "none"}`, text: s.urgency ? s.urgency.toUpperCase() : _("NEW") }),
    el("span", { class: "session-main" },
      el("span", { class: "session-level", text: LEVEL_LABELS[s.level] || _("Not yet assessed") }),
      el("span", { class: "session-text", text: s.last_text || "…" })),
    el("span", { class: "session-meta" },
      el("span", { text: s.waiting_since ? _("waiting {time}", { time: waitedFor(s.waiting_since) }) : "" }),
      el("span", { class: `state state-${s.status}`, text: statusText(s) })),
    owner ? el("span", { class: "session-owner", text: owner }) : "");
  if (s.session_id === openId) button.setAttribute("aria-current", "true");
  button.addEventListener("click", () => openSession(s.session_id));
  return el("li", {}, button);
}

function renderQueue() {
  const focused = document.activeElement?.closest?.(".session")?.dataset.session;
  const groups = { live: [], offline: [], resolved: [] };
  [...sessions.values()].sort(compare).forEach((s) => groups[group(s)].push(s));
  groups.resolved.sort((a, b) => (b.resolved_at || "").localeCompare(a.resolved_at || ""));
  queue.replaceChildren(...groups.live.map(queueItem));
  queueOffline.replaceChildren(...groups.offline.map(queueItem));
  queueResolved.replaceChildren(...groups.resolved.map(queueItem));
  if (focused) document.querySelector(`.session[data-session="${focused}"]`)?.focus();
  queueEmpty.hidden = groups.live.length > 0;
  queueCount.textContent = String(groups.live.length);
  offlineCount.textContent = String(groups.offline.length);
  resolvedCount.textContent = String(groups.resolved.length);
  offlineGroup.hidden = !groups.offline.length;
  resolvedGroup.hidden = !groups.resolved.length;
  const unattended = groups.live.filter((s) => s.urgency === "em" && s.state === "open").length;
  document.title = unattended ? `(${unattended}) ${baseTitle}` : baseTitle;
}

// Alerts for a new emergency: when a session's urgency becomes `em` (it exists before its urgency arrives).
function becameEmergency(before, after) {
  return after.urgency === "em" && before?.urgency !== "em" && after.connected !== false && after.state !== "resolved";
}

function alertEmergency(s) {
  const flags = (s.red_flag_labels || []).slice(0, 3).map((f) => f.name).join(", ");
  const level = LEVEL_LABELS[s.level] || _("emergency");
  const text = flags ? _("New emergency in the queue: {level} ({flags}).", { level, flags }) : _("New emergency in the queue: {level}.", { level });
  announcer.append(el("p", { text })); // an added node is announced even when the words repeat
  while (announcer.childElementCount > 3) announcer.firstElementChild.remove();
  playAlertSound();
  notifyDesktop(s, text);
}

let audio = null;
function playAlertSound() {
  if (!soundToggle.checked) return;
  try {
    audio = audio || new AudioContext();
    const start = audio.currentTime;
    [880, 660].forEach((frequency, i) => {
      const tone = audio.createOscillator();
      const volume = audio.createGain();
      tone.frequency.value = frequency;
      volume.gain.value = 0.2;
      tone.connect(volume).connect(audio.destination);
      tone.start(start + i * 0.25);
      tone.stop(start + i * 0.25 + 0.18);
    });
  } catch {
    // no audio output on this machine: the other alerts still fire
  }
}

// Browsers start sound only after the page has been touched once: open the audio then.
for (const type of ["pointerdown", "keydown"]) {
  document.addEventListener(type, () => {
    if (!soundToggle.checked) return;
    try { audio = audio || new AudioContext(); audio.resume(); } catch { /* no audio output */ }
  }, { passive: true });
}

function notifyDesktop(s, text) {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  try {
    // The level and red flags only: a notification can show on a locked screen, so never the patient's words.
    const notice = new Notification(_("Triage: new emergency"), { body: text, tag: `triage-${s.session_id}` });
    notice.addEventListener("click", () => { window.focus(); openSession(s.session_id); notice.close(); });
  } catch {
    // notifications unavailable here (some browsers allow them only from a service worker)
  }
}

function showNotifyButton() {
  notifyButton.hidden = !("Notification" in window) || Notification.permission !== "default";
}

function showError(message) {
  consoleAlert.textContent = message;
  consoleAlert.hidden = false;
}

function clearError() {
  consoleAlert.hidden = true;
  consoleAlert.textContent = "";
}

function lifecycleText(s) {
  if (s.state === "resolved") return _("Resolved by {name} at {time}.", { name: someone(s.resolved_by), time: clock(s.resolved_at) });
  if (s.assigned_to) {
    const values = { name: youOr(s.assigned_to), by: s.assigned_by, time: clock(s.assigned_at) };
    return s.assigned_by && s.assigned_by !== s.assigned_to
      ? _("Assigned to {name} by {by} at {time}.", values)
      : _("Assigned to {name} at {time}.", values);
  }
  return _("Open: nobody is assigned yet.");
}

const conditionSource = (c) => (c.via === "named" ? _("named in the text") : _("from the findings"));

function renderAssessment(s) {
  const names = new Map((s.red_flag_labels || []).map((f) => [f.id, f.name]));
  const flags = (s.red_flags || []).map((id) => el("li", { class: "flag", "data-flag": id, text: names.get(id) || inWords(id) }));
  const findings = (s.findings || []).map((f) => el("li", { text: f.name }));
  assessment.replaceChildren(
    el("p", { class: `disposition urgency-${s.urgency || "none"}`, text: LEVEL_LABELS[s.level] || _("Not yet assessed") }),
    flags.length ? el("div", {}, el("h3", { text: _("Red flags") }), el("ul", { class: "flags" }, ...flags)) : "",
    s.rationale ? el("p", { class: "rationale" }, el("strong", { text: _("Rationale: ") }), s.rationale) : "",
    s.needs_clinician ? el("p", { class: "needs-clinician", text: _("The clinical engine could not read this conversation: please read it and decide.") }) : "",
    (s.conditions || []).length ? el("div", {},
      el("h3", { text: _("Conditions considered") }),
      el("ul", { class: "conditions" }, ...s.conditions.map((c) =>
        el("li", {},
          _("{condition} ({level}; {via})", { condition: c.name, level: LEVEL_LABELS[c.level] || c.level, via: conditionSource(c) }),
          (c.findings || []).length ? el("span", { class: "behind", text: `: ${c.findings.join(", ")}` }) : "")))) : "",
    findings.length ? el("div", {}, el("h3", { text: _("Findings") }), el("ul", { class: "findings" }, ...findings)) : "",
  );
  caseTitle.textContent = _("Conversation {id} · {status}", { id: shortId(s.session_id), status: statusText(s) });
  lifecycleLine.textContent = lifecycleText(s);
  const mine = s.clinician === me;
  const resolved = s.state === "resolved";
  takeoverButton.hidden = Boolean(s.clinician) || resolved;
  releaseButton.hidden = !mine;
  replyForm.hidden = !mine;
  assignButton.hidden = resolved || s.assigned_to === me;
  unassignButton.hidden = resolved || !s.assigned_to;
  resolveButton.hidden = resolved || Boolean(s.clinician && !mine);
  reopenButton.hidden = !resolved;
}

// Keep a scrolled log at its end when it was there: new words arrive in view, unless one scrolled up to read.
function follow(scroller, change) {
  const atEnd = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
  const result = change();
  if (atEnd) scroller.scrollTop = scroller.scrollHeight;
  return result;
}

function transcriptEntry(item) {
  const key = `${item.kind}:${item.message_id}`;
  let li = entries.get(key);
  if (!li) {
    const clinician = item.clinician ? _("Clinician ({name})", { name: item.clinician }) : _("Clinician");
    const who = { patient: _("Patient"), assistant: _("Assistant"), clinician }[item.kind];
    li = el("li", { class: `turn turn-${item.kind}` }, el("p", { class: "who", text: who }), el("div", { class: "text" }));
    if (item.kind === "assistant") li.setAttribute("aria-busy", "true"); // until its `done`
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
  if (item.text !== undefined) {
    const own = item.kind === "clinician" ? ownReplies.get(item.message_id) : undefined;
    li.querySelector(".text").textContent = own ?? item.text;
  }
  if (item.done) markDone(li);
  return li;
}

function markDone(li) {
  li.setAttribute("aria-busy", "false");
  const text = li.querySelector(".text");
  if (li.classList.contains("turn-assistant") && !text.textContent) {
    text.textContent = _("No automatic answer: a clinician is in charge.");
    text.classList.add("muted");
  }
}

async function api(path, options = {}) {
  const headers = { "content-type": "application/json", "x-csrf-token": csrfToken() };
  const response = await fetch(path, { credentials: "same-origin", headers, ...options });
  const body = await response.json().catch(() => ({}));
  if (response.status === 401) {
    signInAgain(_("Your sign-in has ended, so that action was not done. Sign in again to continue."));
    throw new Error("signed out");
  }
  // a refusal's `message` is in the page's language (a 503's); `detail` is English, for programs
  const said = [body.message, body.detail].find((text) => typeof text === "string");
  if (!response.ok) throw new Error(said || response.statusText);
  return body;
}

function consultItems(id) {
  if (!consultLogs.has(id)) consultLogs.set(id, []);
  return consultLogs.get(id);
}

function addConsult(sessionId, li) {
  consultItems(sessionId).push(li);
  if (sessionId === openId) follow(consultScroll, () => consultLog.append(li));
}

async function openSession(id) {
  openId = id;
  entries.clear();
  transcript.replaceChildren();
  consultLog.replaceChildren(...consultItems(id)); // this case's consultation only
  original.hidden = true;
  casePane.hidden = false;
  placeholder.hidden = true;
  renderQueue();
  let loaded;
  try {
    loaded = await api(`/api/clinician/sessions/${id}`);
  } catch (error) {
    showError(_("Could not open the conversation: {reason}", { reason: error.message }));
    return;
  }
  if (openId !== id) return; // another case was opened meanwhile
  sessions.set(id, loaded.session);
  renderAssessment(loaded.session);
  loaded.transcript.forEach(transcriptEntry);
  transcriptLog.scrollTop = transcriptLog.scrollHeight;
  consultScroll.scrollTop = consultScroll.scrollHeight;
  caseTitle.focus();
}

function onEvent(event) {
  switch (event.type) {
    case "snapshot": {
      const before = new Map(sessions);
      sessions.clear();
      event.sessions.forEach((s) => sessions.set(s.session_id, s));
      renderQueue();
      // After a reconnect, what became an emergency meanwhile alerts too; the first load only counts them.
      if (!firstSnapshot) event.sessions.filter((s) => becameEmergency(before.get(s.session_id), s)).forEach(alertEmergency);
      firstSnapshot = false;
      if (openId && sessions.has(openId)) renderAssessment(sessions.get(openId));
      return;
    }
    case "session": {
      const before = sessions.get(event.session_id);
      sessions.set(event.session_id, event.session);
      renderQueue();
      if (becameEmergency(before, event.session)) alertEmergency(event.session);
      if (event.session_id === openId) renderAssessment(event.session);
      return;
    }
    case "error":
      if (event.code === "unauthorized") { // revoked or ended: sign in again, do not reconnect
        signedOut = true;
        signInAgain(event.detail);
      } else {
        showError(event.detail);
      }
      return;
  }
  if (event.channel === "consult") return onConsult(event);
  if (event.session_id !== openId) return;
  follow(transcriptLog, () => showEvent(event));
}

function showEvent(event) {
  switch (event.type) {
    case "patient_message": transcriptEntry({ kind: "patient", message_id: event.message_id, text: event.text }); break;
    case "triage": transcriptEntry({ kind: "assistant", message_id: event.message_id, triage: event }); break;
    case "token": {
      const li = transcriptEntry({ kind: "assistant", message_id: event.message_id });
      li.querySelector(".text").textContent += event.text;
      break;
    }
    case "done": // over Redis it carries the whole answer (tokens are not replayed)
      transcriptEntry({ kind: "assistant", message_id: event.message_id, text: typeof event.text === "string" ? event.text : undefined, done: true });
      break;
    case "clinician_message":
      transcriptEntry({ kind: "clinician", message_id: event.message_id, text: event.text, clinician: event.clinician });
      break;
  }
}

function onConsult(frame) {
  if (frame.type === "triage") {
    const li = el("li", { class: "turn turn-assistant", "aria-busy": "true" }, el("p", { class: "who", text: _("Assistant") }), el("div", { class: "text" }));
    consultAnswers.set(frame.message_id, li);
    addConsult(frame.session_id, li);
  } else if (frame.type === "token") {
    const text = consultAnswers.get(frame.message_id)?.querySelector(".text");
    if (text) follow(consultScroll, () => text.append(frame.text));
  } else if (frame.type === "done") {
    consultAnswers.get(frame.message_id)?.setAttribute("aria-busy", "false");
    consultAnswers.delete(frame.message_id);
  }
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/ws/clinician`);
  socket.addEventListener("open", () => {
    retry = 0;
    linkStatus.textContent = _("Live");
    linkStatus.className = "link-status live";
    document.body.dataset.watching = "true"; // watching for emergencies: the sign-in is renewed (shared.js)
  });
  socket.addEventListener("message", (message) => onEvent(JSON.parse(message.data)));
  socket.addEventListener("close", (closed) => {
    document.body.dataset.watching = "false";
    linkStatus.className = "link-status";
    if (closed.code === 1008) { // refused: the sign-in has ended (an expired token is never "Live")
      signedOut = true;
      signInAgain();
    }
    if (signedOut) {
      linkStatus.textContent = _("Signed out");
      return;
    }
    linkStatus.textContent = _("Reconnecting…");
    setTimeout(connect, Math.min(8000, 500 * 2 ** retry++));
  });
}

document.addEventListener("staff:signed-out", () => {
  signedOut = true;
  linkStatus.textContent = _("Signed out");
  linkStatus.className = "link-status";
  document.body.dataset.watching = "false";
  socket?.close();
});

async function act(path, button) {
  button.disabled = true;
  try {
    const { session } = await api(path, { method: "POST" });
    clearError();
    sessions.set(session.session_id, session);
    renderQueue();
    renderAssessment(session);
    if (!replyForm.hidden) replyText.focus();
  } catch (error) {
    if (!signedOut) showError(error.message);
  } finally {
    button.disabled = false;
  }
}

const action = (name, button) => button.addEventListener("click", () => act(`/api/clinician/sessions/${openId}/${name}`, button));
action("takeover", takeoverButton);
action("release", releaseButton);
action("assign", assignButton);
action("unassign", unassignButton);
action("resolve", resolveButton);
action("reopen", reopenButton);

soundToggle.checked = localStorage.getItem(SOUND_SETTING) !== "off";
soundToggle.addEventListener("change", () => localStorage.setItem(SOUND_SETTING, soundToggle.checked ? "on" : "off"));
notifyButton.addEventListener("click", async () => {
  await Notification.requestPermission();
  showNotifyButton();
});
showNotifyButton();

revealButton.addEventListener("click", async () => {
  try {
    const { turns } = await api(`/api/clinician/sessions/${openId}/reidentify`, { method: "POST" });
    originalList.replaceChildren(...turns.filter((t) => t.role === "user").map((t) => el("li", { text: t.text })));
    original.hidden = false;
  } catch (error) {
    if (signedOut) return;
    originalList.replaceChildren(el("li", { class: "error", text: _("Not available: {reason}", { reason: error.message }) }));
    original.hidden = false;
  }
});

replyForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = replyText.value.trim();
  if (!text) return;
  try {
    const { message_id: messageId } = await api(`/api/clinician/sessions/${openId}/reply`, { method: "POST", body: JSON.stringify({ text }) });
    ownReplies.set(messageId, text);
    const shown = entries.get(`clinician:${messageId}`); // its redacted copy may have come over the socket first
    if (shown) shown.querySelector(".text").textContent = text;
    transcriptLog.scrollTop = transcriptLog.scrollHeight;
    replyText.value = "";
    clearError();
  } catch (error) {
    if (!signedOut) showError(error.message);
  }
});

consultForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = consultText.value.trim();
  if (!text || !openId || socket.readyState !== WebSocket.OPEN) return;
  addConsult(openId, el("li", { class: "turn turn-clinician" }, el("p", { class: "who", text: _("You") }), el("div", { class: "text", text })));
  socket.send(JSON.stringify({ type: "consult", session_id: openId, text }));
  consultText.value = "";
});

me = document.body.dataset.subject || null;
caseTitle.tabIndex = -1;
setInterval(renderQueue, 30000);
connect();
