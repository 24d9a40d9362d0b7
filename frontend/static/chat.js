// Minimal chat over /ws/chat (protocol in docs/contracts.md): triage frame, streamed tokens, done.
import { LEVEL_LABELS } from "./shared.js";

const log = document.getElementById("log");
const form = document.getElementById("composer");
const input = document.getElementById("text");
const statusLine = document.getElementById("status");
const banner = document.getElementById("banner");

let socket;
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

function onFrame(frame) {
  switch (frame.type) {
    case "session":
      statusLine.textContent = "Connected";
      break;
    case "triage": {
      const item = addEntry("assistant", "");
      const badge = document.createElement("p");
      badge.className = `disposition urgency-${frame.urgency}`;
      badge.dataset.level = frame.level;
      badge.textContent = LEVEL_LABELS[frame.level] || frame.level;
      item.prepend(badge);
      answers.set(frame.message_id, item.querySelector(".body"));
      if (frame.urgency === "em") {
        banner.hidden = false;
        banner.textContent = "This may be an emergency. Call emergency services now.";
      }
      break;
    }
    case "token": {
      const body = answers.get(frame.message_id);
      if (body) body.textContent += frame.text;
      break;
    }
    case "done":
      statusLine.textContent = "Answered";
      break;
    case "error":
      addEntry("error", `Error: ${frame.detail}`);
      break;
  }
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/ws/chat`);
  socket.addEventListener("message", (event) => onFrame(JSON.parse(event.data)));
  socket.addEventListener("close", () => {
    statusLine.textContent = "Disconnected, reconnecting…";
    setTimeout(connect, 1000);
  });
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text || !socket || socket.readyState !== WebSocket.OPEN) return;
  addEntry("user", text);
  socket.send(JSON.stringify({ type: "message", text }));
  input.value = "";
  statusLine.textContent = "Thinking…";
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    form.requestSubmit();
  }
});

connect();
