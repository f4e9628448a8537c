// The camera picture-in-picture: a small box over the screen that can be dragged anywhere
// over the stage and hidden (a button brings it back); where it was put is kept for next
// time. On the replay page it holds the camera video (its own file, on the session clock)
// following the screen video (common.js's follow). On the live page it holds the latest
// camera picture.
import {follow} from "./common.js";

const KEY = "uxlab.pip";

function movable(box) {
  // the camera's own shape (set here: the page's policy refuses inline styles)
  const {width, height} = box.dataset;
  if (Number(width) > 0 && Number(height) > 0) box.style.aspectRatio = `${width} / ${height}`;
  const hide = box.querySelector(".pip-hide");
  const show = document.getElementById("pip-show");
  const stage = box.parentElement;
  const saved = JSON.parse(localStorage.getItem(KEY) || "{}");

  function place(left, top) {
    const maxLeft = stage.clientWidth - box.offsetWidth, maxTop = stage.clientHeight - box.offsetHeight;
    box.style.left = `${Math.max(0, Math.min(maxLeft, left))}px`;
    box.style.top = `${Math.max(0, Math.min(maxTop, top))}px`;
    box.style.right = "auto";
  }
  function remember() {
    localStorage.setItem(KEY, JSON.stringify({left: box.offsetLeft, top: box.offsetTop, hidden: box.hidden}));
  }
  function setHidden(hidden) {
    box.hidden = hidden;
    if (show) show.hidden = !hidden;
    remember();
  }
  hide.addEventListener("click", (e) => { e.stopPropagation(); setHidden(true); });
  if (show) show.addEventListener("click", () => setHidden(false));

  // dragging, with the pointer captured so a fast move cannot lose the box
  let grab = null;
  box.addEventListener("pointerdown", (e) => {
    if (e.target === hide) return;
    grab = {x: e.clientX - box.offsetLeft, y: e.clientY - box.offsetTop};
    box.setPointerCapture(e.pointerId);
    e.preventDefault();
  });
  box.addEventListener("pointermove", (e) => { if (grab) place(e.clientX - grab.x, e.clientY - grab.y); });
  const drop = () => { if (grab) { grab = null; remember(); } };
  box.addEventListener("pointerup", drop);
  box.addEventListener("pointercancel", drop);
  if (typeof saved.left === "number") requestAnimationFrame(() => place(saved.left, saved.top));
  if (saved.hidden) setHidden(true);
}

const box = document.getElementById("pip");
if (box) {
  movable(box);
  const main = document.getElementById("video"), cam = box.querySelector("video");
  if (main && cam) follow(main, cam);
}
