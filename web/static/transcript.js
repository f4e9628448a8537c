// The replay's transcript: a panel that follows playback (a click on a word seeks there),
// the speech segments on the timeline, captions on the video, and quotes made from a
// selection of words (a note tagged #quote), and a researcher's corrections of a segment.
import {formatTime, postJSON} from "./common.js";
import {replay as ready} from "./replay.js";

const QUOTE_TAG = "quote";

function start(replay) {
  const panel = document.getElementById("transcript");
  const {data, video, seek} = replay;
  if (!panel || !data.segments || !data.segments.length) return;
  const col = (name, field) => data.columns[name].indexOf(field);
  const S = {t: col("segments", "t"), end: col("segments", "end"), speaker: col("segments", "speaker"),
             text: col("segments", "text"), machine: col("segments", "machine_text")};
  const W = {t: col("words", "t"), end: col("words", "end"), text: col("words", "text"),
             segment: col("words", "segment")};
  const list = document.getElementById("transcriptlist");
  panel.hidden = false;

  // --- the panel: one item per segment, one span per word ---
  const spans = [];
  const items = data.segments.map((s) => {
    const li = document.createElement("li");
    li.className = `seg ${s[S.speaker]}`;
    li.dataset.t = s[S.t].toFixed(3);
    const head = document.createElement("button");
    head.type = "button"; head.className = "t link";
    head.textContent = `${formatTime(s[S.t])} ${s[S.speaker]}`;
    head.addEventListener("click", () => seek(s[S.t]));
    const text = document.createElement("span");
    text.className = "words";
    li.append(head, text);
    list.append(li);
    return text;
  });
  function place(w) {
    const span = document.createElement("span");
    span.className = "w";
    span.textContent = w[W.text];
    span.dataset.t = w[W.t].toFixed(3);
    span.title = formatTime(w[W.t]);
    // a click seeks; a drag selects words to quote, and must not seek
    span.addEventListener("click", () => { if (!String(window.getSelection())) seek(w[W.t] + 0.001); });
    const into = items[w[W.segment]];
    if (into.childNodes.length) into.append(" ");
    into.append(span);
    spans.push([w, span]);
  }
  for (const w of data.words) place(w);

  // --- follow playback: mark the word being said, keep it in view ---
  let current = null;
  function follow() {
    const t = video.currentTime;
    let found = null;
    for (const [w, span] of spans) {
      if (w[W.t] > t) break;
      if (t < w[W.end] + 0.15) found = span;
    }
    if (found === current) return;
    if (current) current.classList.remove("now");
    current = found;
    if (found) {
      found.classList.add("now");
      const box = list.getBoundingClientRect(), at = found.getBoundingClientRect();
      if (at.top < box.top || at.bottom > box.bottom) list.scrollTop += at.top - box.top - box.height / 3;
    }
  }
  video.addEventListener("timeupdate", follow);
  video.addEventListener("seeked", follow);
  (function loop() { if (!video.paused) follow(); requestAnimationFrame(loop); })();

  // --- the timeline: a lane of speech segments ---
  const notesLane = document.querySelector('#timeline [data-lane="notes"]');
  if (notesLane && replay.mark) {
    const lane = document.createElement("div");
    lane.className = "lane"; lane.dataset.lane = "voice";
    const label = document.createElement("span");
    label.className = "lane-label"; label.textContent = "Voice";
    lane.append(label);
    notesLane.before(lane);
    const pct = (t) => `${Math.min(100, Math.max(0, t / replay.duration * 100))}%`;
    for (const s of data.segments) {
      replay.mark("voice", s[S.t], `tl-voice ${s[S.speaker]}`, `${s[S.speaker]}: ${s[S.text]}`,
                  {width: `calc(${pct(s[S.end])} - ${pct(s[S.t])})`});
    }
  }

  // --- captions: a <track> on the video, shown when the box is ticked ---
  let track = document.createElement("track");
  track.kind = "captions"; track.srclang = "en"; track.label = "Transcript"; track.default = false;
  track.src = panel.dataset.captions;
  video.append(track);
  const captions = document.getElementById("captions");
  const show = () => { if (video.textTracks[0]) video.textTracks[0].mode = captions.checked ? "showing" : "hidden"; };
  captions.addEventListener("change", show);
  show();

  // --- quotes: the selected words become a note tagged #quote ---
  const quote = document.getElementById("quote");
  const quoteError = document.getElementById("quoteerror");
  function selectedWords() {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !list.contains(selection.anchorNode)) return [];
    return spans.filter(([, span]) => selection.containsNode(span, true));
  }
  document.addEventListener("selectionchange", () => { quote.disabled = selectedWords().length === 0; });
  quote.addEventListener("click", async () => {
    const words = selectedWords();
    if (!words.length) return;
    const text = `“${words.map(([w]) => w[W.text]).join(" ")}”`;
    try {
      const note = await postJSON(replay.root.dataset.notes, {t: words[0][0][W.t], text, tags: [QUOTE_TAG]});
      replay.addNote(note);
      window.getSelection().removeAllRanges();
      quoteError.hidden = true;
    } catch (err) {
      quoteError.textContent = err.message; quoteError.hidden = false;
    }
  });
  // --- corrections (researchers): a segment's words from the keyboard, kept beside the machine's ---
  if (panel.dataset.correct) {
    data.segments.forEach((s, index) => correcting(s, index));
  }
  function rewrite(index, rows) {
    for (let i = spans.length - 1; i >= 0; i--) if (spans[i][0][W.segment] === index) spans.splice(i, 1);
    items[index].textContent = "";
    for (const [t, end, text] of rows) {
      const w = [];
      w[W.t] = t; w[W.end] = end; w[W.text] = text; w[W.segment] = index;
      place(w);
    }
    spans.sort((a, b) => a[0][W.t] - b[0][W.t]);
    current = null;
    // the captions come from the store: a fresh <track> shows the corrected words
    const fresh = track.cloneNode();
    fresh.src = `${panel.dataset.captions}?v=${Date.now()}`;
    track.replaceWith(fresh);
    track = fresh;
    show();
  }
  function correcting(s, index) {
    const li = items[index].parentElement;
    const edit = document.createElement("button");
    edit.type = "button"; edit.className = "link small edit"; edit.textContent = "Edit";
    edit.setAttribute("aria-label", `Correct the words at ${formatTime(s[S.t])}`);
    const revert = document.createElement("button");
    revert.type = "button"; revert.className = "link small revert"; revert.textContent = "Put back the machine's words";
    const note = document.createElement("span");
    note.className = "muted small"; note.textContent = "corrected";
    const error = document.createElement("p");
    error.className = "error"; error.hidden = true;
    // display, not `hidden`: a .link button's own display rule would win over the attribute
    const showing = (element, on) => { element.style.display = on ? "" : "none"; };
    const tools = document.createElement("span");
    tools.className = "small";
    tools.append(" ", edit, " ", note, " ", revert);
    li.append(tools, error);
    const mark = () => {
      const corrected = s[S.machine] !== null && s[S.machine] !== undefined;
      li.classList.toggle("corrected", corrected);
      showing(revert, corrected); showing(note, corrected);
      items[index].title = corrected ? `corrected; the machine heard: ${s[S.machine]}` : "";
    };
    mark();
    const done = (body) => {
      s[S.t] = body.t; s[S.end] = body.end; s[S.text] = body.text; s[S.machine] = body.machine_text;
      li.dataset.t = body.t.toFixed(3);
      rewrite(index, body.words);
      mark();
      error.hidden = true;
    };
    const failed = (err) => { error.textContent = err.message; error.hidden = false; };
    edit.addEventListener("click", () => {
      const input = document.createElement("input");
      input.className = "correction"; input.value = s[S.text]; input.maxLength = 2000;
      input.setAttribute("aria-label", "The segment's words: Enter saves, Escape cancels");
      showing(items[index], false); showing(edit, false);
      items[index].after(input);
      input.focus();
      const close = () => { input.remove(); showing(items[index], true); showing(edit, true); edit.focus(); };
      input.addEventListener("keydown", async (event) => {
        if (event.key === "Escape") { event.preventDefault(); close(); return; }
        if (event.key !== "Enter") return;
        event.preventDefault();
        try {
          done(await postJSON(panel.dataset.correct, {t: s[S.t], speaker: s[S.speaker], text: input.value}));
          close();
          li.classList.add("saved");
        } catch (err) { failed(err); }
      });
    });
    revert.addEventListener("click", async () => {
      try { done(await postJSON(panel.dataset.revert, {t: s[S.t], speaker: s[S.speaker]})); } catch (err) { failed(err); }
    });
  }
  panel.classList.add("ready");
}

ready.then(start);
