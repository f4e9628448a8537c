// The participant's camera on the join page, for a study whose [capture] camera is true:
// a preview in the device check, then its own MediaRecorder in ~1 s chunks on the "camera"
// track, handed to the page's keep/ack/resend path like the screen's chunks. A camera the
// browser refuses (or that stops) is said in a sentence and the session goes on without
// it: the screen and the voice are the recording, the camera only sits beside them.
//
// Imports nothing: the join page lends what it needs (its server call, its keep, its
// clock), so this module knows nothing of how chunks travel.

const CHUNK_MS = 1000;
const FORMATS = ["video/webm;codecs=vp8", "video/webm;codecs=vp9", "video/webm", "video/mp4"];
export const REFUSED = "The browser did not let this page use your camera. The study asked for it, " +
  "but your session goes on without it: your screen and voice are still recorded.";
export const LOST = "Your camera stopped, so it is no longer recorded; your screen and voice still are.";

// `page` lends: call(path, options), keep(chunk), clientNow(), toSession(clientSeconds),
// session() (the session id), marker(what); `note` is where the page says what became of it
export function camera(root, note, page) {
  const wanted = root.dataset.camera === "1";
  const state = {stream: null, recorder: null, run: null};
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
    try {
      ({run} = await page.call("/run", {method: "POST", body: {
        track: "camera", start: Math.max(0, page.toSession(clientStart)), mime: recorder.mimeType || mime}}));
    } catch (error) {
      recorder.stop();
      state.recorder = null;
      say(`Your camera is not recorded: ${error.message}`);
      return;
    }
    state.run = run;
    root.dataset.cameraRun = String(run);
    for (const c of early.splice(0)) hand(c);
  }

  // the recorder stops and hands over its last chunk (a pause, the end)
  function stop() {
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
