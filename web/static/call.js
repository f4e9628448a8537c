// The call of a remote moderated session: WebRTC audio between the moderator's console page
// and the participant's join page, signalled through the server's call namespace
// (web/live/call_signal.py relays offer, answer and ICE candidates between those two pages only).
//
// The moderator's page makes every offer, and each offer carries a number that the answer and
// the ICE candidates repeat: a page that came back (a reload, a reconnect) gets a fresh
// connection, and a late message of an older one is ignored. Imported by join.js and console.js.

const CHUNK_MS = 1000;
const VOICE_FORMATS = ["audio/webm;codecs=opus", "audio/webm", "audio/mp4"];

// The peak of the last ~0.3 s of a stream, read by an AnalyserNode; `report(level, peak)`
// is called on every animation frame until `stop()`. Chromium feeds a remote WebRTC stream
// to Web Audio only while a media element plays it too, which the call does.
export function levelOf(stream, report) {
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 2048;
  context.createMediaStreamSource(stream).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let peak = 0, running = true, recent = [];
  const tick = () => {
    if (!running) return;
    analyser.getFloatTimeDomainData(samples);
    let now = 0;
    for (const s of samples) now = Math.max(now, Math.abs(s));
    recent = [...recent.slice(-17), now];   // ~0.3 s at 60 frames a second
    const level = Math.max(...recent);
    peak = Math.max(peak, level);
    report(level, peak);
    requestAnimationFrame(tick);
  };
  context.resume().catch(() => {});
  tick();
  return {stop() { running = false; context.close().catch(() => {}); }};
}

// Opens the call for one session. `auth` is what the page connects with ({join: token} on the
// join page; nothing on the console, whose login cookie goes along), `mic` the page's own
// microphone stream, `offers` true on the moderator's page. `onState(state, detail)` hears
// "waiting" (the other side is not there), "connecting", "connected", "elsewhere" (this side
// took the call on another page) and "refused"; `onRemote(stream)` gets the other side's
// voice each time a connection brings it.
export function openCall({uxlab, session, auth, mic, offers, onState, onRemote}) {
  const E = uxlab.CALL_EVENTS;
  const socket = window.io(uxlab.callNamespace, {transports: ["websocket"], auth: auth || {}});
  const player = new Audio();
  player.autoplay = true;
  const call = {socket, pc: null, n: 0, iceServers: [], waiting: [], closed: false};
  const state = (name, detail) => { if (!call.closed || name === "closed") onState?.(name, detail); };

  function fresh(n) {
    call.pc?.close();
    call.n = n;
    call.waiting = [];
    const pc = call.pc = new RTCPeerConnection({iceServers: call.iceServers});
    for (const track of mic.getAudioTracks()) pc.addTrack(track, mic);
    pc.onicecandidate = (event) => {
      if (pc !== call.pc) return;
      socket.emit(E.SIGNAL, {kind: "ice", n, candidate: event.candidate ? event.candidate.toJSON() : null});
    };
    pc.ontrack = (event) => {
      if (pc !== call.pc) return;
      const stream = event.streams[0] || new MediaStream([event.track]);
      player.srcObject = stream;
      player.play().catch(() => {});
      onRemote?.(stream);
    };
    pc.onconnectionstatechange = () => {
      if (pc !== call.pc) return;
      if (pc.connectionState === "connected") state("connected");
      else if (pc.connectionState === "failed" && offers) offer();   // try again with a new connection
      else if (["disconnected", "failed", "connecting"].includes(pc.connectionState)) state("connecting");
    };
    return pc;
  }

  async function offer() {
    const pc = fresh(call.n + 1);
    state("connecting");
    await pc.setLocalDescription(await pc.createOffer());
    socket.emit(E.SIGNAL, {kind: "offer", n: call.n, sdp: pc.localDescription.sdp});
  }

  async function flush(pc) {
    for (const candidate of call.waiting.splice(0)) await pc.addIceCandidate(candidate).catch(() => {});
  }

  socket.on(E.SIGNAL, async (signal) => {
    try {
      if (signal.kind === "offer" && !offers) {
        const pc = fresh(signal.n);
        state("connecting");
        await pc.setRemoteDescription({type: "offer", sdp: signal.sdp});
        await flush(pc);
        await pc.setLocalDescription(await pc.createAnswer());
        socket.emit(E.SIGNAL, {kind: "answer", n: signal.n, sdp: pc.localDescription.sdp});
      } else if (signal.kind === "answer" && offers && signal.n === call.n && call.pc) {
        await call.pc.setRemoteDescription({type: "answer", sdp: signal.sdp});
        await flush(call.pc);
      } else if (signal.kind === "ice" && signal.n === call.n && call.pc) {
        if (!signal.candidate) return;
        if (call.pc.remoteDescription) await call.pc.addIceCandidate(signal.candidate);
        else call.waiting.push(signal.candidate);
      }
    } catch (error) {
      console.warn("call signal not taken:", error.message);
    }
  });
  socket.on(E.PEER, ({present}) => {
    if (present) {
      state("connecting");
      if (offers) offer();
    } else {
      call.pc?.close();
      call.pc = null;
      state("waiting");
    }
  });
  socket.on(E.REPLACED, () => {
    call.pc?.close();
    call.pc = null;
    state("elsewhere");
    call.closed = true;
    socket.disconnect();
  });
  socket.on("connect", () => {
    socket.emit(E.JOIN, {session}, (reply) => {
      if (!reply || !reply.ok) return state("refused", reply?.error || "the server refused the call");
      call.iceServers = reply.ice_servers || [];
      if (!reply.peer) return state("waiting");
      state("connecting");
      if (offers) offer();
    });
  });
  socket.on("connect_error", (error) => { if (!socket.active) state("refused", error.message); });

  return {
    // the microphone is muted by sending silence: the connection and its timing stay as they are
    setMuted(muted) { for (const track of mic.getAudioTracks()) track.enabled = !muted; },
    close() {
      call.closed = true;
      call.pc?.close();
      call.pc = null;
      player.srcObject = null;
      socket.disconnect();
      state("closed");
    },
  };
}

// Records a stream's sound in ~1 s chunks, as the join page records the screen: `claim(start,
// mime)` asks the server for a run number (start: the session time the recorder started, from
// `now()`), `keep(run, {seq, t, blob})` keeps each chunk until the server has it. Chunks made
// before the run is claimed wait for it. Returns {stop()}, which resolves once the last chunk
// was handed over.
export function recordVoice(stream, {now, claim, keep}) {
  const mime = VOICE_FORMATS.find((f) => MediaRecorder.isTypeSupported(f)) || "";
  const recorder = new MediaRecorder(new MediaStream(stream.getAudioTracks()),
                                     {mimeType: mime, audioBitsPerSecond: 48_000});
  const start = Math.max(0, now());
  let run = null, seq = 0;
  const early = [];
  recorder.ondataavailable = (event) => {
    if (!event.data.size) return;
    const chunk = {seq: seq++, t: now(), blob: event.data};
    if (run === null) early.push(chunk); else keep(run, chunk);
  };
  recorder.start(CHUNK_MS);
  (async () => {
    for (let wait = 500; run === null; wait = Math.min(wait * 2, 4000)) {
      try {
        run = await claim(start, recorder.mimeType || mime);
      } catch (error) {
        if (error.status && error.status < 500) return;   // refused for good: nothing is kept
        await new Promise((r) => setTimeout(r, wait));
      }
    }
    for (const chunk of early.splice(0)) keep(run, chunk);
  })();
  return {
    stop() {
      return new Promise((resolve) => {
        if (recorder.state === "inactive") return resolve();
        recorder.addEventListener("stop", () => setTimeout(resolve, 0), {once: true});
        recorder.stop();
      });
    },
  };
}

// The console's call card: join the call with the moderator's microphone, see the state and
// the participant's microphone level, mute and unmute. The card's data-state and data-peak
// say the same for whoever reads the page.
export function consoleCall(card, uxlab) {
  const $ = (id) => document.getElementById(id);
  const words = {waiting: "The participant is not on the call yet (their page joins once they share their screen).",
                 connecting: "Connecting…", connected: "Connected: you and the participant hear each other.",
                 elsewhere: "You took this call on another page.", closed: "Not on the call."};
  let call = null, meter = null, muted = false;
  const show = (state, detail) => {
    card.dataset.state = state;
    $("call-state").textContent = state === "refused" ? `The call was refused: ${detail}` : words[state] || state;
    $("call-mute").hidden = !["connecting", "connected"].includes(state);
    $("call-join").hidden = !["closed", "refused", "elsewhere"].includes(state);
  };
  $("call-join").addEventListener("click", async () => {
    let mic;
    try {
      mic = await navigator.mediaDevices.getUserMedia({audio: {echoCancellation: true, noiseSuppression: true}});
    } catch (error) {
      return show("refused", "the browser did not let this page use your microphone");
    }
    call?.close();
    call = openCall({uxlab, session: card.dataset.session, mic, offers: true, onState: show,
                     onRemote: (stream) => {
                       meter?.stop();
                       meter = levelOf(stream, (level, peak) => {
                         $("call-level").value = level;
                         card.dataset.level = level.toFixed(3);
                         card.dataset.peak = peak.toFixed(3);
                       });
                     }});
  });
  $("call-mute").addEventListener("click", () => {
    muted = !muted;
    call?.setMuted(muted);
    card.dataset.muted = muted ? "1" : "0";
    $("call-mute").textContent = muted ? "Unmute" : "Mute";
    $("call-mute").setAttribute("aria-pressed", String(muted));
  });
  show("closed");
}
