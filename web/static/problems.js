// The findings pages: create, edit, rate and merge problems; confirm or dismiss candidates;
// build a reel with progress; and, on the replay page, add the current moment to a problem.
import {formatTime, getJSON, postJSON} from "./common.js";

const $ = (selector, root = document) => root.querySelector(selector);
const tags = (text) => (text || "").split(",").map((t) => t.trim()).filter(Boolean);

function showError(form, error) {
  const p = form.querySelector(".error");
  if (p) { p.textContent = error.message; p.hidden = false; }
}

// --- the problem list: a new problem ---
const create = $("#newproblem");
if (create) create.addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    const made = await postJSON("/problems", {title: create.title.value, task: create.task.value || null,
                                              tags: tags(create.tags.value)});
    location.href = `/problems/${made.id}`;
  } catch (error) { showError(create, error); }
});

// --- one problem ---
const problem = $("#problem");
const id = problem && problem.dataset.id;
const rate = $("#rateform");
if (rate) rate.addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    await postJSON(`/problems/${id}/rating`, {severity: Number(rate.severity.value), comment: rate.comment.value});
    location.reload();
  } catch (error) { showError(rate, error); }
});
const edit = $("#editform");
if (edit) edit.addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    await postJSON(`/problems/${id}`, {title: edit.title.value, task: edit.task.value || null,
                                       tags: tags(edit.tags.value), description: edit.description.value});
    location.reload();
  } catch (error) { showError(edit, error); }
});
const merge = $("#mergeform");
if (merge) merge.addEventListener("submit", async (e) => {
  e.preventDefault();
  try { await postJSON(`/problems/${id}/merge`, {others: [Number(merge.other.value)]}); location.reload(); }
  catch (error) { alert(error.message); }
});
const remove = $("#deleteproblem");
if (remove) remove.addEventListener("click", async () => {
  if (!confirm("Delete this problem with its evidence and ratings?")) return;
  try { await postJSON(`/problems/${id}/delete`, {}); location.href = "/problems"; }
  catch (error) { alert(error.message); }
});
document.querySelectorAll("#evidence button.remove").forEach((button) => {
  button.addEventListener("click", async () => {
    try { await postJSON(`/problems/evidence/${button.dataset.id}/delete`, {}); location.reload(); }
    catch (error) { alert(error.message); }
  });
});

// --- reel: start, poll, then show it (with its captions) and offer the download ---
function preview(job) {
  const box = $("#reelpreview"), video = box.querySelector("video"), captions = $("#reelcaptions");
  video.querySelectorAll("track").forEach((t) => t.remove());
  video.src = job.download;
  if (job.captions) {
    const track = Object.assign(document.createElement("track"),
                                {kind: "captions", srclang: "en", label: "Transcript", src: job.captions, default: true});
    video.appendChild(track);
    captions.href = job.captions;
  }
  captions.hidden = !job.captions;
  box.hidden = false;
}
const reel = $("#makereel");
if (reel) reel.addEventListener("click", async () => {
  const state = $("#reelstate"), link = $("#reellink");
  reel.disabled = true;
  link.hidden = true;
  try {
    let job = await postJSON(`/problems/${id}/reel`, {});
    while (job.state === "running") {
      state.textContent = `cutting ${job.done} of ${job.total}…`;
      await new Promise((resolve) => setTimeout(resolve, 500));
      job = await getJSON(`/problems/reels/${job.id}.json`);
    }
    if (job.state === "done") {
      state.textContent = `ready: ${job.duration.toFixed(1)} s`;
      link.href = job.download;
      link.hidden = false;
      preview(job);
    } else {
      state.textContent = job.error || "the reel failed";
    }
  } catch (error) { state.textContent = error.message; }
  reel.disabled = false;
});

// --- candidates ---
document.querySelectorAll("#candidates tr.candidate").forEach((row) => {
  const key = row.dataset.key, fail = (error) => {
    const p = $("#candidateerror"); p.textContent = error.message; p.hidden = false;
  };
  const confirmButton = row.querySelector("button.confirm"), target = row.querySelector("select.target");
  if (confirmButton) confirmButton.addEventListener("click", async () => {
    try {
      const chosen = target && target.value ? Number(target.value) : null;
      const made = await postJSON("/problems/candidates/confirm", {key, problem_id: chosen});
      location.href = `/problems/${made.problem_id}`;
    } catch (error) { fail(error); }
  });
  if (target && confirmButton) target.addEventListener("change", () => {
    confirmButton.textContent = target.value ? "Add as evidence" : "Confirm as new problem";
  });
  const dismiss = row.querySelector("button.dismiss");
  if (dismiss) dismiss.addEventListener("click", async () => {
    try { await postJSON("/problems/candidates/dismiss", {key}); location.reload(); } catch (error) { fail(error); }
  });
});

// --- the replay page: add this moment to a problem ---
const moment = $("#momentform");
if (moment) {
  const video = () => document.getElementById("video");
  const sessionId = decodeURIComponent(location.pathname.split("/")[2]);
  const list = $("#momentproblem"), title = $("#momenttitle");
  getJSON("/problems.json").then((data) => {
    for (const p of data.problems) list.add(new Option(`#${p.id} ${p.title}`, String(p.id)));
  }).catch(() => {});
  list.addEventListener("change", () => { title.hidden = list.value !== "new"; });
  const at = $("#momentat");
  setInterval(() => { const v = video(); if (v) at.textContent = formatTime(v.currentTime); }, 250);
  moment.addEventListener("submit", async (e) => {
    e.preventDefault();
    const v = video(), error = $("#momenterror"), done = $("#momentdone");
    error.hidden = true;
    const t = v ? v.currentTime : 0, length = Number($("#momentlength").value) || 0;
    const duration = v && isFinite(v.duration) ? v.duration : t + length;
    const body = {session_id: sessionId, t: Number(t.toFixed(2)), text: $("#momenttext").value,
                  end: length > 0 ? Number(Math.min(t + length, duration).toFixed(2)) : null};
    try {
      let problemId;
      if (list.value === "new") {
        const made = await postJSON("/problems", {...body, title: title.value});
        problemId = made.id;
        list.add(new Option(`#${made.id} ${made.title}`, String(made.id)));
        list.value = String(made.id);
        title.hidden = true;
      } else {
        problemId = Number(list.value);
        await postJSON(`/problems/${problemId}/evidence`, body);
      }
      done.innerHTML = "";
      const link = document.createElement("a");
      link.href = `/problems/${problemId}`;
      link.textContent = `Added to problem #${problemId}`;
      done.appendChild(link);
      done.hidden = false;
    } catch (err) { error.textContent = err.message; error.hidden = false; }
  });
}
