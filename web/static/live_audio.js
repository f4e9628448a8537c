// The live page's sound: plays each speaker's voice (`audio` chunks of 16-bit PCM from the
// session's room: the participant's, and in a remote moderated session the moderator's too)
// with Web Audio. Each speaker has a timeline of their own: a chunk is scheduled right after
// that speaker's previous one, a little ahead of the clock to absorb network jitter, so two
// voices that overlap are mixed rather than queued one behind the other. When a timeline
// runs more than MAX_AHEAD behind (a stalled tab, a burst after a reconnect) it starts over
// at "now", so what is heard never drifts behind what is seen. A chunk that names no speaker
// is the participant's. Browsers start sound only after a click: the Listen button. The
// counters on the button (data-chunks, data-chunks-<speaker>, data-peak) tell how much was
// played, whose, and how loud, for the tests.
import {uxlab} from "./common.js";

const LEAD = 0.12;       // seconds scheduled ahead of the clock
const MAX_AHEAD = 0.6;   // seconds queued before the player catches up by dropping
const OUT_OF_ORDER = 0.1;   // seconds a chunk may start before the latest of its voice

export function liveAudio(socket, session, button) {
  let ctx = null, analyser = null, chunks = 0, peak = 0, on = false;
  const playheads = {}, played = {}, latest = {};   // by speaker: where their next chunk starts,
                                                    // how many played, the session time of the last
  const levels = new Float32Array(1024);

  function start() {
    ctx = ctx || new AudioContext();
    if (!analyser) {
      analyser = ctx.createAnalyser();
      analyser.fftSize = 1024;
      analyser.connect(ctx.destination);
    }
    return ctx.resume();
  }
  function label() {
    button.textContent = on ? "Sound on" : "Listen";   // the speaker is drawn by live.css
    button.setAttribute("aria-pressed", on ? "true" : "false");
  }
  button.addEventListener("click", async () => {
    on = !on;
    if (on) await start(); else if (ctx) await ctx.suspend();
    label();
  });
  label();

  socket.on(uxlab.LIVE_EVENTS.AUDIO, (chunk) => {
    if (!on || !ctx || chunk.session !== session || !chunk.pcm) return;
    const who = chunk.speaker || uxlab.speaker.PARTICIPANT;
    // the server may relay a speaker's chunks out of order on a busy machine: one that comes
    // after a later one of the same voice is dropped, as a late chunk is, rather than played
    // out of place (session time, not seq: a reloaded join page counts from 0 again; a join
    // page that refines its clock may step it back a little, which is not a chunk out of order)
    if (typeof chunk.t === "number") {
      if (chunk.t < (latest[who] ?? -Infinity) - OUT_OF_ORDER) return;
      latest[who] = Math.max(latest[who] ?? chunk.t, chunk.t);
    }
    const pcm = new Int16Array(chunk.pcm.slice ? chunk.pcm.slice(0) : chunk.pcm);
    if (!pcm.length) return;
    const buffer = ctx.createBuffer(1, pcm.length, chunk.rate);
    const data = buffer.getChannelData(0);
    for (let i = 0; i < pcm.length; i++) data[i] = pcm[i] / 32768;
    const now = ctx.currentTime;
    let playhead = playheads[who] ?? 0;
    if (playhead < now + 0.02 || playhead > now + MAX_AHEAD) playhead = now + LEAD;
    const source = ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(analyser);   // both voices meet here, mixed
    source.start(playhead);
    playheads[who] = playhead + buffer.duration;
    chunks += 1;
    played[who] = (played[who] || 0) + 1;
    button.dataset.chunks = chunks;
    button.dataset[`chunks${who[0].toUpperCase()}${who.slice(1)}`] = played[who];
  });

  // the level actually coming out of the player, sampled a few times a second
  setInterval(() => {
    if (!analyser || !on) return;
    analyser.getFloatTimeDomainData(levels);
    let max = 0;
    for (const v of levels) max = Math.max(max, Math.abs(v));
    if (max > peak) { peak = max; button.dataset.peak = peak.toFixed(3); }
    button.dataset.time = ctx.currentTime.toFixed(2);
  }, 50);
}

// the camera: the latest small JPEG in the picture-in-picture box (web/static/pip.js)
export function liveCamera(socket, session, img) {
  let lastUrl = null;
  socket.on(uxlab.LIVE_EVENTS.CAMERA, (picture) => {
    if (picture.session !== session || !picture.jpeg) return;
    const url = URL.createObjectURL(new Blob([picture.jpeg], {type: "image/jpeg"}));
    img.onload = () => { if (lastUrl) URL.revokeObjectURL(lastUrl); lastUrl = url; };
    img.src = url;
    img.dataset.seq = picture.seq;
  });
}
