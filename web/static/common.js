// Shared by every page: the contract's constants, fetch with the CSRF token, time formatting.
"use strict";
const CSRF = document.querySelector('meta[name="csrf-token"]')?.content || "";
// sessions/events.py's js_constants, embedded by base.html: kinds, namespaces, replay columns
const uxlab = JSON.parse(document.getElementById("uxlab-constants")?.textContent || "{}");

// a replay table's positional rows as objects named by the served REPLAY_COLUMNS
function replayRows(data, table) {
  const columns = uxlab.replayColumns[table];
  return data[table].map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]])));
}

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

// a button with data-copy="#input" copies that field's text (selected for a manual copy too)
document.addEventListener("click", async (e) => {
  const button = e.target.closest("button[data-copy]");
  if (!button) return;
  const field = document.querySelector(button.dataset.copy);
  field.select();
  try { await navigator.clipboard.writeText(field.value); } catch (err) { document.execCommand("copy"); }
  button.textContent = "Copied";
  setTimeout(() => { button.textContent = "Copy"; }, 1500);
});

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
