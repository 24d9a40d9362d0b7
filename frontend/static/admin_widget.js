// Widget set-up page: the script tag and the preview follow the options as they are typed.
// The tag carries only options that differ from the widget's defaults (app/routes/admin_pages.py does the same
// for the page as first served).
import { _, ngettext } from "./shared.js";

const form = document.getElementById("widget-options");
const snippet = document.getElementById("widget-snippet");
const frame = document.getElementById("widget-preview");
const warning = document.getElementById("origin-warning");
const copyStatus = document.getElementById("copy-status");
const base = snippet.dataset.base;
const allowed = [base, ...(document.getElementById("allowed-origins").dataset.origins || "").split(",").filter(Boolean)];
const PREVIEW_SKIPS = new Set(["allowed-origins"]); // the preview runs on this service's own origin
let timer = null;

const escape = (value) => value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

function values() {
  const found = [];
  for (const field of form.querySelectorAll("[data-default]")) {
    const value = field.type === "checkbox" ? String(field.checked) : field.value.trim().replace(/\s+/g, " ");
    found.push({ name: field.name, value, changed: value !== field.dataset.default });
  }
  return found;
}

function update() {
  const all = values();
  const attributes = [`src="${base}/static/widget.js"`,
    ...all.filter((o) => o.changed).map((o) => `data-${o.name}="${escape(o.value)}"`),
    `data-emergency-number="${escape(all.find((o) => o.name === "lang")?.value === "ja" ? snippet.dataset.emergencyNumberJa : snippet.dataset.emergencyNumber)}"`];
  snippet.textContent = `<script ${attributes.join("\n        ")}></script>`;
  const origins = (all.find((o) => o.name === "allowed-origins")?.value || "").split(",")
    .map((o) => o.trim().replace(/\/$/, "")).filter(Boolean);
  const missing = origins.filter((o) => !allowed.includes(o));
  warning.hidden = missing.length === 0;
  warning.textContent = missing.length ? ngettext(
    "Not allowed by this service: {origins}. There the widget would show as unavailable; add it to TRIAGE_ALLOWED_ORIGINS and restart.",
    "Not allowed by this service: {origins}. There the widget would show as unavailable; add them to TRIAGE_ALLOWED_ORIGINS and restart.",
    missing.length, { origins: missing.join(", ") }) : "";
  clearTimeout(timer);
  timer = setTimeout(() => {
    const query = new URLSearchParams(all.filter((o) => !PREVIEW_SKIPS.has(o.name)).map((o) => [o.name, o.value]));
    frame.src = `/admin/widget/preview?${query}`;
  }, 400);
}

form.addEventListener("input", update);
form.addEventListener("change", update);
form.addEventListener("submit", (event) => { event.preventDefault(); update(); });

document.getElementById("copy-snippet").addEventListener("click", async () => {
  try {
    await navigator.clipboard.writeText(snippet.textContent);
    copyStatus.textContent = _("Copied.");
  } catch {
    const range = document.createRange();
    range.selectNodeContents(snippet);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    copyStatus.textContent = _("Selected: press Ctrl+C (or ⌘C) to copy.");
  }
});
