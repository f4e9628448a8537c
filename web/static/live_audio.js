// The live page's sound: plays the participant's voice (`audio` chunks of 16-bit PCM from
// the session's room) with Web Audio. Each chunk is scheduled right after the previous
// one, a little ahead of the clock to absorb network jitter; when the queue runs more than
// MAX_AHEAD behind (a stalled tab, a burst after a reconnect) it starts over at "now", so
// what is heard never drifts behind what is seen. Browsers start sound only after a click:
// the Listen button. The counters on the button (data-chunks, data-peak) tell how much was
// played and how loud, for the tests.
import {uxlab} from "./common.js";

const LEAD = 0.12;       // seconds scheduled ahead of the clock
const MAX_AHEAD = 0.6;   // seconds queued before the player catches up by dropping

export function liveAudio(socket, session, button) {
  let ctx = null, analyser = null, playhead = 0, chunks = 0, peak = 0, on = false;
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
    const pcm = new Int16Array(chunk.pcm.slice ? chunk.pcm.slice(0) : chunk.pcm);
    if (!pcm.length) return;
    const buffer = ctx.createBuffer(1, pcm.length, chunk.rate);
    const data = buffer.getChannelData(0);
    for (let i = 0; i < pcm.length; i++) data[i] = pcm[i] / 32768;
    const now = ctx.currentTime;
    if (playhead < now + 0.02 || playhead > now + MAX_AHEAD) playhead = now + LEAD;
    const source = ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(analyser);
    source.start(playhead);
    playhead += buffer.duration;
    chunks += 1;
    button.dataset.chunks = chunks;
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
