// The replay page: the video, click ripples over it, and a timeline that follows it.
import {formatTime, postJSON, replayRows, uxlab} from "./common.js";

// What the page's other scripts (the transcript panel, the screen picker) work with, once
// the replay is ready: its data, the video, seek, the timeline's mark, addNote.
export const replay = start();

async function start() {
  const root = document.getElementById("replay");
  const video = document.getElementById("video");
  const canvas = document.getElementById("ripples");
  const timeline = document.getElementById("timeline");
  const playhead = document.getElementById("playhead");
  const clock = document.getElementById("clock");
  const list = document.getElementById("eventlist");
  const RIPPLE = 0.8;  // seconds a click ripple stays visible

  const data = await (await fetch(root.dataset.timeline, {credentials: "same-origin"})).json();
  const duration = Math.max(data.session.duration || 0, 0.1);
  const width = data.session.width, height = data.session.height;

  // an observer the study does not let play recordings sees why, and everything else
  if (data.video && root.dataset.mediaAllowed !== "false") {
    video.src = root.dataset.media + data.video;
  } else {
    document.getElementById("novideo").hidden = false;
  }

  // the time before the first task (consent, setting up) is collapsed to a sliver of the
  // timeline, so the tasks get the room; `frac` maps session time to the timeline and back
  const firstTask = data.attempts.length ? Math.min(...data.attempts.map((a) => a.started)) : 0;
  const SLIVER = 0.04;
  const collapsed = firstTask > 0 && firstTask < duration && firstTask / duration > SLIVER;
  function frac(t) {
    t = Math.min(duration, Math.max(0, t));
    if (!collapsed) return t / duration;
    if (t < firstTask) return (t / firstTask) * SLIVER;
    return SLIVER + ((t - firstTask) / (duration - firstTask)) * (1 - SLIVER);
  }
  function timeAt(f) {
    f = Math.min(1, Math.max(0, f));
    if (!collapsed) return f * duration;
    if (f < SLIVER) return (f / SLIVER) * firstTask;
    return firstTask + ((f - SLIVER) / (1 - SLIVER)) * (duration - firstTask);
  }
  const pct = (t) => `${frac(t) * 100}%`;
  function seek(t) {
    t = Math.max(0, Math.min(t, duration));
    video.currentTime = t;
    update();
  }
  function lane(name) { return timeline.querySelector(`[data-lane="${name}"]`); }
  function mark(laneName, t, cls, title, extra = {}) {
    const el = document.createElement("button");
    el.type = "button";
    el.className = `tl-item ${cls}`;
    el.style.left = pct(t);
    if (extra.width !== undefined) el.style.width = extra.width;
    el.dataset.t = t.toFixed(3);
    el.title = `${formatTime(t)} · ${title}`;
    if (extra.label) el.textContent = extra.label;
    el.addEventListener("click", (e) => { e.stopPropagation(); seek(t); });
    lane(laneName).append(el);
    return el;
  }
  function listItem(t, kind, text) {
    const li = document.createElement("li");
    li.className = `ev ${kind}`;
    li.dataset.t = t.toFixed(3);
    li.innerHTML = `<span class="t"></span><span class="k"></span><span class="x"></span>`;
    li.querySelector(".t").textContent = formatTime(t);
    li.querySelector(".k").textContent = kind.replace("_", " ");
    li.querySelector(".x").textContent = text || "";
    li.addEventListener("click", () => seek(t));
    return li;
  }

  // --- timeline lanes ---
  function band(cls, a, b, title) {
    const el = document.createElement("div");
    el.className = cls; el.style.left = pct(a); el.style.width = `calc(${pct(b)} - ${pct(a)})`;
    if (title) el.title = title;
    timeline.append(el);
    return el;
  }
  if (collapsed) band("collapsed", 0, firstTask, `${formatTime(firstTask)} before the first task (collapsed)`);
  for (const [a, b, reason] of data.redacted || []) {
    band("redacted", a, b, `redacted ${formatTime(a)}–${formatTime(b)}${reason ? `: ${reason}` : ""}`);
  }
  for (const [a, b] of data.idle) {
    const el = document.createElement("div");
    el.className = "idle"; el.style.left = pct(a); el.style.width = `calc(${pct(b)} - ${pct(a)})`;
    timeline.append(el);
  }
  const items = [];
  for (const a of data.attempts) {
    const end = a.ended ?? duration;
    mark("tasks", a.started, `task ${a.outcome || "running"}`, `${a.task}: ${a.outcome || "running"}`,
         {width: `calc(${pct(end)} - ${pct(a.started)})`, label: a.task});
    items.push([a.started, "task_start", `${a.task}: ${a.prompt}`]);
    if (a.ended != null) items.push([a.ended, "task_end", `${a.task}: ${a.outcome}${a.seq_rating ? ` · SEQ ${a.seq_rating}` : ""}`]);
  }
  const K = uxlab.eventKind, M = uxlab.markerKind, S = uxlab.markerStatus;
  // a desktop click names the widget it landed on when the recorder could ask AT-SPI
  for (const {t, x, y, button, on_prompt, label} of replayRows(data, "clicks")) {
    mark("clicks", t, `tl-click ${button}${on_prompt ? " prompt" : ""}`,
         label ? `clicked ${label}` : `${button} click at (${x}, ${y})`);
    if (!on_prompt) items.push([t, K.CLICK, label ? `clicked ${label}` : `${button} at (${x}, ${y})`]);
  }
  for (const {t, key, text} of replayRows(data, "keys")) mark("keys", t, "tl-key", text ? `${key} “${text}”` : key);
  for (const m of data.markers) {
    if (m.kind === M.PAUSE || m.kind === M.RESUME) {
      items.push([m.t, m.kind, "privacy pause"]);
      continue;
    }
    // an observer's flag is not an error until the moderator confirms it
    const kind = m.status === S.PENDING ? "flag" : m.kind;
    const label = m.status === S.PENDING ? " (to confirm)" : "";
    mark("marks", m.t, `tl-${kind} ${m.status}`, `${kind}${m.text ? `: ${m.text}` : ""}${label}`);
    items.push([m.t, kind, `${m.text || ""}${label}`]);
  }
  for (const {t, title} of replayRows(data, "windows")) items.push([t, K.WINDOW, title]);
  // a web product's pages (capture.js) name what was clicked, and each URL change is a screen change
  for (const {t, label, url} of replayRows(data, "page_clicks")) {
    mark("clicks", t, "tl-click page", `clicked ${label} on ${url}`);
    items.push([t, K.PAGE_CLICK, `clicked ${label}`]);
  }
  for (const {t, url, title} of replayRows(data, "urls")) {
    mark("marks", t, "tl-screen", `screen: ${url}`);
    items.push([t, K.URL, `screen: ${url}${title ? ` · ${title}` : ""}`]);
  }
  function noteText(n) { return `${n.author}: ${n.text}${n.tags.length ? ` [${n.tags.join(", ")}]` : ""}`; }
  function addNote(n) {
    mark("notes", n.t, "tl-note", `${n.author}: ${n.text}`);
    items.push([n.t, "note", noteText(n), n]);
  }
  // tags are defined after the fact: any note's tags can be changed from the list
  async function editTags(n, li) {
    const answer = prompt("Tags for this note, comma separated:", n.tags.join(", "));
    if (answer === null) return;
    const tags = answer.split(",").map((s) => s.trim()).filter(Boolean);
    try {
      const saved = await postJSON(`${root.dataset.notes}/${n.id}/tags`, {tags});
      n.tags = saved.tags;
      li.querySelector(".x").textContent = noteText(n);
    } catch (err) { alert(err.message); }
  }
  data.notes.forEach(addNote);
  function renderList() {
    items.sort((a, b) => a[0] - b[0]);
    list.replaceChildren(...items.map(([t, kind, text, note]) => {
      const li = listItem(t, kind, text);
      if (note) {
        const button = document.createElement("button");
        button.type = "button"; button.className = "link tags"; button.textContent = "tags";
        button.title = "Change this note's tags";
        button.addEventListener("click", (e) => { e.stopPropagation(); editTags(note, li); });
        li.append(button);
      }
      return li;
    }));
  }
  renderList();
  timeline.addEventListener("click", (e) => {
    const rect = timeline.getBoundingClientRect();
    seek(timeAt((e.clientX - rect.left) / rect.width));
  });
  // zoom: the tracks grow wider than the page and scroll, the playhead kept in view
  const ZOOMS = [1, 2, 4, 8, 16];
  let zoom = 0;
  function setZoom(step) {
    zoom = Math.max(0, Math.min(ZOOMS.length - 1, zoom + step));
    timeline.style.width = `calc(${ZOOMS[zoom]} * (100% - 9.3rem))`;
    document.getElementById("zoomlevel").textContent = `${ZOOMS[zoom]}×`;
    const box = timeline.parentElement;
    box.scrollLeft = playhead.offsetLeft - box.clientWidth / 2;
  }
  document.getElementById("zoomin").addEventListener("click", () => setZoom(1));
  document.getElementById("zoomout").addEventListener("click", () => setZoom(-1));

  // --- ripples over the video ---
  function drawRipples() {
    const box = video.getBoundingClientRect();
    if (canvas.width !== Math.round(box.width) || canvas.height !== Math.round(box.height)) {
      canvas.width = Math.round(box.width); canvas.height = Math.round(box.height);
    }
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const sw = width || video.videoWidth, sh = height || video.videoHeight;
    if (!sw || !sh) return;
    // the video is letterboxed inside its box: find the drawn area
    const scale = Math.min(canvas.width / sw, canvas.height / sh);
    const ox = (canvas.width - sw * scale) / 2, oy = (canvas.height - sh * scale) / 2;
    const now = video.currentTime;
    for (const [t, x, y, button, onPrompt] of data.clicks) {
      if (t > now) break;
      const age = now - t;
      if (age > RIPPLE || onPrompt) continue;
      const k = age / RIPPLE;
      ctx.beginPath();
      ctx.arc(ox + x * scale, oy + y * scale, 6 + 26 * k, 0, 2 * Math.PI);
      ctx.strokeStyle = button === "left" ? `rgba(230, 57, 70, ${1 - k})` : `rgba(29, 53, 87, ${1 - k})`;
      ctx.lineWidth = 3;
      ctx.stroke();
      ctx.beginPath();
      ctx.arc(ox + x * scale, oy + y * scale, 4, 0, 2 * Math.PI);
      ctx.fillStyle = `rgba(230, 57, 70, ${1 - k})`;
      ctx.fill();
    }
  }

  // --- playback ---
  const skipIdle = document.getElementById("skipidle");
  function update() {
    const t = video.currentTime || 0;
    playhead.style.left = pct(t);
    clock.textContent = `${formatTime(t)} / ${formatTime(duration)}`;
    document.getElementById("noteat").textContent = formatTime(t);
    drawRipples();
  }
  function tick() {
    if (!video.paused && skipIdle.checked) {
      const t = video.currentTime;
      const span = data.idle.find(([a, b]) => t >= a + 0.5 && t < b - 0.5);
      if (span) video.currentTime = span[1] - 0.5;
    }
    update();
    if (!video.paused) requestAnimationFrame(tick);
  }
  const playButton = document.getElementById("play");
  playButton.addEventListener("click", () => (video.paused ? video.play() : video.pause()));
  playButton.disabled = false;  // disabled in the page until here: a press before would be lost
  video.addEventListener("play", () => { playButton.textContent = "Pause"; requestAnimationFrame(tick); });
  video.addEventListener("pause", () => { playButton.textContent = "Play"; update(); });
  video.addEventListener("seeked", update);
  video.addEventListener("timeupdate", update);
  document.getElementById("speed").addEventListener("change", (e) => { video.playbackRate = Number(e.target.value); });
  document.addEventListener("keydown", (e) => {
    if (e.target.closest("input, textarea, select")) return;
    if (e.key === " ") { e.preventDefault(); playButton.click(); }
    if (e.key === "ArrowLeft") seek(video.currentTime - 5);
    if (e.key === "ArrowRight") seek(video.currentTime + 5);
  });
  window.addEventListener("resize", update);

  // #t=SECONDS opens the replay at that moment
  function fromHash() {
    const m = location.hash.match(/t=([0-9]+(?:\.[0-9]+)?)/);
    if (m) seek(Number(m[1]));
  }
  if (video.readyState >= 1) fromHash(); else video.addEventListener("loadedmetadata", fromHash, {once: true});
  window.addEventListener("hashchange", fromHash);
  document.getElementById("copylink").addEventListener("click", async () => {
    const url = `${location.origin}${location.pathname}#t=${video.currentTime.toFixed(1)}`;
    history.replaceState(null, "", url);
    try { await navigator.clipboard.writeText(url); } catch (e) { /* the address bar has it */ }
  });
  // a time field offers the current time; the first key typed replaces it rather than
  // appending to it (number inputs cannot be selected, so the offer is tracked instead)
  document.querySelectorAll("input[data-now]").forEach((input) => {
    input.addEventListener("focus", () => {
      if (input.value) return;
      input.value = video.currentTime.toFixed(1);
      input.dataset.offered = "1";
    });
    input.addEventListener("keydown", (e) => {
      if (input.dataset.offered && e.key.length === 1 && !e.ctrlKey && !e.metaKey) input.value = "";
      if (!["Tab", "Shift"].includes(e.key)) delete input.dataset.offered;
    });
    input.addEventListener("blur", () => { delete input.dataset.offered; });
  });
  const redact = document.getElementById("redactform");
  if (redact) redact.addEventListener("submit", (e) => {
    if (!confirm("Black out this range for good?")) e.preventDefault();
  });

  // --- notes ---
  document.getElementById("noteform").addEventListener("submit", async (e) => {
    e.preventDefault();
    const error = document.getElementById("noteerror");
    const text = document.getElementById("notetext");
    const tags = document.getElementById("notetags").value.split(",").map((s) => s.trim()).filter(Boolean);
    try {
      const note = await postJSON(root.dataset.notes, {t: video.currentTime, text: text.value, tags});
      addNote(note); renderList();
      text.value = ""; error.hidden = true;
    } catch (err) {
      error.textContent = err.message; error.hidden = false;
    }
  });
  update();
  root.classList.add("ready");
  return {data, video, root, seek, duration, addNote: (n) => { addNote(n); renderList(); }, mark};
}
