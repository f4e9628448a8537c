// Click a hot spot: list the attempts that clicked near it, each opening the replay there.
// The point is sent as fractions of the picture: each session is matched in its own pixels
// (a page's heatmap by URL: in page coordinates).
import {formatTime} from "./common.js";

const img = document.getElementById("heatmap");
const list = document.getElementById("near");
if (img) img.addEventListener("click", async (e) => {
  const rect = img.getBoundingClientRect();
  const fx = Math.min(1, Math.max(0, (e.clientX - rect.left) / rect.width));
  const fy = Math.min(1, Math.max(0, (e.clientY - rect.top) / rect.height));
  const url = new URL(img.dataset.clicks, location.href);
  url.searchParams.set("fx", fx.toFixed(5)); url.searchParams.set("fy", fy.toFixed(5));
  const rows = await (await fetch(url, {credentials: "same-origin"})).json();
  list.innerHTML = "";
  if (!rows.length) list.innerHTML = `<li class="muted">No clicks near this spot.</li>`;
  for (const r of rows) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = r.replay;
    const into = r.into_task == null ? "" : ` (${formatTime(r.into_task)} into the task)`;
    // a page's heatmap (by URL) names the element each click was on
    const what = r.label ? ` · ${r.label}` : "";
    a.textContent = `${r.participant}${r.group ? ` [${r.group}]` : ""} · ${r.task} · ${formatTime(r.t)}${into}${what}`;
    a.title = `click at (${r.x}, ${r.y})`;
    li.append(a); list.append(li);
  }
});
