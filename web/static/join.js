// The participant's join page: consent, a device check, screen sharing, and the recording
// sent to the server a chunk at a time. It imports only the call (call.js), which it shares
// with the moderator's console: the page runs on a participant's own browser with no login,
// and needs none of the lab's pages' helpers.
//
// Every chunk is numbered within its run (one MediaRecorder from start to stop) and kept
// in IndexedDB until the server acknowledges it; chunks not acknowledged (offline, a server
// restart, a reload) are sent again, in order, as soon as the server answers. Times are on
// the session clock: the page measures the offset to the server's clock (the exchange with
// the shortest round trip, taking half the round trip as the one-way delay).

import {levelOf, openCall, recordVoice} from "./call.js";

import {camera as cameraOf} from "./join_camera.js";

const root = document.getElementById("join");
// sessions/events.py's js_constants, embedded by base.html: the live namespace and event names
const uxlab = JSON.parse(document.getElementById("uxlab-constants")?.textContent || "{}");
const base = root.dataset.base;
const $ = (id) => document.getElementById(id);
const CHUNK_MS = 1000;
// an upload slower than the recording: past this many seconds waiting while chunks still go
// through, the recorder starts again at a lower bitrate (down to the floor), and says so
const SLOW_BACKLOG = 6, BITRATES = [1_200_000, 600_000, 300_000];
const FORMATS = ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm",
                 "video/mp4;codecs=avc1.42E01E,opus", "video/mp4"];

const page = {bitrate: 0, lowered: 0, failed: 0, session: null, startedAt: 0, offset: 0, state: null, mic: null, display: null,
              recorder: null, run: null, ending: false, timer: null, db: null, sending: false};

// the participant's camera, when the study records it (join_camera.js)
const camera = cameraOf(root, $("camera-note"), {
  call: (path, options) => call(path, options), keep: (chunk) => keep(chunk), clientNow: () => clientNow(),
  toSession: (at) => at + page.offset - page.startedAt, session: () => page.session,
  marker: (what) => call("/marker", {method: "POST", body: {what, t: sessionNow()}}).catch(() => {}),
  live: () => (page.paused || page.display?.getVideoTracks()[0]?.readyState !== "live" ? null : page.live?.socket || null)});

// -- talking to the server ---------------------------------------------------------------
async function call(path, {method = "GET", body, raw} = {}) {
  const options = {method, credentials: "same-origin", headers: {Accept: "application/json"}};
  if (raw !== undefined) {
    options.body = raw;
    options.headers["Content-Type"] = "application/octet-stream";
  } else if (body !== undefined) {
    options.body = JSON.stringify(body);
    options.headers["Content-Type"] = "application/json";
  }
  const response = await fetch(base + path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.error || `the server answered ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

const clientNow = () => (performance.timeOrigin + performance.now()) / 1000;
const sessionNow = () => clientNow() + page.offset - page.startedAt;

async function syncClock(samples = 5) {
  let best = null;
  for (let i = 0; i < samples; i++) {
    const sent = clientNow();
    const {server} = await call("/clock");
    const received = clientNow();
    const trip = received - sent;
    if (!best || trip < best.trip) best = {trip, offset: server - (sent + received) / 2};
  }
  page.offset = best.offset;
  return best.trip;
}

function say(text) { $("status").textContent = text || ""; }
function problem(text) {
  $("problem").textContent = text || "";
  $("problem").hidden = !text;
}
function show(step) {
  for (const id of ["consent-step", "device-step", "task-step", "question-step", "share-again-step", "paused-step",
                    "end-step"]) {
    $(id).hidden = id !== step;
  }
}

// -- chunks kept until acknowledged ---------------------------------------------------------
function openStore() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open("uxlab-join", 1);
    request.onupgradeneeded = () => request.result.createObjectStore("chunks", {keyPath: "key"});
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function kept(mode, work) {
  return new Promise((resolve, reject) => {
    const tx = page.db.transaction("chunks", mode);
    const result = work(tx.objectStore("chunks"));
    tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
    tx.onerror = () => reject(tx.error);
  });
}

const keyOf = (c) => `${c.session}/${c.track}/${String(c.run).padStart(3, "0")}/${String(c.seq).padStart(6, "0")}`;

async function keep(chunk) {
  await kept("readwrite", (store) => store.put({...chunk, key: keyOf(chunk)}));
  send();
}

async function pending() {
  const all = await kept("readonly", (store) => store.getAll());
  return (all || []).filter((c) => c.session === page.session).sort((a, b) => (a.key < b.key ? -1 : 1));
}

async function send() {
  if (page.sending) return;
  page.sending = true;
  let wait = 500;
  try {
    for (;;) {
      const queue = await pending();
      root.dataset.pending = String(queue.length);   // chunks not yet acknowledged
      if (!queue.length) break;
      const chunk = queue[0];
      try {
        await call(`/chunk/${chunk.track}/${chunk.run}/${chunk.seq}?t=${chunk.t.toFixed(3)}`, {method: "POST", raw: chunk.blob});
        await kept("readwrite", (store) => store.delete(chunk.key));
        wait = 500;
        if (page.refused) { page.refused = false; problem(""); }
        if (queue.length > 3) say(`Sending your recording (${queue.length - 1} s still to send)…`);
        if (queue.length > SLOW_BACKLOG && Date.now() - page.failed > 20_000) slower();   // not a backlog left by an outage
        else if (!page.ending) say("Recording.");
      } catch (error) {
        console.warn("chunk not sent:", error.message);
        page.failed = Date.now();
        if (error.status && error.status < 500 && error.status !== 429) {
          problem(error.message);   // refused for good (a closed link): keep nothing waiting
          await kept("readwrite", (store) => store.delete(chunk.key));
          continue;
        }
        if (error.status === 503) {   // the server cannot store it (its disk is full): its sentence
          problem(error.message);
          page.refused = true;
          say(`Your recording is kept on this computer (${queue.length} s) and sent when the study's server can store it.`);
        } else {
          say(`The connection to the study is away: your recording is kept on this computer ` +
              `(${queue.length} s) and sent when it is back.`);
        }
        // the network or the server being back ends the wait at once (the "online" listener, refresh)
        await new Promise((r) => { page.wake = r; setTimeout(r, wait); });
        page.wake = null;
        wait = Math.min(wait * 2, 4000);
      }
    }
  } finally {
    page.sending = false;
  }
}

// -- devices -------------------------------------------------------------------------------
function limits() {
  const notes = [];
  if (!navigator.mediaDevices?.getDisplayMedia) {
    notes.push("This browser cannot share a screen (phones and tablets cannot): please join from a computer with Chrome, Edge or Firefox.");
  }
  if (typeof MediaRecorder === "undefined") notes.push("This browser cannot record: please use a recent Chrome, Edge or Firefox.");
  notes.push("Sound playing on your computer is not recorded, only your microphone.");
  if (!window.isSecureContext) notes.push("This page is not served over HTTPS, so the browser may refuse to share the screen.");
  $("limits").innerHTML = "";
  for (const text of notes) {
    const li = document.createElement("li");
    li.textContent = text;
    $("limits").append(li);
  }
  return !!navigator.mediaDevices?.getDisplayMedia && typeof MediaRecorder !== "undefined";
}

async function deviceCheck() {
  show("device-step");
  const usable = limits();
  $("share").disabled = true;   // until the microphone is there
  try {
    page.mic = await navigator.mediaDevices.getUserMedia({audio: {echoCancellation: true, noiseSuppression: true}});
    await camera.check($("camera-preview"));   // refused: said, and the session goes on without it
    $("share").disabled = !usable;
  } catch (error) {
    problem("The browser did not let this page use your microphone, so nothing is recorded. " +
            "Allow the microphone for this page (the icon in the address bar) and reload it.");
    $("share").disabled = true;
    return;
  }
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  context.createMediaStreamSource(page.mic).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  const meter = () => {
    analyser.getFloatTimeDomainData(samples);
    let peak = 0;
    for (const s of samples) peak = Math.max(peak, Math.abs(s));
    $("level").value = peak;
    $("level").dataset.peak = Math.max(Number($("level").dataset.peak || 0), peak).toFixed(3);
    if (!page.ending) requestAnimationFrame(meter);
  };
  meter();
}

async function askToShare() {
  try {
    return await navigator.mediaDevices.getDisplayMedia({video: {frameRate: Number(root.dataset.fps) || 10,
                                                                  displaySurface: "monitor"}, audio: false});
  } catch (error) {
    problem("Screen sharing was not allowed, so nothing is recorded. Press the button again and choose your entire screen.");
    return null;
  }
}

// -- the recording -------------------------------------------------------------------------
function format() {
  return FORMATS.find((f) => MediaRecorder.isTypeSupported(f)) || "";
}

// Starts a recorder at once; the returned `ready()` claims its run once the session and the
// clock are known (a resumed session records before it has asked the server anything, so a
// reload loses as little as it can). Chunks made before that wait, stamped on this clock.
function startRecording(display) {
  page.display = display;
  const video = display.getVideoTracks()[0];
  const surface = video.getSettings().displaySurface || null;
  root.dataset.surface = surface || "";
  if (surface && surface !== "monitor") {
    say(surface === "browser" ? "You are sharing one tab: it is recorded, but please share your entire screen next time."
                              : "You are sharing one window: it is recorded, but please share your entire screen next time.");
  }
  const stream = new MediaStream([video, ...page.mic.getAudioTracks()]);
  const mime = format();
  const recorder = new MediaRecorder(stream, {mimeType: mime, videoBitsPerSecond: BITRATES[page.bitrate],
                                              audioBitsPerSecond: 48_000});
  root.dataset.bitrate = String(BITRATES[page.bitrate]);
  const clientStart = clientNow();
  recorder.start(CHUNK_MS);
  page.recorder = recorder;
  let run = null, seq = 0;
  const early = [];
  const hand = (c) => keep({session: page.session, track: "screen", run, seq: c.seq,
                            t: c.at + page.offset - page.startedAt, blob: c.blob});
  recorder.ondataavailable = (event) => {
    if (!event.data.size) return;
    const c = {seq: seq++, at: clientNow(), blob: event.data};
    if (run === null) early.push(c); else hand(c);
  };
  video.addEventListener("ended", () => stoppedSharing(recorder));
  root.dataset.recording = "1";
  return async () => {
    const start = Math.max(0, clientStart + page.offset - page.startedAt);
    ({run} = await call("/run", {method: "POST", body: {track: "screen", start, mime: recorder.mimeType || mime, surface}}));
    page.run = run;
    recorder.onstop = () => { root.dataset.stopped = String(run); };
    for (const c of early.splice(0)) hand(c);
    root.dataset.run = String(run);
  };
}

function stopRecorder(recorder) {
  return new Promise((resolve) => {
    if (!recorder || recorder.state === "inactive") return resolve();
    recorder.addEventListener("stop", () => setTimeout(resolve, 0), {once: true});
    recorder.stop();
  });
}

async function stoppedSharing(recorder) {
  if (page.ending || recorder !== page.recorder) return;
  await stopRecorder(recorder);
  root.dataset.recording = "0";
  call("/marker", {method: "POST", body: {what: "share_stopped", t: sessionNow()}}).catch(() => {});
  show("share-again-step");
}

async function shareAgain() {
  const display = await askToShare();
  if (!display) return;
  problem("");
  await startRecording(display)();
  call("/marker", {method: "POST", body: {what: "share_again", t: sessionNow()}}).catch(() => {});
  render(page.state);
}

async function begin() {
  problem("");
  const display = await askToShare();
  if (!display) return;
  const video = display.getVideoTracks()[0];
  // a session already begun (a reload) records first; a new one begins first, so that its
  // recording starts after the session's time 0
  const early = root.dataset.resuming === "1" ? startRecording(display) : null;
  const answer = await call("/begin", {method: "POST", body: {
    surface: video.getSettings().displaySurface || null, microphone: !!page.mic,
    browser: navigator.userAgent}});
  page.session = answer.session;
  page.startedAt = answer.started_at;
  root.dataset.session = answer.session;
  const trip = await syncClock();
  root.dataset.roundTrip = trip.toFixed(4);
  await (early || startRecording(display))();
  camera.start();
  send();
  startLive();
  startCall();
  await refresh();
  setInterval(() => { if (!page.ending) refresh(root.dataset.mode !== "moderated"); }, 1000);
}

// -- live: observers see and hear the session through the same contract as a native one --------
// Frames and sound go out as volatile messages: when the link is slow or away they are
// dropped, never queued, and never hold up the recording, which travels on its own.
const LIVE_FPS = 4, LIVE_WIDTH = 960, LIVE_RATE = 16000;

function startLive() {
  if (typeof window.io !== "function" || page.live) return;
  const token = base.split("/").pop();
  const socket = window.io(uxlab.liveNamespace, {transports: ["websocket"], auth: {join: token}});
  const live = page.live = {socket, seq: 0, seqs: {}, voices: {}, timers: []};
  const video = document.createElement("video");
  video.muted = true;
  video.playsInline = true;
  const canvas = document.createElement("canvas");
  const send = () => {
    const track = page.display?.getVideoTracks()[0];
    if (!socket.connected || !track || track.readyState !== "live" || live.busy) return;
    if (video.srcObject !== page.display) {
      video.srcObject = page.display;
      video.play().catch(() => {});
    }
    if (!video.videoWidth) return;
    const scale = Math.min(1, LIVE_WIDTH / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * scale / 2) * 2;
    canvas.height = Math.round(video.videoHeight * scale / 2) * 2;
    const captured = Date.now() / 1000, t = sessionNow();
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    live.busy = true;
    canvas.toBlob(async (blob) => {
      live.busy = false;
      if (!blob) return;
      const jpeg = await blob.arrayBuffer();
      const now = Date.now() / 1000;
      socket.volatile.emit(uxlab.LIVE_EVENTS.FRAME, {t: Math.max(0, t), seq: live.seq++, w: canvas.width, h: canvas.height,
                                     jpeg, captured, offered: now, sent: now});
    }, "image/jpeg", 0.6);
  };
  live.timers.push(setInterval(send, 1000 / LIVE_FPS));
  if (page.mic) publishVoice(live, page.mic, uxlab.speaker.PARTICIPANT);   // the moderator's: moderatorVoice
}

// One speaker's voice sent live as 16 kHz 16-bit mono, a quarter second a message, numbered
// per speaker, on the live socket's one audio context. Nothing goes out during the privacy
// pause (from the moment it is asked, before the socket closes) or once the stream's track
// has ended (a closed call); a new stream of the same speaker replaces the old one.
function publishVoice(live, stream, speaker) {
  live.voices[speaker]?.stop();
  const track = stream.getAudioTracks()[0];
  if (!track) return;
  const context = live.context = live.context || new AudioContext({sampleRate: LIVE_RATE});
  context.resume().catch(() => {});
  const source = context.createMediaStreamSource(stream);
  const node = context.createScriptProcessor(4096, 1, 1);
  live.seqs[speaker] = live.seqs[speaker] || 0;
  node.onaudioprocess = (event) => {
    if (!live.socket.connected || page.paused || page.ending || track.readyState !== "live") return;
    const input = event.inputBuffer.getChannelData(0);
    const pcm = new Int16Array(input.length);
    for (let i = 0; i < input.length; i++) pcm[i] = Math.max(-32768, Math.min(32767, input[i] * 32768));
    const t = sessionNow() - input.length / LIVE_RATE;
    live.socket.volatile.emit(uxlab.LIVE_EVENTS.AUDIO, {t: Math.max(0, t), seq: live.seqs[speaker]++, rate: LIVE_RATE,
                                                        pcm: pcm.buffer, sent: Date.now() / 1000, speaker});
  };
  source.connect(node);
  node.connect(context.destination);   // a processor runs only when connected; it outputs silence
  live.voices[speaker] = {stop() { node.onaudioprocess = null; source.disconnect(); node.disconnect(); }};
}

// the moderator's voice is no longer sent live (the call ended or the moderator left it)
function stopModeratorLive() {
  page.live?.voices[uxlab.speaker.MODERATOR]?.stop();
  if (page.live) delete page.live.voices[uxlab.speaker.MODERATOR];
}

// -- the moderator's call (a moderated session): their voice is heard here, recorded as its
// own track ("moderator") in chunks like the screen's, so the session has both voices, and
// sent live beside the participant's, so observers hear the questions too
function startCall() {
  if (root.dataset.mode !== "moderated" || page.call || !page.mic || typeof window.io !== "function") return;
  page.call = openCall({uxlab, session: page.session, auth: {join: base.split("/").pop()}, mic: page.mic,
                        offers: false, onState: (state) => {
                          root.dataset.call = state;
                          $("call-note").hidden = state !== "connected";
                          if (["waiting", "closed", "elsewhere", "refused"].includes(state)) {
                            page.moderator = null;   // that stream is over; the next connection brings another
                            stopModeratorLive();
                          }
                        }, onRemote: moderatorVoice});
}

async function moderatorVoice(stream) {
  page.moderator = stream;
  page.moderatorMeter?.stop();
  page.moderatorMeter = levelOf(stream, (level, peak) => {
    root.dataset.moderatorLevel = level.toFixed(3);
    root.dataset.moderatorPeak = peak.toFixed(3);
  });
  await page.moderatorRecorder?.stop();
  page.moderatorRecorder = null;
  if (page.paused || page.ending || page.moderator !== stream) return;
  page.moderatorRecorder = recordVoice(stream, {
    now: sessionNow,
    claim: async (start, mime) => (await call("/run", {method: "POST", body: {track: "moderator", start, mime}})).run,
    keep: (run, c) => keep({session: page.session, track: "moderator", run, seq: c.seq, t: c.t, blob: c.blob}),
  });
  try {   // live sound is best-effort: it never stands in the recording's way
    if (page.live) publishVoice(page.live, stream, uxlab.speaker.MODERATOR);
  } catch (error) {
    console.warn("the moderator's voice is not sent live:", error.message);
  }
}

async function stopCallRecording() {
  const recorder = page.moderatorRecorder;
  page.moderatorRecorder = null;
  await recorder?.stop();
}

function stopLive() {
  const live = page.live;
  if (!live) return;
  for (const timer of live.timers) clearInterval(timer);
  live.context?.close();
  live.socket.disconnect();
  page.live = null;
}

// The upload cannot keep up (chunks are acknowledged, but more wait each second): record the
// rest at a lower bitrate, in a new run that starts where the old one stopped.
async function slower() {
  if (page.bitrate >= BITRATES.length - 1 || page.paused || page.ending || !page.recorder
      || Date.now() - page.lowered < 10_000) return;
  page.lowered = Date.now();
  page.bitrate += 1;
  const old = page.recorder;
  const ready = startRecording(page.display);
  await stopRecorder(old);
  await ready();
  $("quality").hidden = false;
  root.dataset.lowered = String(page.bitrate);
}

// -- the privacy pause: capture stops, nothing is stored for the stretch, the markers say so ----
async function pause(asked = false) {
  if (page.paused || !page.recorder) return;
  page.paused = true;
  root.dataset.paused = "1";
  const t = sessionNow();
  await stopRecorder(page.recorder);   // first: nothing more is captured
  await camera.stop();
  await stopCallRecording();
  page.pausedAt = t;
  await call("/marker", {method: "POST", body: {what: "pause", t, asked}}).catch(() => {});
  stopLive();
  show("paused-step");
}

async function resume(asked = false) {
  if (!page.paused || page.resuming) return;
  page.resuming = true;
  const t = sessionNow();
  const ready = startRecording(page.display);
  camera.start();
  await call("/marker", {method: "POST", body: {what: "resume", t, asked}}).catch(() => {});
  await ready();
  page.resuming = false;
  // a running task's time limit leaves the pause out (the server's next state says the same)
  if (page.state?.stage === "task") page.state.paused_for = (page.state.paused_for || 0) + (t - page.pausedAt);
  startLive();
  page.paused = false;
  if (page.moderator) moderatorVoice(page.moderator);
  root.dataset.paused = "0";
  render(page.state);
}

// -- tasks and questions -------------------------------------------------------------------
async function refresh(pauseOnly = false) {
  try {
    const state = await call("/state");
    // the server answers again (restarted, the network back, or it could not store a chunk and
    // may have room now): what is kept goes out now, not after the sender's back-off
    if (page.unanswered || page.refused) { page.unanswered = false; page.wake?.(); }
    // the moderator's console asked for the privacy pause, or to resume from it
    if (state.asked === "pause" && !page.ending && root.dataset.recording === "1") pause(true);   // not while asked to share again
    else if (state.asked === "resume" && !page.ending) resume(true);
    if (pauseOnly || (page.state && state.key === page.state.key)) {   // nothing changed: keep what is typed
      if (page.state) page.state.paused_for = state.paused_for;
      return;
    }
    render(state);
  } catch (error) {   // the pause-only poll stays quiet: send() says what became of the recording
    page.unanswered = true;
    if (!pauseOnly) say("The study's server does not answer just now; your recording is kept and sent when it does.");
  }
}

function render(state) {
  if (!state) return;
  page.state = state;
  root.dataset.stage = state.stage;
  clearInterval(page.timer);
  $("timer").textContent = "";
  if (page.paused) return show("paused-step");
  if (page.recorder && page.recorder.state === "inactive" && !page.ending) return show("share-again-step");
  if (state.stage === "ready" || state.stage === "task") {
    show("task-step");
    const moderated = root.dataset.mode === "moderated";
    $("task-count").textContent = `Task ${state.tasks_done + 1} of ${state.tasks_total}`;
    $("prompt").textContent = state.prompt || "";
    $("moderated-note").hidden = !moderated;
    $("start").hidden = moderated || state.stage !== "ready";
    $("done").hidden = $("give-up").hidden = moderated || state.stage !== "task";
    if (state.stage === "task" && state.time_limit) countDown(state);
  } else if (state.stage === "post_task" || state.stage === "post_session") {
    questions(state);
  } else if (state.stage === "done") {
    finish();
  } else {
    show("task-step");
    $("prompt").textContent = "Please wait for the moderator.";
  }
}

function countDown(state) {
  const tick = () => {
    const left = state.started + (state.paused_for || 0) + state.time_limit - sessionNow();
    $("timer").textContent = left > 0 ? `${Math.ceil(left)} s left` : "Time is up.";
    if (left <= 0) {
      clearInterval(page.timer);
      act("timed_out");
    }
  };
  tick();
  page.timer = setInterval(tick, 250);
}

async function act(action) {
  const t = sessionNow();
  for (const id of ["start", "done", "give-up"]) $(id).disabled = true;
  try {
    render(await call("/task", {method: "POST", body: {action, task: page.state.task, t}}));
  } catch (error) {
    problem(error.message);
    await refresh();
  } finally {
    for (const id of ["start", "done", "give-up"]) $(id).disabled = false;
  }
}

function questions(state) {
  show("question-step");
  $("question-about").textContent = state.stage === "post_task" ? `You just finished: ${state.prompt}` : "A few last questions";
  const form = $("questions");
  form.innerHTML = "";
  form.dataset.key = state.key;
  for (const instrument of state.instruments) {
    if (instrument.title) {
      const h = document.createElement("h2");
      h.textContent = instrument.title;
      form.append(h);
    }
    for (const item of instrument.items) {
      const name = `${instrument.id}.${item.id}`;
      const set = document.createElement("fieldset");
      set.className = "item";
      set.dataset.name = name;
      const legend = document.createElement("legend");
      legend.textContent = item.prompt;
      set.append(legend);
      if (item.kind === "text") {
        const area = document.createElement("textarea");
        area.name = name;
        area.rows = 3;
        area.maxLength = 2000;
        set.append(area);
      } else {
        const scale = document.createElement("div");
        scale.className = "scale";
        const end = (text) => { const s = document.createElement("span"); s.className = "end"; s.textContent = text; return s; };
        scale.append(end(item.labels[0]));
        for (let v = item.low; v <= item.high; v++) {
          const label = document.createElement("label");
          label.className = "point";
          const input = document.createElement("input");
          Object.assign(input, {type: "radio", name, value: String(v)});
          const span = document.createElement("span");
          span.textContent = String(v);
          label.append(input, span);
          scale.append(label);
        }
        scale.append(end(item.labels[1]));
        set.append(scale);
      }
      form.append(set);
    }
  }
  const submit = document.createElement("button");
  submit.className = "primary big";
  submit.type = "submit";
  submit.textContent = "Submit";
  form.append(submit);
}

async function answer(event) {
  event.preventDefault();
  const form = $("questions");
  const values = {};
  for (const [name, value] of new FormData(form)) values[name] = value;
  try {
    render(await call("/answers", {method: "POST", body: {key: form.dataset.key, values}}));
    problem("");
  } catch (error) {
    problem(error.message);
  }
}

async function finish() {
  if (page.ending) return;
  page.ending = true;
  show("end-step");
  const t = sessionNow();
  await Promise.all([stopRecorder(page.recorder), camera.close()]);   // the camera ends with the screen
  await stopCallRecording();
  page.call?.close();
  page.moderatorMeter?.stop();
  $("call-note").hidden = true;
  stopLive();
  for (const track of page.display?.getTracks() || []) track.stop();
  for (const track of page.mic?.getTracks() || []) track.stop();
  $("end-text").textContent = "Sending the last of your recording…";
  while ((await pending()).length) {
    await send();
    if ((await pending()).length) await new Promise((r) => setTimeout(r, 1000));
  }
  for (;;) {
    try {
      await call("/end", {method: "POST", body: {t}});
      break;
    } catch (error) {
      if (error.status && error.status < 500) { problem(error.message); return; }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  $("end-text").textContent = "Your session is complete and everything was received. You can close this page now.";
  root.dataset.ended = "1";
}

// -- wiring ----------------------------------------------------------------------------------
// a reload or a reopened link: consent was given for this session, so the page goes straight to
// sharing the screen again (the browser asks for a click before it shares)
if (root.dataset.resuming === "1") {
  $("share").textContent = "Continue: share your screen again";
  deviceCheck();
}
$("consent").addEventListener("change", () => { $("agree").disabled = !$("consent").checked; });
$("agree").addEventListener("click", deviceCheck);
$("share").addEventListener("click", () => begin().catch((error) => problem(error.message)));
$("share-again").addEventListener("click", () => shareAgain().catch((error) => problem(error.message)));
$("start").addEventListener("click", () => act("start"));
$("done").addEventListener("click", () => act("success"));
$("give-up").addEventListener("click", () => act("gave_up"));
$("questions").addEventListener("submit", answer);
$("pause").addEventListener("click", () => pause().catch((error) => problem(error.message)));
$("resume").addEventListener("click", () => resume().catch((error) => problem(error.message)));
window.addEventListener("online", () => { page.wake?.(); send(); });
openStore().then((db) => { page.db = db; root.dataset.ready = "1"; })
  .catch(() => problem("This browser cannot keep the recording while offline (private mode?); it is sent as it is made."));
