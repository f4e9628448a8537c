// The replay's other voices: a browser plays only a video's first sound track (the
// participant's), so each other speaker's track (the moderator's) plays from an <audio> of
// its own, kept in step with the video by common.js's follow; a checkbox turns it on and off.
import {follow} from "./common.js";

const main = document.getElementById("video");
for (const voice of document.querySelectorAll("audio[data-voice]")) {
  follow(main, voice);
  const toggle = document.querySelector(`input[data-voice-toggle="${voice.dataset.voice}"]`);
  if (toggle) toggle.addEventListener("change", () => { voice.muted = !toggle.checked; });
}
