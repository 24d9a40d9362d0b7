// Compliance page: the audit chain's verification status, fetched from /api/audit/verify.
const box = document.getElementById("verify");
const text = document.getElementById("verify-text");
const icon = box.querySelector(".verify-icon");
const again = document.getElementById("verify-again");

async function verify() {
  again.disabled = true;
  box.className = "verify unknown";
  icon.textContent = "…";
  text.textContent = "Checking the chain's integrity…";
  try {
    const response = await fetch("/api/audit/verify", { credentials: "same-origin" });
    if (!response.ok) throw new Error(response.statusText);
    const report = await response.json();
    box.className = `verify ${report.ok ? "ok" : "broken"}`;
    icon.textContent = report.ok ? "✔" : "✖";
    text.textContent = report.ok
      ? `Intact: ${report.checked} records checked${report.checkpoints ? `, ${report.checkpoints} signed checkpoints` : ""}.`
      : `Broken at record ${report.problem?.seq}: ${report.problem?.kind}. ${report.problem?.detail || ""}`;
  } catch (error) {
    text.textContent = `Could not verify: ${error.message}`;
  } finally {
    again.disabled = false;
  }
}

again.addEventListener("click", verify);
verify();
