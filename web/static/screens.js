// Screens from the replay: pause, drag a rectangle over the video, keep it as a task's
// success or error screen or first-click target. Rectangles are sent in screen pixels.
import {formatTime, postJSON} from "./common.js";
import {replay as ready} from "./replay.js";

const card = document.getElementById("screenpicker");
if (card) ready.then(picker);

function picker(replay) {
  const $ = (id) => document.getElementById(id);
  const stage = document.querySelector("#replay .stage");
  const form = $("screenform");
  let layer = null, box = null, area = null, start = null, pickedAt = 0;

  // the video is letterboxed in the stage: the drawn area, and screen pixels per CSS pixel
  function geometry() {
    const {data, video} = replay;
    const sw = data.session.width || video.videoWidth, sh = data.session.height || video.videoHeight;
    const r = stage.getBoundingClientRect();
    const scale = Math.min(r.width / sw, r.height / sh);
    return {sw, sh, scale, ox: (r.width - sw * scale) / 2, oy: (r.height - sh * scale) / 2, r};
  }
  function toScreen(e) {
    const g = geometry();
    const x = (e.clientX - g.r.left - g.ox) / g.scale, y = (e.clientY - g.r.top - g.oy) / g.scale;
    return [Math.max(0, Math.min(g.sw, x)), Math.max(0, Math.min(g.sh, y))];
  }
  function draw() {
    const g = geometry();
    const [x, y, w, h] = area;
    Object.assign(box.style, {left: `${g.ox + x * g.scale}px`, top: `${g.oy + y * g.scale}px`,
                              width: `${w * g.scale}px`, height: `${h * g.scale}px`});
  }
  function stop() {
    if (layer) layer.remove();
    layer = box = null;
    form.hidden = true;
  }
  function begin() {
    const {video} = replay;
    video.pause();
    pickedAt = video.currentTime;
    stop();
    $("screensaved").hidden = $("screenerror").hidden = true;
    layer = document.createElement("div");
    layer.className = "pick-layer";
    layer.title = "Drag a rectangle";
    box = document.createElement("div");
    box.className = "pick-rect";
    box.hidden = true;
    layer.append(box);
    stage.append(layer);
    stage.scrollIntoView({block: "nearest"});   // the button is in the side column, maybe far below
    layer.addEventListener("pointerdown", (e) => {
      e.preventDefault();
      layer.setPointerCapture(e.pointerId);
      start = toScreen(e);
      area = [...start, 0, 0];
      box.hidden = false;
      draw();
    });
    layer.addEventListener("pointermove", (e) => {
      if (!start) return;
      const [x, y] = toScreen(e);
      area = [Math.min(x, start[0]), Math.min(y, start[1]), Math.abs(x - start[0]), Math.abs(y - start[1])].map(Math.round);
      draw();
    });
    layer.addEventListener("pointerup", () => {
      if (!start) return;
      start = null;
      if (area[2] < 4 || area[3] < 4) { box.hidden = true; return; }
      $("pickedarea").textContent = `${area[2]} × ${area[3]} at (${area[0]}, ${area[1]}), ${formatTime(pickedAt)}`;
      form.hidden = false;
    });
  }
  $("pickarea").addEventListener("click", begin);
  $("pickcancel").addEventListener("click", stop);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const [x, y, w, h] = area;
    const body = {t: pickedAt, x, y, w, h, task: form.elements.task.value, kind: form.elements.kind.value};
    try {
      const saved = await postJSON(card.dataset.url, body);
      const what = saved.kind === "first_click" ? "the first-click target area"
        : `${saved.screen} as ${saved.kind === "error" ? "an error screen" : "the success screen"}`;
      $("screensaved").textContent = `Saved ${what} of task ${saved.task}; the measures use it now.`;
      $("screensaved").hidden = false;
      $("screenerror").hidden = true;
      stop();
    } catch (err) {
      $("screenerror").textContent = err.message;
      $("screenerror").hidden = false;
    }
  });
}
