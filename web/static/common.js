// Shared by every page: fetch with the CSRF token, and time formatting.
"use strict";
const CSRF = document.querySelector('meta[name="csrf-token"]')?.content || "";

async function postJSON(url, body) {
  const response = await fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-CSRFToken": CSRF, "Accept": "application/json"},
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `request failed (${response.status})`);
  return data;
}

function formatTime(seconds) {
  seconds = Math.max(0, seconds || 0);
  const m = Math.floor(seconds / 60), s = seconds - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, "0")}`;
}

// a read-only field to copy from (a participant's link) selects itself when clicked; a
// listener here rather than an onclick attribute, which the Content-Security-Policy refuses
document.addEventListener("click", (event) => {
  if (event.target instanceof HTMLInputElement && event.target.classList.contains("copy")) event.target.select();
});
