// The module every page script imports: the contract's constants, escaping, list items, time
// formatting, fetch with the CSRF token, and one media element kept in step with another.
// Page scripts are ES modules that import what they use from here, so nothing depends on
// the order of <script> tags and no page script leaves a name on `window`.

const CSRF = document.querySelector('meta[name="csrf-token"]')?.content || "";
// sessions/events.py's js_constants, embedded by base.html: kinds, namespaces, event names,
// replay columns
export const uxlab = JSON.parse(document.getElementById("uxlab-constants")?.textContent || "{}");

// text made safe to put inside HTML
export const esc = (text) => String(text ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// a list item of trusted `html` (escape what is not), newest first by default, keeping the
// list at `limit` items
export function item(list, html, cls, newestFirst = true, limit = 200) {
  const li = document.createElement("li");
  if (cls) li.className = cls;
  li.innerHTML = html;
  if (newestFirst) list.prepend(li); else list.append(li);
  while (list.children.length > limit) list.removeChild(newestFirst ? list.lastChild : list.firstChild);
  return li;
}

// a replay table's positional rows as objects named by the served REPLAY_COLUMNS
export function replayRows(data, table) {
  const columns = uxlab.replayColumns[table];
  return data[table].map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]])));
}

// one reading of a JSON answer: its data, or an Error carrying the server's one sentence
async function answer(response) {
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `request failed (${response.status})`);
  return data;
}

export async function getJSON(url) {
  return answer(await fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}}));
}

export async function postJSON(url, body) {
  return answer(await fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-CSRFToken": CSRF, "Accept": "application/json"},
    body: JSON.stringify(body),
  }));
}

export function formatTime(seconds) {
  seconds = Math.max(0, seconds || 0);
  const m = Math.floor(seconds / 60), s = seconds - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, "0")}`;
}

// Keep `other` (the camera, or a second speaker's voice) in step with `main` on the same
// session clock: play, pause and speed are copied. After a seek or a change of speed, or
// while paused, a drift over NUDGE is closed by seeking; while playing, by playing a little
// faster or slower, which is inaudible, unless it is over JUMP (a stall).
export function follow(main, other) {
  const NUDGE = 0.05, JUMP = 0.3;  // seconds
  function sync(hard) {
    if (!other.duration) return;
    const want = Math.min(main.currentTime, other.duration);
    const drift = other.currentTime - want, far = Math.abs(drift) > NUDGE;
    if (Math.abs(drift) > JUMP || (far && (hard || main.paused))) other.currentTime = want;
    const nudge = far && !hard && !main.paused && Math.abs(drift) <= JUMP;
    const rate = main.playbackRate * (nudge ? (drift > 0 ? 0.9 : 1.1) : 1);
    if (other.playbackRate !== rate) other.playbackRate = rate;
    if (main.paused && !other.paused) other.pause();
    if (!main.paused && other.paused && want < other.duration) other.play().catch(() => {});
  }
  for (const event of ["seeked", "ratechange"]) main.addEventListener(event, () => sync(true));
  for (const event of ["play", "pause", "timeupdate"]) main.addEventListener(event, () => sync(false));
  other.addEventListener("loadedmetadata", () => sync(true));
  setInterval(() => sync(false), 100);
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

// a read-only field to copy from (a participant's link) selects itself when clicked; a
// listener here rather than an onclick attribute, which the Content-Security-Policy refuses
document.addEventListener("click", (event) => {
  if (event.target instanceof HTMLInputElement && event.target.classList.contains("copy")) event.target.select();
});
