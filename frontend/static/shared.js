// Small helpers shared by the staff pages (plain ES modules, no build step).
export const LEVEL_LABELS = {
  emergency_ambulance: "Emergency: call an ambulance",
  emergency: "Emergency: go to the emergency department",
  consultation_24: "See a doctor within 24 hours",
  consultation: "Book a doctor's appointment",
  self_care: "Self-care at home",
};
export const URGENCY_RANK = { em: 0, ne: 1, sc: 2 };
export const LEVEL_RANK = { emergency_ambulance: 0, emergency: 1, consultation_24: 2, consultation: 3, self_care: 4 };

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== "" && c != null));
  return node;
}

export function waitedFor(iso) {
  const minutes = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 60000));
  if (minutes < 1) return "under a minute";
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
