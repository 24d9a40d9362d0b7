// Compliance page: the audit chain's verification status, fetched from /api/audit/verify.
import { _, formatNumber } from "./shared.js";

const box = document.getElementById("verify");
const text = document.getElementById("verify-text");
const icon = box.querySelector(".verify-icon");
const again = document.getElementById("verify-again");

async function verify() {
  again.disabled = true;
  box.className = "verify unknown";
  icon.textContent = "…";
  text.textContent = _("Checking the chain's integrity…");
  try {
    const response = await fetch("/api/audit/verify", { credentials: "same-origin" });
    if (!response.ok) throw new Error(response.statusText);
    const report = await response.json();
    box.className = `verify ${report.ok ? "ok" : "broken"}`;
    icon.textContent = report.ok ? "✔" : "✖";
    const counts = { checked: formatNumber(report.checked), checkpoints: formatNumber(report.checkpoints || 0) };
    text.textContent = report.ok
      ? (report.checkpoints
        ? _("Intact: {checked} records checked, {checkpoints} signed checkpoints.", counts)
        : _("Intact: {checked} records checked.", counts))
      : _("Broken at record {seq}: {kind}. {detail}", { seq: report.problem?.seq, kind: report.problem?.kind, detail: report.problem?.detail || "" });
  } catch (error) {
    text.textContent = _("Could not verify: {reason}", { reason: error.message });
  } finally {
    again.disabled = false;
  }
}

again.addEventListener("click", verify);
verify();
