/*
 * Embeddable patient widget: one <script src=".../static/widget.js" data-...> tag on a clinic's site.
 * A floating button opens a chat panel speaking the /ws/chat protocol (docs/contracts.md); options are the
 * script tag's data- attributes, documented in frontend/README.md. No dependencies, no build step.
 */
(function () {
  "use strict";

  const script = document.currentScript;
  if (!script) return;
  const data = script.dataset;
  const server = (data.server || new URL(script.src, location.href).origin).replace(/\/$/, "");
  const options = {
    title: data.title || "Health assistant",
    primary: data.primaryColor || "#0b5cad",
    emergencyNumber: data.emergencyNumber || "911",
    position: data.position === "left" ? "left" : "right",
    greeting: data.greeting || "Hello. Tell me what is bothering you and I will suggest what to do next.",
    disclaimer: data.disclaimer ||
      "This assistant gives general guidance, not a diagnosis. It does not replace a doctor.",
    open: data.open === "true",
    allowedOrigins: (data.allowedOrigins || "").split(",").map((s) => s.trim()).filter(Boolean),
  };
  if (options.allowedOrigins.length && !options.allowedOrigins.includes(location.origin)) {
    console.warn(`triage widget: ${location.origin} is not in data-allowed-origins; not shown`);
    return;
  }

  const LEVEL_LABELS = {
    emergency_ambulance: "Emergency: call an ambulance now",
    emergency: "Emergency: go to an emergency department now",
    consultation_24: "See a doctor within 24 hours",
    consultation: "Book a doctor's appointment",
    self_care: "You can look after this at home",
  };
  const STORE_KEY = `triage-widget:${server}`;
  const MAX_STORED = 60;

  // ---- colours: the configured primary colour, with whichever text colour reads best on it ----
  function luminance(hex) {
    const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
    if (!m) return null;
    const channels = [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16) / 255)
      .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }
  const primaryLum = luminance(options.primary);
  const onPrimary = primaryLum !== null && (primaryLum + 0.05) / 0.05 > 1.05 / (primaryLum + 0.05) ? "#111111" : "#ffffff";

  // ---- DOM, in an open shadow root so the host page's styles and ours stay apart ----
  const host = document.createElement("div");
  host.className = "triage-widget-host";
  host.style.display = "none";
  document.body.append(host);
  const root = host.attachShadow({ mode: "open" });
  const stylesheet = document.createElement("link");
  stylesheet.rel = "stylesheet";
  stylesheet.href = `${server}/static/widget.css`;
  stylesheet.addEventListener("load", () => { host.style.display = ""; });
  stylesheet.addEventListener("error", () => { host.style.display = ""; });
  root.append(stylesheet);

  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    node.append(...children);
    return node;
  };

  const wrapper = el("div", { class: `tw tw-${options.position}` });
  wrapper.style.setProperty("--tw-primary", options.primary);
  wrapper.style.setProperty("--tw-on-primary", onPrimary);

  const launcher = el("button", {
    class: "tw-launcher", type: "button", "aria-expanded": "false", "aria-controls": "tw-panel",
  }, el("span", { class: "tw-launcher-icon", "aria-hidden": "true", text: "\u{1F4AC}" }), el("span", { text: options.title }));

  const panel = el("section", { class: "tw-panel", id: "tw-panel", role: "dialog", "aria-labelledby": "tw-title", hidden: "" });
  const closeButton = el("button", { class: "tw-close", type: "button", "aria-label": "Close chat", text: "\u00D7" });
  const header = el("header", { class: "tw-header" }, el("h2", { id: "tw-title", text: options.title }), closeButton);
  const banner = el("div", { class: "tw-banner", role: "alert", hidden: "" });
  const disclaimer = el("p", { class: "tw-disclaimer", text: options.disclaimer });
  const log = el("ol", { class: "tw-log", role: "log", "aria-live": "polite", "aria-label": "Conversation", tabindex: "0" });
  const statusLine = el("p", { class: "tw-status", role: "status", text: "Connecting\u2026" });
  const input = el("textarea", {
    id: "tw-input", rows: "2", maxlength: "4000", placeholder: "Describe what is wrong\u2026", "aria-describedby": "tw-hint",
  });
  const hint = el("span", { id: "tw-hint", class: "tw-vh", text: "Press Enter to send, Shift and Enter for a new line." });
  const send = el("button", { class: "tw-send", type: "submit", text: "Send" });
  const form = el("form", { class: "tw-composer", autocomplete: "off" },
    el("label", { for: "tw-input", class: "tw-vh", text: "Your message" }), input, hint, send);
  panel.append(header, banner, disclaimer, log, statusLine, form);
  wrapper.append(panel, launcher);
  root.append(wrapper);

  // ---- conversation view ----
  const answers = new Map();
  let stored = [];
  try { stored = JSON.parse(sessionStorage.getItem(STORE_KEY) || "{}").entries || []; } catch { stored = []; }
  let session = {};
  try { session = JSON.parse(sessionStorage.getItem(STORE_KEY) || "{}"); } catch { session = {}; }

  function persist() {
    try {
      sessionStorage.setItem(STORE_KEY, JSON.stringify({
        sessionId: session.sessionId, token: session.token, entries: stored.slice(-MAX_STORED),
      }));
    } catch { /* private mode: the conversation just won't survive a reload */ }
  }

  function addEntry(role, text, extra = {}) {
    const item = el("li", { class: `tw-entry tw-${role}` });
    if (role === "clinician") item.append(el("p", { class: "tw-from", text: "Clinician" }));
    if (role === "assistant") item.append(el("span", { class: "tw-vh", text: "Assistant: " }));
    if (role === "user") item.append(el("span", { class: "tw-vh", text: "You: " }));
    if (extra.level) item.append(disposition(extra.level, extra.urgency));
    const body = el("div", { class: "tw-body", text });
    item.append(body);
    log.append(item);
    log.scrollTop = log.scrollHeight;
    if (extra.store !== false) {
      stored.push({ role, text, level: extra.level, urgency: extra.urgency });
      persist();
    }
    return { item, body, index: stored.length - 1 };
  }

  // Follow a streaming answer down, but never past its first line: a long answer is read from its start.
  function followAnswer(item) {
    const offset = item.getBoundingClientRect().top - log.getBoundingClientRect().top;
    log.scrollTop = Math.min(log.scrollHeight - log.clientHeight, log.scrollTop + offset - 8);
  }

  function disposition(level, urgency) {
    return el("p", { class: `tw-disposition tw-urgency-${urgency}`, "data-level": level, text: LEVEL_LABELS[level] || level });
  }

  function showEmergency() {
    banner.replaceChildren(
      el("strong", { text: "This may be an emergency." }), " Call ",
      el("a", { href: `tel:${options.emergencyNumber.replace(/[^0-9+]/g, "")}`, class: "tw-call", text: options.emergencyNumber }),
      " now, or go to the nearest emergency department. Do not wait for a reply here.",
    );
    banner.hidden = false;
    setOpen(true);
  }

  for (const entry of stored) {
    addEntry(entry.role, entry.text, { level: entry.level, urgency: entry.urgency, store: false });
    if (entry.urgency === "em") showEmergency();
  }
  if (!stored.length) addEntry("assistant", options.greeting, { store: false });

  // ---- socket: connect, resume after a drop, queue what was typed meanwhile ----
  let socket = null;
  let retry = 0;
  let inFlight = null;
  let clinicianInCharge = false;
  const outbox = [];

  function setStatus(text) { statusLine.textContent = text; }

  function onFrame(frame) {
    switch (frame.type) {
      case "session":
        session = { sessionId: frame.session_id, token: frame.token };
        persist();
        retry = 0;
        clinicianInCharge = Boolean(frame.clinician_in_charge);
        setStatus(clinicianInCharge ? "A clinician is with you" : "Connected");
        while (outbox.length && socket.readyState === WebSocket.OPEN) socket.send(outbox.shift());
        break;
      case "triage": {
        const { item, body, index } = addEntry("assistant", "", { level: frame.level, urgency: frame.urgency });
        item.setAttribute("aria-busy", "true");
        body.dataset.tokens = "0";
        answers.set(frame.message_id, { item, body, index });
        if (frame.urgency === "em") showEmergency();
        break;
      }
      case "token": {
        const answer = answers.get(frame.message_id);
        if (!answer) break;
        answer.body.textContent += frame.text;
        answer.body.dataset.tokens = String(Number(answer.body.dataset.tokens) + 1);
        stored[answer.index].text = answer.body.textContent;
        followAnswer(answer.item);
        break;
      }
      case "done": {
        const answer = answers.get(frame.message_id);
        if (answer) {
          answer.item.setAttribute("aria-busy", "false");
          if (!answer.body.textContent) {
            answer.body.textContent = "Thank you. A clinician has your message and will reply here.";
            stored[answer.index].text = answer.body.textContent;
          }
          persist();
        }
        inFlight = null;
        setStatus(clinicianInCharge ? "A clinician is with you" : "Answered");
        break;
      }
      case "clinician":
        addEntry("clinician", frame.text);
        setStatus("A clinician replied");
        break;
      case "handoff":
        clinicianInCharge = frame.to === "clinician";
        addEntry("notice", clinicianInCharge
          ? "A clinician has joined the conversation."
          : "The clinician has handed you back to the assistant.");
        setStatus(clinicianInCharge ? "A clinician is with you" : "Connected");
        break;
      case "error":
        if (frame.code === "resume_rejected") break;
        if (frame.closing) { setStatus("Reconnecting\u2026"); break; } // e.g. a server restart: the socket reconnects
        addEntry("error", `Sorry, something went wrong: ${frame.detail}`, { store: false });
        inFlight = null;
        break;
    }
  }

  function connect() {
    const url = new URL("/ws/chat", server.replace(/^http/, "ws"));
    if (session.sessionId && session.token) {
      url.searchParams.set("session_id", session.sessionId);
      url.searchParams.set("resume", session.token);
    }
    socket = new WebSocket(url);
    socket.addEventListener("message", (event) => onFrame(JSON.parse(event.data)));
    socket.addEventListener("close", () => {
      if (inFlight) {
        addEntry("notice", "The connection dropped before the answer finished. Please send your message again.", { store: false });
        inFlight = null;
      }
      const delay = Math.min(8000, 500 * 2 ** retry++);
      setStatus("Connection lost. Reconnecting\u2026");
      setTimeout(connect, delay);
    });
  }

  function submit() {
    const text = input.value.trim();
    if (!text) return;
    addEntry("user", text);
    const frame = JSON.stringify({ type: "message", text, client_msg_id: `w-${Date.now().toString(36)}` });
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(frame);
      inFlight = text;
      setStatus(clinicianInCharge ? "Sent to the clinician" : "Thinking\u2026");
    } else {
      outbox.push(frame);
      setStatus("Offline: your message will be sent when the connection is back.");
    }
    input.value = "";
  }

  // ---- open/close and keyboard ----
  function setOpen(open) {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    wrapper.classList.toggle("tw-is-open", open);
    if (open) {
      if (!socket) connect();
      input.focus();
    }
  }

  launcher.addEventListener("click", () => setOpen(panel.hidden));
  closeButton.addEventListener("click", () => { setOpen(false); launcher.focus(); });
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { setOpen(false); launcher.focus(); }
  });
  form.addEventListener("submit", (event) => { event.preventDefault(); submit(); });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); submit(); }
  });

  if (options.open) setOpen(true);
  else if (session.sessionId && !socket) connect();
})();
