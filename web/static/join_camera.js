// The participant's camera on the join page, for a study whose [capture] camera is true:
// a preview in the device check, then its own MediaRecorder in ~1 s chunks on the "camera"
// track, handed to the page's keep/ack/resend path like the screen's chunks. A camera the
// browser refuses (or that stops) is said in a sentence and the session goes on without
// it: the screen and the voice are the recording, the camera only sits beside them.
//
// Imports nothing: the join page lends what it needs (its server call, its keep, its
// clock, its live socket), so this module knows nothing of how chunks travel.
//
// Live: observers see the camera as they see a native recorder's (recorder/live.py's camera
// send): small JPEGs, at most LIVE_FPS a second and LIVE_WIDTH wide, sent as volatile
// messages on the page's live socket, so a slow or absent link drops pictures and never
// holds up the recording. The page lends that socket only while the screen is shared and
// not paused; a picture made just before a pause is dropped rather than sent in it.

const CHUNK_MS = 1000;
const FORMATS = ["video/webm;codecs=vp8", "video/webm;codecs=vp9", "video/webm", "video/mp4"];
export const REFUSED = "The browser did not let this page use your camera. The study asked for it, " +
  "but your session goes on without it: your screen and voice are still recorded.";
export const LOST = "Your camera stopped, so it is no longer recorded; your screen and voice still are.";
const LIVE_FPS = 5, LIVE_WIDTH = 320, LIVE_QUALITY = 0.7;   // recorder/live.py CAMERA_FPS, CAMERA_WIDTH, q70
// sessions/events.py's js_constants, embedded by base.html: the live event's name
const LIVE_EVENTS = JSON.parse(document.getElementById("uxlab-constants")?.textContent || "{}").LIVE_EVENTS || {};

// `page` lends: call(path, options), keep(chunk), clientNow(), toSession(clientSeconds),
// session() (the session id), marker(what), live() (the live socket while sharing and not
// paused, else null); `note` is where the page says what became of it
export function camera(root, note, page) {
  const wanted = root.dataset.camera === "1";
  const state = {stream: null, recorder: null, run: null, live: null, liveSeq: 0};
  const say = (text) => { note.textContent = text; note.hidden = !text; };

  // the device check: ask for the camera and show it, or say it is refused
  async function check(preview) {
    if (!wanted || state.stream) return !!state.stream;
    try {
      state.stream = await navigator.mediaDevices.getUserMedia(
        {video: {width: {ideal: 640}, height: {ideal: 480}, frameRate: {ideal: 15, max: 15}}, audio: false});
    } catch (error) {
      root.dataset.camera = "refused";
      say(REFUSED);
      return false;
    }
    preview.hidden = false;
    preview.srcObject = state.stream;
    preview.play().catch(() => {});
    const track = state.stream.getVideoTracks()[0];
    track.addEventListener("ended", () => {
      if (!state.stream) return;
      root.dataset.camera = "lost";
      say(LOST);
      page.marker("camera_lost");
      stop();
    });
    root.dataset.cameraPreview = "1";
    return true;
  }

  // a new run: recording starts at once, its run is claimed once the session is known
  async function start() {
    const track = state.stream?.getVideoTracks()[0];
    if (!track || track.readyState !== "live" || state.recorder) return;
    const mime = FORMATS.find((f) => MediaRecorder.isTypeSupported(f)) || "";
    const recorder = new MediaRecorder(new MediaStream([track]), {mimeType: mime, videoBitsPerSecond: 300_000});
    const clientStart = page.clientNow();
    let run = null, seq = 0;
    const early = [];
    const hand = (c) => page.keep({session: page.session(), track: "camera", run, seq: c.seq,
                                   t: page.toSession(c.at), blob: c.blob});
    recorder.ondataavailable = (event) => {
      if (!event.data.size) return;
      const c = {seq: seq++, at: page.clientNow(), blob: event.data};
      if (run === null) early.push(c); else hand(c);
    };
    recorder.start(CHUNK_MS);
    state.recorder = recorder;
    startLive(track);
    try {
      ({run} = await page.call("/run", {method: "POST", body: {
        track: "camera", start: Math.max(0, page.toSession(clientStart)), mime: recorder.mimeType || mime}}));
    } catch (error) {   // not recorded: not shown live either
      recorder.stop();
      state.recorder = null;
      stopLive();
      say(`Your camera is not recorded: ${error.message}`);
      return;
    }
    state.run = run;
    root.dataset.cameraRun = String(run);
    for (const c of early.splice(0)) hand(c);
  }

  // live pictures while the camera records: drawn from a detached video of the camera's
  // track, one at a time (a picture still being encoded skips the next tick)
  function startLive(track) {
    stopLive();
    const video = document.createElement("video");
    video.muted = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([track]);
    video.play().catch(() => {});
    const canvas = document.createElement("canvas");
    const live = state.live = {video, busy: false, timer: 0};
    live.timer = setInterval(() => {
      if (live.busy || !video.videoWidth || track.readyState !== "live" || !page.live()?.connected) return;
      const scale = Math.min(1, LIVE_WIDTH / video.videoWidth);
      const w = canvas.width = Math.max(2, Math.round(video.videoWidth * scale));
      const h = canvas.height = Math.max(2, Math.round(video.videoHeight * scale));
      const t = Math.max(0, page.toSession(page.clientNow()));
      canvas.getContext("2d").drawImage(video, 0, 0, w, h);
      live.busy = true;
      canvas.toBlob(async (blob) => {
        const jpeg = blob ? await blob.arrayBuffer() : null;
        live.busy = false;
        const socket = page.live();   // asked again: paused or stopped sharing meanwhile, it is dropped
        if (!jpeg?.byteLength || state.live !== live || !socket?.connected) return;
        socket.volatile.emit(LIVE_EVENTS.CAMERA, {t, seq: ++state.liveSeq, w, h, jpeg});
      }, "image/jpeg", LIVE_QUALITY);
    }, 1000 / LIVE_FPS);
  }

  function stopLive() {
    const live = state.live;
    state.live = null;
    if (!live) return;
    clearInterval(live.timer);
    live.video.srcObject = null;
  }

  // the recorder stops and hands over its last chunk (a pause, the end)
  function stop() {
    stopLive();
    const recorder = state.recorder;
    state.recorder = null;
    return new Promise((resolve) => {
      if (!recorder || recorder.state === "inactive") return resolve();
      recorder.addEventListener("stop", () => setTimeout(resolve, 0), {once: true});
      recorder.stop();
    });
  }

  async function close() {
    await stop();
    for (const track of state.stream?.getTracks() || []) track.stop();
    state.stream = null;
  }

  return {wanted, check, start, stop, close};
}
