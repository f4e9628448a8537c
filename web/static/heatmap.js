// Click a hot spot: list the attempts that clicked near it, each opening the replay there.
"use strict";
(() => {
  const img = document.getElementById("heatmap");
  if (!img) return;
  const list = document.getElementById("near");
  img.addEventListener("click", async (e) => {
    const rect = img.getBoundingClientRect();
    const width = Number(img.dataset.width) || img.naturalWidth;
    const height = Number(img.dataset.height) || img.naturalHeight;
    const x = Math.round((e.clientX - rect.left) / rect.width * width);
    const y = Math.round((e.clientY - rect.top) / rect.height * height);
    const url = new URL(img.dataset.clicks, location.href);
    url.searchParams.set("x", x); url.searchParams.set("y", y);
    const rows = await (await fetch(url, {credentials: "same-origin"})).json();
    list.innerHTML = "";
    if (!rows.length) list.innerHTML = `<li class="muted">No clicks near (${x}, ${y}).</li>`;
    for (const r of rows) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = r.replay;
      const into = r.into_task == null ? "" : ` (${formatTime(r.into_task)} into the task)`;
      a.textContent = `${r.participant}${r.group ? ` [${r.group}]` : ""} · ${r.task} · ${formatTime(r.t)}${into}`;
      a.title = `click at (${r.x}, ${r.y})`;
      li.append(a); list.append(li);
    }
  });
})();
