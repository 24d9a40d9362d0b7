/*
 * Embeddable patient widget: one <script src=".../static/widget.js" data-...> tag on a clinic's site.
 * A floating button opens a chat panel speaking the /ws/chat protocol (docs/contracts.md); options are the
 * script tag's data- attributes, documented in frontend/README.md. No dependencies, no build step.
 *
 * The server's `session` frame is the one source for the emergency number, the longest message and the privacy
 * notice: the banner shows the number the answers use. The tag's data-emergency-number is shown only while the
 * server has never been reached (the "unavailable" state), so that state too always carries a number.
 * sessionStorage keeps only what a reload needs: the session's resume token and its redacted transcript.
 *
 * Language: `data-lang` (e.g. "ja"). Its strings come from the server's catalogue for it
 * (/i18n/widget/<lang>.json, the same gettext catalogue as the staff pages: frontend/locale), fetched before the
 * widget is drawn; the socket is opened with ?lang= so answers come in that language, and the banner shows that
 * language's emergency number (the session frame's `emergency_numbers`). Without data-lang, or when the catalogue
 * cannot be fetched, the widget is in English, as it always was. Numbers are formatted with Intl for the language.
 */
(function () {
  "use strict";

  const script = document.currentScript;
  if (!script) return;
  const data = script.dataset;
  const server = (data.server || new URL(script.src, location.href).origin).replace(/\/$/, "");
  const SOURCE_LANG = "en";
  const lang = (data.lang || "").trim().toLowerCase().split(/[-_]/)[0].replace(/[^a-z]/g, "");

  if (lang && lang !== SOURCE_LANG) {
    fetch(`${server}/i18n/widget/${encodeURIComponent(lang)}.json`, { credentials: "omit" })
      .then((response) => (response.ok ? response.json() : null))
      .catch(() => null)
      .then((catalogue) => start(catalogue && catalogue.messages ? catalogue : null));
  } else {
    start(null);
  }

  function start(catalogue) {
    const uiLang = catalogue ? catalogue.locale : SOURCE_LANG;
    const messages = catalogue ? catalogue.messages : {};
    const fill = (text, values) => (values ? text.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole)) : text);
    // gettext for the browser: a message's translation, or the English msgid itself.
    function _(msgid, values) {
      const found = messages[msgid];
      return fill(typeof found === "string" && found ? found : msgid, values);
    }
    function ngettext(singular, plural, count, values) {
      const forms = messages[singular];
      const english = count === 1 ? singular : plural;
      const text = Array.isArray(forms) && forms.length ? forms[forms.length === 1 ? 0 : (count === 1 ? 0 : 1)] || english : english;
      return fill(text, values);
    }
    const numbers = new Intl.NumberFormat(uiLang);
    const number = (value) => numbers.format(value);
    // A translated sentence with elements in it: "{number}" in the text becomes the node given for it.
    function compose(text, nodes) {
      return text.split(/(\{\w+\})/).filter(Boolean).map((part) => nodes[part.slice(1, -1)] ?? part);
    }
    // Where the server has not been reached yet and the tag names no number: the language's own.
    const FALLBACK_NUMBERS = { ja: "119" };

    const options = {
      title: data.title || _("Health assistant"),
      primary: data.primaryColor || "#0b5cad",
      emergencyNumber: data.emergencyNumber || "",
      position: data.position === "left" ? "left" : "right",
      greeting: data.greeting || _("Hello. Tell me what is bothering you and I will suggest what to do next."),
      disclaimer: data.disclaimer ||
        _("This assistant gives general guidance, not a diagnosis. It does not replace a doctor."),
      open: data.open === "true",
      allowedOrigins: (data.allowedOrigins || "").split(",").map((s) => s.trim()).filter(Boolean),
    };
    // The service's built-in privacy notice (TRIAGE_PRIVACY_NOTICE's default) is in the catalogue, so it is shown
    // in the widget's language (the consent still names the server's version of it); a clinic's own notice is
    // shown as the server sends it. N_ only marks a message for the catalogue.
    const N_ = (msgid) => msgid;
    N_("This assistant gives general guidance, not a diagnosis. To answer you, what you type is processed by this service; names, dates of birth and record numbers are removed before anything is stored, and a record of each answer is kept for safety and audit.");
    // On a page outside data-allowed-origins the widget still appears, as unavailable, with the emergency number.
    const pageAllowed = !options.allowedOrigins.length || options.allowedOrigins.includes(location.origin);
    if (!pageAllowed) console.warn(`triage widget: ${location.origin} is not in data-allowed-origins; shown as unavailable`);

    const LEVEL_LABELS = {
      emergency_ambulance: _("Emergency: call an ambulance now"),
      emergency: _("Emergency: go to an emergency department now"),
      consultation_24: _("See a doctor within 24 hours"),
      consultation: _("Book a doctor's appointment"),
      self_care: _("You can look after this at home"),
    };
    // Friendly words for the server's error codes: a patient never sees a server's own message.
    const TOO_LONG = _("That message is too long for the assistant. Please shorten it and send it again.");
    const ERROR_TEXT = {
      text_too_long: TOO_LONG,
      message_too_large: TOO_LONG,
      empty_text: _("Please type a message first."),
      rate_limited: _("You are sending messages very quickly. Please wait a moment, then send it again."),
    };
    const STORE_KEY = `triage-widget:${server}`;
    const MAX_STORED = 60;
    const DEFAULT_MAX_CHARS = 4000;
    const UNAVAILABLE_AFTER = 3; // failed reconnects before "Reconnecting…" becomes "unavailable"

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

    const wrapper = el("div", { class: `tw tw-${options.position}`, lang: uiLang });
    wrapper.style.setProperty("--tw-primary", options.primary);
    wrapper.style.setProperty("--tw-on-primary", onPrimary);

    const launcher = el("button", {
      class: "tw-launcher", type: "button", "aria-expanded": "false", "aria-controls": "tw-panel",
    }, el("span", { class: "tw-launcher-icon", "aria-hidden": "true", text: "\u{1F4AC}" }), el("span", { text: options.title }));

    // A <div>, not <section>/<header>: inside the host page they would be a second region and banner landmark.
    const panel = el("div", { class: "tw-panel", id: "tw-panel", role: "dialog", "aria-labelledby": "tw-title", tabindex: "-1", hidden: "" });
    const closeButton = el("button", { class: "tw-close", type: "button", "aria-label": _("Close chat"), text: "\u00D7" });
    const newButton = el("button", { class: "tw-new", type: "button", text: _("New conversation"), hidden: "" });
    const header = el("div", { class: "tw-header" }, el("h2", { id: "tw-title", text: options.title }), newButton, closeButton);
    const banner = el("div", { class: "tw-banner", role: "alert", hidden: "" });
    const disclaimer = el("p", { class: "tw-disclaimer", text: options.disclaimer });
    // The live region wraps the list: role="log" on the <ol> itself would take its list semantics away.
    const list = el("ol", { class: "tw-list" });
    const log = el("div", { class: "tw-log", role: "log", "aria-live": "polite", "aria-label": _("Conversation"), tabindex: "0" }, list);
    const unavailable = el("div", { class: "tw-unavailable", role: "alert", hidden: "" });
    const statusLine = el("p", { class: "tw-status", role: "status", text: _("Connecting\u2026") });
    const consent = el("div", { class: "tw-consent", role: "group", "aria-labelledby": "tw-consent-title", hidden: "" });
    const input = el("textarea", {
      id: "tw-input", rows: "2", placeholder: _("Describe what is wrong\u2026"), "aria-describedby": "tw-hint tw-count tw-field-msg",
    });
    const hint = el("span", { id: "tw-hint", class: "tw-vh", text: _("Press Enter to send, Shift and Enter for a new line.") });
    const counter = el("span", { id: "tw-count", class: "tw-counter", hidden: "" });
    const fieldMessage = el("p", { id: "tw-field-msg", class: "tw-field-msg", role: "status" });
    const send = el("button", { class: "tw-send", type: "submit", text: _("Send") });
    const form = el("form", { class: "tw-composer", autocomplete: "off", hidden: "" },
      el("div", { class: "tw-compose-row" }, el("label", { for: "tw-input", class: "tw-vh", text: _("Your message") }), input, hint, send),
      el("div", { class: "tw-compose-info" }, fieldMessage, counter));
    panel.append(header, banner, disclaimer, log, unavailable, statusLine, consent, form);
    wrapper.append(panel, launcher);
    root.append(wrapper);

    // ---- what a reload needs, in sessionStorage: never the patient's raw words ----
    function load() {
      try { return JSON.parse(sessionStorage.getItem(STORE_KEY) || "{}") || {}; } catch { return {}; }
    }
    const saved = load();
    let session = { sessionId: saved.sessionId, token: saved.token };
    // An entry list without `maxChars` beside it was written by an earlier widget, which kept raw words: dropped.
    let stored = Array.isArray(saved.entries) && saved.maxChars ? saved.entries : [];
    let serverNumber = saved.emergencyNumber || null; // the server's, from its last session frame
    let consentedTo = saved.consent || null; // the privacy notice version this session agreed to
    let privacy = null; // the notice of the last session frame
    let maxChars = Number(saved.maxChars) || DEFAULT_MAX_CHARS;

    function persist() {
      try {
        sessionStorage.setItem(STORE_KEY, JSON.stringify({
          sessionId: session.sessionId, token: session.token, emergencyNumber: serverNumber, consent: consentedTo,
          maxChars, entries: stored.slice(-MAX_STORED),
        }));
      } catch { /* private mode: the conversation just won't survive a reload */ }
    }

    function emergencyNumber() { return serverNumber || options.emergencyNumber || FALLBACK_NUMBERS[lang] || "911"; }

    // ---- socket state (declared before anything below can open the panel: a replayed emergency does) ----
    let socket = null;
    let generation = 0; // a new conversation retires the old socket's handlers
    let retry = 0;
    let failures = 0; // connection attempts in a row that never got a session frame
    let everConnected = false;
    let isUnavailable = false;
    let inFlight = null;
    let clinicianInCharge = false;
    let consentPending = false;
    let focusConsent = false; // the panel was opened (or started over) before the notice arrived
    const outbox = []; // frames typed while reconnecting, with their bubbles
    const pending = []; // sent messages awaiting their triage (or error) frame, oldest first
    const answers = new Map();

    // ---- conversation view ----
    function addEntry(role, text, extra = {}) {
      const item = el("li", { class: `tw-entry tw-${role}` });
      if (role === "clinician") item.append(el("p", { class: "tw-from", text: _("Clinician") }));
      if (role === "assistant") item.append(el("span", { class: "tw-vh", text: _("Assistant: ") }));
      if (role === "user") item.append(el("span", { class: "tw-vh", text: _("You: ") }));
      if (extra.level) item.append(disposition(extra.level, extra.urgency));
      const body = el("div", { class: "tw-body", text });
      item.append(body);
      list.append(item);
      log.scrollTop = log.scrollHeight;
      let index = -1;
      if (extra.store !== false) {
        // A patient's own words are stored only once the server has sent back their redacted form.
        stored.push({ role, text: extra.storedText ?? text, level: extra.level, urgency: extra.urgency });
        index = stored.length - 1;
        persist();
      }
      return { item, body, index };
    }

    function markEntry(item, note) {
      item.querySelector(".tw-note")?.remove();
      if (note) item.append(el("p", { class: "tw-note", text: note }));
    }

    // Follow a streaming answer down, but never past its first line: a long answer is read from its start.
    function followAnswer(item) {
      const offset = item.getBoundingClientRect().top - log.getBoundingClientRect().top;
      log.scrollTop = Math.min(log.scrollHeight - log.clientHeight, log.scrollTop + offset - 8);
    }

    function disposition(level, urgency) {
      return el("p", { class: `tw-disposition tw-urgency-${urgency}`, "data-level": level, text: LEVEL_LABELS[level] || level });
    }

    function callLink() {
      const number = emergencyNumber();
      return el("a", { href: `tel:${number.replace(/[^0-9+]/g, "")}`, class: "tw-call", text: number });
    }

    function renderBanner() {
      banner.replaceChildren(
        ...compose(_("{emergency} Call {number} now, or go to the nearest emergency department. Do not wait for a reply here."), {
          emergency: el("strong", { text: _("This may be an emergency.") }), number: callLink(),
        }),
        el("span", { class: "tw-banner-more" }, ...compose(_("You can still ask questions below. About someone else, or a new problem? {start}"), {
          start: el("button", { class: "tw-new-inline", type: "button", text: _("Start a new conversation") }),
        })),
      );
    }

    function showEmergency() {
      renderBanner();
      banner.hidden = false;
      setOpen(true);
    }

    function renderUnavailable() {
      unavailable.replaceChildren(...compose(_("{unavailable} If this may be an emergency, call {number} now."), {
        unavailable: el("strong", { text: pageAllowed ? _("The assistant is unavailable right now.") : _("The assistant is not available on this page.") }),
        number: callLink(),
      }));
    }

    function setAvailable(available) {
      isUnavailable = !available;
      unavailable.hidden = available;
      if (!available) {
        renderUnavailable();
        setStatus(_("Unavailable"));
      }
    }

    // The composer appears once this session has agreed to the privacy notice (recorded by the server).
    function needsConsent() {
      return privacy !== null ? consentedTo !== privacy.version : consentedTo === null;
    }

    function renderComposer() {
      const asking = needsConsent() && privacy !== null && !isUnavailable;
      consent.hidden = !asking;
      form.hidden = needsConsent();
      if (asking) {
        const agree = el("button", { class: "tw-agree", type: "button", text: _("I agree, start") });
        if (consentPending) agree.setAttribute("aria-disabled", "true");
        agree.addEventListener("click", giveConsent);
        consent.replaceChildren(
          el("h3", { id: "tw-consent-title", class: "tw-consent-title", text: _("Before you start") }),
          el("p", { class: "tw-consent-text", text: _(privacy.text) }),
          ...(privacy.url ? [el("a", { class: "tw-privacy-link", href: privacy.url, target: "_blank", rel: "noopener", text: _("Read the full privacy notice") })] : []),
          agree,
        );
        if (focusConsent && !panel.hidden) agree.focus();
      }
      focusConsent = false;
    }

    function giveConsent() {
      if (consentPending || !privacy) return;
      consentPending = true;
      setStatus(_("Recording your agreement\u2026"));
      transmit(JSON.stringify({ type: "consent", notice: privacy.version }));
      renderComposer();
    }

    function updateCounter() {
      const length = input.value.length;
      const over = length - maxChars;
      counter.hidden = length === 0;
      counter.textContent = `${number(length)} / ${number(maxChars)}`;
      counter.classList.toggle("tw-over", over > 0);
      input.setAttribute("aria-invalid", String(over > 0));
      const message = over > 0
        ? ngettext("Your message is {over} character too long. Please shorten it to {max} characters or fewer.",
          "Your message is {over} characters too long. Please shorten it to {max} characters or fewer.",
          over, { over: number(over), max: number(maxChars) })
        : "";
      if (fieldMessage.textContent !== message) fieldMessage.textContent = message;
    }

    function resetView() {
      list.replaceChildren();
      banner.hidden = true;
      answers.clear();
      addEntry("assistant", options.greeting, { store: false });
    }

    for (const entry of stored) {
      const text = entry.role === "clinician" && !entry.text ? _("(A clinician replied. The reply is not kept on this device.)") : entry.text;
      addEntry(entry.role, text, { level: entry.level, urgency: entry.urgency, store: false });
    }
    if (!stored.length) addEntry("assistant", options.greeting, { store: false });
    newButton.hidden = !stored.length;

    // ---- socket: connect, resume after a drop, queue what was typed meanwhile ----
    function setStatus(text) { statusLine.textContent = text; }

    function settled(text) {
      inFlight = null;
      setStatus(text);
    }

    function onSession(frame) {
      if (session.sessionId && frame.session_id !== session.sessionId) {
        // The earlier conversation could not be resumed (expired): what is on screen stays, nothing of it is kept.
        stored = [];
        consentedTo = null;
        addEntry("notice", _("Your earlier conversation could not be continued. This is a new one."), { store: false });
      }
      session = { sessionId: frame.session_id, token: frame.token };
      // The number of the widget's language when the server names one (answers in that language use it).
      const frameNumber = (lang !== SOURCE_LANG && frame.emergency_numbers?.[lang]) || frame.emergency_number;
      if (frameNumber) {
        if (options.emergencyNumber && options.emergencyNumber !== frameNumber) {
          console.warn(`triage widget: data-emergency-number ${options.emergencyNumber} differs from the server's ${frameNumber}; showing the server's, which the answers use`);
        }
        serverNumber = frameNumber;
        if (!banner.hidden) renderBanner();
      }
      if (frame.max_message_chars) maxChars = frame.max_message_chars;
      privacy = frame.privacy || null;
      if (!privacy && consentedTo === null) consentedTo = "none"; // a server without a notice asks for none
      persist();
      retry = 0;
      failures = 0;
      everConnected = true;
      setAvailable(true);
      clinicianInCharge = Boolean(frame.clinician_in_charge);
      consentPending = false;
      renderComposer();
      updateCounter();
      setStatus(clinicianInCharge ? _("A clinician is with you") : _("Connected"));
      while (outbox.length && socket.readyState === WebSocket.OPEN) {
        const queued = outbox.shift();
        socket.send(queued.frame);
        if (queued.item) { markEntry(queued.item, ""); pending.push(queued); inFlight = queued; }
      }
      if (inFlight) setStatus(clinicianInCharge ? _("Sent to the clinician") : _("Thinking\u2026"));
    }

    function onTriage(frame) {
      const sent = pending.shift();
      if (sent && frame.redacted_text) {
        stored.push({ role: "user", text: frame.redacted_text });
        persist();
      }
      newButton.hidden = false;
      if (frame.urgency === "em") showEmergency();
      const inCharge = frame.clinician_in_charge ?? clinicianInCharge;
      if (inCharge && frame.urgency !== "em") {
        // A clinician answers: no automatic assistant bubble, only a note that the message reached them.
        answers.set(frame.message_id, { silent: true, sent });
        return;
      }
      const { item, body, index } = addEntry("assistant", "", { level: frame.level, urgency: frame.urgency });
      item.setAttribute("aria-busy", "true");
      body.dataset.tokens = "0";
      answers.set(frame.message_id, { item, body, index });
    }

    function onError(frame) {
      if (frame.code === "resume_rejected") return;
      if (frame.closing) { setStatus(_("Reconnecting\u2026")); return; } // e.g. a server restart: the socket reconnects
      if (frame.code === "notice_changed") {
        consentPending = false;
        privacy = frame.privacy || privacy;
        renderComposer();
        setStatus(_("The privacy notice has changed. Please read it again."));
        return;
      }
      if (consentPending) { // the agreement could not be recorded: ask again
        consentPending = false;
        renderComposer();
        setStatus(_("Your agreement could not be recorded. Please try again."));
        return;
      }
      // busy: the server refused this message under load (it was audited, never answered): it is not pending any
      // more, so the next triage frame belongs to the next message; the patient sends it again, or calls.
      const words = frame.code === "busy"
        ? _("The assistant is very busy right now. Please send your message again in a moment. If this may be an emergency, call {number} now.", { number: emergencyNumber() })
        : ERROR_TEXT[frame.code];
      const sent = words ? pending.shift() : null;
      if (sent) {
        markEntry(sent.item, _("Not sent"));
        if (!input.value) { input.value = sent.text; updateCounter(); }
      }
      addEntry("error", words || _("Sorry, that message could not be sent. Please try again. If this may be an emergency, call {number} now.", { number: emergencyNumber() }), { store: false });
      for (const answer of answers.values()) answer.item?.setAttribute("aria-busy", "false");
      settled(sent ? _("Not sent") : _("Something went wrong"));
    }

    function onFrame(frame) {
      switch (frame.type) {
        case "session":
          onSession(frame);
          break;
        case "consent_recorded":
          consentedTo = frame.notice;
          consentPending = false;
          persist();
          renderComposer();
          setStatus(clinicianInCharge ? _("A clinician is with you") : _("Connected"));
          input.focus();
          break;
        case "triage":
          onTriage(frame);
          break;
        case "token": {
          const answer = answers.get(frame.message_id);
          if (!answer || answer.silent) break;
          answer.body.textContent += frame.text;
          answer.body.dataset.tokens = String(Number(answer.body.dataset.tokens) + 1);
          stored[answer.index].text = answer.body.textContent;
          followAnswer(answer.item);
          break;
        }
        case "done": {
          const answer = answers.get(frame.message_id);
          if (answer?.silent) {
            if (answer.sent?.item) markEntry(answer.sent.item, _("Delivered to the clinician"));
          } else if (answer) {
            answer.item.setAttribute("aria-busy", "false");
            if (!answer.body.textContent) {
              answer.body.textContent = _("Thank you. A clinician has your message and will reply here.");
              stored[answer.index].text = answer.body.textContent;
            }
            persist();
          }
          settled(clinicianInCharge ? _("A clinician is with you") : _("Answered"));
          break;
        }
        case "clinician":
          addEntry("clinician", frame.text, { storedText: frame.redacted_text ?? "" });
          setStatus(_("A clinician replied"));
          break;
        case "handoff":
          clinicianInCharge = frame.to === "clinician";
          addEntry("notice", clinicianInCharge
            ? _("A clinician has joined the conversation.")
            : _("The clinician has handed you back to the assistant."), { store: false });
          setStatus(clinicianInCharge ? _("A clinician is with you") : _("Connected"));
          break;
        case "error":
          onError(frame);
          break;
      }
    }

    function connect() {
      if (!pageAllowed) { setAvailable(false); return; }
      const url = new URL("/ws/chat", server.replace(/^http/, "ws"));
      if (session.sessionId && session.token) {
        url.searchParams.set("session_id", session.sessionId);
        url.searchParams.set("resume", session.token);
      }
      if (lang && lang !== SOURCE_LANG) url.searchParams.set("lang", lang); // the clinic's language for the answers
      const mine = ++generation;
      let gotSession = false;
      socket = new WebSocket(url);
      socket.addEventListener("message", (event) => {
        if (mine !== generation) return;
        const frame = JSON.parse(event.data);
        if (frame.type === "session") gotSession = true;
        onFrame(frame);
      });
      socket.addEventListener("close", () => {
        if (mine !== generation) return;
        if (inFlight || pending.length) {
          for (const sent of pending.splice(0)) markEntry(sent.item, _("Not sent: the connection dropped"));
          addEntry("notice", _("The connection dropped before the answer finished. Please send your message again."), { store: false });
          inFlight = null;
        }
        consentPending = false;
        if (!gotSession) failures += 1;
        // Never "Reconnecting…" for ever: a server that refuses us (origin) or cannot be reached is unavailable.
        if ((!everConnected && failures >= 1) || failures >= UNAVAILABLE_AFTER) setAvailable(false);
        else setStatus(_("Connection lost. Reconnecting\u2026"));
        renderComposer();
        const delay = Math.min(8000, 500 * 2 ** retry++);
        setTimeout(() => { if (mine === generation) connect(); }, delay);
      });
    }

    // Send now, or (while reconnecting) once the connection is back.
    function transmit(frame, entry = null) {
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(frame);
        if (entry) { pending.push(entry); inFlight = entry; }
        return true;
      }
      outbox.push({ ...(entry || {}), frame });
      return false;
    }

    function submit() {
      const text = input.value.trim();
      if (!text || needsConsent()) return;
      if (isUnavailable) {
        renderUnavailable();
        setStatus(_("Not sent: the assistant is unavailable right now."));
        return;
      }
      if (text.length > maxChars) {
        updateCounter();
        input.focus();
        return;
      }
      const { item } = addEntry("user", text, { store: false });
      newButton.hidden = false;
      const frame = JSON.stringify({ type: "message", text, client_msg_id: `w-${Date.now().toString(36)}` });
      if (transmit(frame, { item, text })) {
        setStatus(clinicianInCharge ? _("Sent to the clinician") : _("Thinking\u2026"));
      } else {
        markEntry(item, _("Not sent yet"));
        setStatus(_("Offline: your message will be sent when the connection is back."));
      }
      input.value = "";
      updateCounter();
    }

    // A new conversation is a new session (its own consent and audit records); nothing of the old one is kept.
    function startOver() {
      generation += 1;
      if (socket) socket.close();
      socket = null;
      try { sessionStorage.removeItem(STORE_KEY); } catch { /* nothing was stored */ }
      session = {};
      stored = [];
      consentedTo = null;
      privacy = null;
      consentPending = false;
      clinicianInCharge = false;
      inFlight = null;
      outbox.length = 0;
      pending.length = 0;
      retry = 0;
      failures = 0;
      input.value = "";
      updateCounter();
      resetView();
      newButton.hidden = true;
      focusConsent = true;
      renderComposer();
      setStatus(_("Connecting\u2026"));
      connect();
      panel.focus();
    }

    // ---- open/close and keyboard ----
    // Opened by the page itself (data-open), the panel leaves focus where it is: a widget that takes the
    // focus on load would move the visitor's typing, or the set-up page's, into the panel.
    function setOpen(open, moveFocus = true) {
      panel.hidden = !open;
      launcher.setAttribute("aria-expanded", String(open));
      wrapper.classList.toggle("tw-is-open", open);
      if (open) {
        if (!socket) connect();
        if (!moveFocus) return;
        if (!form.hidden) input.focus();
        else if (!consent.hidden) consent.querySelector(".tw-agree").focus();
        else { focusConsent = true; panel.focus(); } // the notice is on its way: focus moves to it when it comes
      }
    }

    launcher.addEventListener("click", () => setOpen(panel.hidden));
    closeButton.addEventListener("click", () => { setOpen(false); launcher.focus(); });
    newButton.addEventListener("click", startOver);
    banner.addEventListener("click", (event) => { if (event.target.closest(".tw-new-inline")) startOver(); });
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") { setOpen(false); launcher.focus(); }
    });
    form.addEventListener("submit", (event) => { event.preventDefault(); submit(); });
    input.addEventListener("input", updateCounter);
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); submit(); }
    });

    renderComposer();
    if (stored.some((entry) => entry.urgency === "em")) showEmergency();
    if (options.open) setOpen(true, false);
    else if (session.sessionId && !socket) connect();
  }
})();
