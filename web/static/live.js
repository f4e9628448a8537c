// The live page: join the session's room, show the screen with the pointer and click
// ripples, the task and its elapsed time, the event ticker, shared notes and error flags.
import {esc, formatTime, item, uxlab} from "./common.js";
import {liveAudio, liveCamera} from "./live_audio.js";

const E = uxlab.LIVE_EVENTS;
const when = (t) => `<span class="when">${formatTime(t)}</span>`;

// A note's text with its #tags shown as tags where they were written (once, not again after
// the text); the server's list of tags decides what is a tag, the pattern (web/live's TAG)
// only finds where each one is. Tags not found in the text follow it.
const TAG = /(?<![\p{L}\p{N}_#])#([A-Za-z][\p{L}\p{N}_-]{0,31})/gu;
function noteHtml(text, tags) {
  const wanted = new Set(tags.map((t) => t.toLowerCase())), shown = new Set();
  const tag = (name) => `<span class="tag">#${esc(name)}</span>`;
  let html = "", at = 0;
  text = String(text ?? "");
  for (const m of text.matchAll(TAG)) {
    if (!wanted.has(m[1].toLowerCase())) continue;
    html += esc(text.slice(at, m.index)) + tag(m[1]);
    shown.add(m[1].toLowerCase());
    at = m.index + m[0].length;
  }
  const rest = [...wanted].filter((t) => !shown.has(t)).map(tag).join("");
  return html + esc(text.slice(at)) + (rest ? ` ${rest}` : "");
}

// error flags: observers raise them; a researcher confirms or dismisses (live page and console)
function flagList(list, socket, researcher, onError) {
  function show(f) {
    // a flag is a question to the moderator, not an error, until it is confirmed
    const S = uxlab.markerStatus;
    const label = {[S.PENDING]: "to confirm", [S.CONFIRMED]: "error", [S.DISMISSED]: "dismissed"}[f.status] || f.status;
    const li = item(list, `${when(f.t)}<strong>${esc(f.author)}</strong> ${esc(f.text || "flag")} <span class="status">${label}</span>`, f.status);
    li.dataset.id = f.id;
    if (researcher && f.status === S.PENDING) {
      for (const status of [S.CONFIRMED, S.DISMISSED]) {
        const b = document.createElement("button");
        b.textContent = status === S.CONFIRMED ? "Confirm" : "Dismiss";
        b.addEventListener("click", () => socket.emit(E.RESOLVE_FLAG, {id: f.id, status}, (reply) => { if (!reply.ok) onError(reply.error); }));
        li.append(b);
      }
    }
  }
  socket.on(E.FLAG, show);
  socket.on(E.FLAG_RESOLVED, (r) => {
    const li = list.querySelector(`li[data-id="${r.id}"]`);
    if (!li) return;
    li.className = r.status;
    li.querySelector(".status").textContent = r.status === uxlab.markerStatus.CONFIRMED ? "error" : r.status;
    li.querySelectorAll("button").forEach((b) => b.remove());
  });
  return {show, reset: (flags) => { list.innerHTML = ""; flags.forEach(show); }};
}

function watchPage(box) {
  const session = box.dataset.session;
  const researcher = box.dataset.role === uxlab.role.RESEARCHER;
  const $ = (id) => document.getElementById(id);
  const img = $("screen"), stage = $("stage"), cursor = $("cursor");
  const screenSize = {w: +box.dataset.width || 0, h: +box.dataset.height || 0};
  // session time here = the page's own clock + an offset taken from the server and the
  // recorder, so an observer's wrong wall clock cannot skew the elapsed time shown
  let clockOffset = null, state = null, lastUrl = null;
  const socket = io(uxlab.liveNamespace, {transports: ["websocket"]});
  const K = uxlab.eventKind;

  const sessionNow = () => (clockOffset === null ? 0 : performance.now() / 1000 + clockOffset);
  const setNow = (t) => { if (typeof t === "number") clockOffset = t - performance.now() / 1000; };

  // the screen: frames are JPEG bytes; the pointer and clicks come as events, in screen pixels
  socket.on(E.FRAME, (frame) => {
    if (frame.session !== session || box.classList.contains("over")) return;
    const url = URL.createObjectURL(new Blob([frame.jpeg], {type: "image/jpeg"}));
    img.onload = () => { if (lastUrl && lastUrl !== url) URL.revokeObjectURL(lastUrl); lastUrl = url; };
    img.src = url;
    img.hidden = false;
    img.dataset.seq = frame.seq;
    img.dataset.captured = frame.captured;
    $("waiting").hidden = true;
    online(true);
    if (!screenSize.w) { screenSize.w = frame.w; screenSize.h = frame.h; }
  });
  function place(el, x, y) {
    el.style.left = `${(100 * x) / (screenSize.w || 1)}%`;
    el.style.top = `${(100 * y) / (screenSize.h || 1)}%`;
  }
  function ripple(e) {
    const r = document.createElement("div");
    r.className = `ripple ${e.button || ""}`;
    place(r, e.x, e.y);
    stage.append(r);
    setTimeout(() => r.remove(), 1000);
  }
  const describe = {
    [K.CLICK]: (e) => `${e.button} click at ${e.x}, ${e.y}${e.target === uxlab.promptTarget ? " (prompt window)" : ""}`,
    [K.KEY]: (e) => `key ${e.key || "?"}`,   // Enter, Tab, a shortcut, or a redacted key class
    [K.SCROLL]: (e) => `scroll ${e.dx || 0}, ${e.dy || 0} at ${e.x}, ${e.y}`,
    [K.WINDOW]: (e) => `window: ${e.text || e.window || "?"}`,
  };
  // Keys typed as text (keystrokes kept in full) make one ticker line, `typed "..."`, while
  // they follow each other within TYPING_GAP; a key whose text is a control character (Enter,
  // Tab) gets a line of its own, by name, since its text would print as a blank.
  const TYPING_GAP = 3, TYPING_MAX = 120;   // seconds; characters on one line
  let typing = null;   // the newest ticker line while it is typed text: {li, t0, t, text}
  const typedText = (e) => typeof e.text === "string" && e.text !== "" && !/\p{Cc}/u.test(e.text);
  function addTyped(e) {
    const ticker = $("ticker");
    const goesOn = typing && typing.li === ticker.firstElementChild && e.t - typing.t <= TYPING_GAP
      && typing.text.length < TYPING_MAX;
    if (goesOn) typing.text += e.text;
    else typing = {li: item(ticker, ""), t0: e.t, text: e.text};
    typing.t = e.t;
    typing.li.innerHTML = `${when(typing.t0)}${esc(`typed "${typing.text}"`)}`;
  }
  socket.on(E.EVENTS, (batch) => showEvents(batch.events));
  function showEvents(events, fresh = true) {
    for (const e of events) {
      if (uxlab.pointerKinds.includes(e.kind) && e.x != null) {
        place(cursor, e.x, e.y);
        cursor.hidden = false;
      }
      if (fresh && e.kind === K.CLICK && e.pressed) ripple(e);
      if (e.kind === K.KEY && typedText(e)) addTyped(e);
      else if (describe[e.kind] && (e.kind !== K.CLICK || e.pressed)) item($("ticker"), `${when(e.t)}${esc(describe[e.kind](e))}`);
    }
  }

  // the task: name, prompt, elapsed time, outcomes so far
  // the recorder said the session ended: say so, and leave nothing that looks usable
  function over() {
    box.classList.add("over");
    box.querySelectorAll("button, input").forEach((el) => { el.disabled = true; });
    img.hidden = true; cursor.hidden = true;
    $("waiting").hidden = false;
    $("waiting").textContent = "This session is over: nothing is being recorded.";
    $("recorder").textContent = "session over";
    $("recorder").classList.add("off");
  }
  function showState(s) {
    if (!s) return;
    state = s;
    if (s.ended) over();
    $("task").textContent = s.ended ? "Session ended" : s.task ? `Task: ${s.task}` : "Between tasks";
    $("prompt").textContent = s.prompt || "";
    $("paused").hidden = !s.paused;
    showAttempts(s.attempts || []);
  }
  function showAttempts(attempts) {
    const last = {};
    for (const a of attempts) last[a.task] = a;
    for (const li of $("tasks").children) {
      const a = last[li.dataset.task];
      const out = li.querySelector(".outcome");
      li.classList.toggle("running", !!a && !a.outcome);
      out.className = `outcome ${a && a.outcome ? a.outcome : "muted"}`;
      out.textContent = !a ? "not started" : a.outcome ? `${a.outcome.replace("_", " ")} · ${formatTime(a.ended - a.started)}` : "running";
    }
  }
  setInterval(() => {
    $("elapsed").textContent = state && state.task && state.started != null && !state.ended
      ? `${formatTime(sessionNow() - state.started)} on task` : "";
  }, 250);
  socket.on(E.STATE, (s) => { if (s.session === session) { if (!s.ended) online(true); setNow(s.t); showState(s); } });
  socket.on(E.MARKER, (m) => item($("ticker"), `${when(m.t)}<strong>${esc(m.kind)}</strong> ${esc(m.text || "")}`, "marker"));
  // live captions (web/live/captions.py): the latest words under the screen, with who said
  // them, named as the replay's transcript names its speakers (participant, moderator)
  socket.on(E.CAPTION, (c) => {
    if (c.session !== session || box.classList.contains("over")) return;
    const line = $("captions");
    const speaker = c.speaker || uxlab.speaker.PARTICIPANT;
    line.innerHTML = `<strong class="who">${esc(speaker)}</strong> <span class="words">${esc(c.text)}</span>`;
    line.className = `captions muted ${speaker}`;
    line.dataset.t = c.t;
    line.dataset.speaker = speaker;
    line.hidden = false;
  });
  function online(yes) {
    $("recorder").textContent = yes ? "recorder online" : "recorder offline";
    $("recorder").classList.toggle("off", !yes);
  }
  socket.on(E.RECORDER, (r) => { if (!box.classList.contains("over")) online(r.online); });

  // shared notes and error flags
  function showNote(n) {
    item($("notes"), `${when(n.t)}<strong>${esc(n.author)}</strong> ${noteHtml(n.text, n.tags || [])}`);
  }
  socket.on(E.NOTE, showNote);
  if ($("listen")) liveAudio(socket, session, $("listen"));
  if ($("pip")) liveCamera(socket, session, $("pip").querySelector("img"));
  const flags = flagList($("flags"), socket, researcher, notice);
  function notice(text) { $("notice").textContent = text; $("notice").hidden = !text; }
  function sent(text, reply) {  // clear the field only if nothing new was typed meanwhile
    if (!reply.ok) return notice(reply.error);
    if ($("notetext").value === text) $("notetext").value = "";
    notice("");
  }
  $("noteform").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("notetext").value;
    if (!text.trim()) return;
    socket.emit(E.NOTE, {text}, (reply) => sent(text, reply));
  });
  $("flag").addEventListener("click", () => {
    const text = $("notetext").value;
    socket.emit(E.FLAG, {text}, (reply) => sent(text, reply));
  });

  socket.on("connect", () => {
    $("conn").textContent = "Connected";
    socket.emit(E.JOIN, {session}, (reply) => {
      if (!reply.ok) { $("conn").textContent = `Not joined: ${reply.error}`; return; }
      setNow(reply.now);
      $("ticker").innerHTML = "";   // what happened before this observer joined
      showEvents(reply.events || [], false);
      $("notes").innerHTML = "";
      reply.notes.forEach(showNote);
      flags.reset(reply.flags);
      showAttempts(reply.attempts);
      showState(reply.state);
    });
  });
  socket.on("connect_error", (err) => { $("conn").textContent = `Cannot connect: ${err.message}`; });
  socket.on("disconnect", () => { $("conn").textContent = "Disconnected; reconnecting…"; });
}

// the moderator console's panel of observers' flags still waiting for confirmation
function flagPanel(box) {
  const socket = io(uxlab.liveNamespace, {transports: ["websocket"]});
  const list = box.querySelector("ol");
  const flags = flagList(list, socket, box.dataset.role === uxlab.role.RESEARCHER, (text) => { box.querySelector(".error").textContent = text; });
  socket.on("connect", () => {
    socket.emit(E.JOIN, {session: box.dataset.session}, (reply) => {
      if (reply.ok) flags.reset(reply.flags.filter((f) => f.status === uxlab.markerStatus.PENDING));
    });
  });
}

const page = document.getElementById("live");
if (page) watchPage(page);
const panel = document.getElementById("live-flags");
if (panel) flagPanel(panel);
