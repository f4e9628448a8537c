/* uxlab capture snippet: tells the lab what was clicked, on which URL and at which scroll.
 *
 * Added to a product under test with one tag (`uxlab snippet DIR` prints it):
 *   <script src="http://LAB:5000/static/capture.js" defer></script>
 * It needs nothing else: no globals, no eval, no inline code or styles, so it runs under a
 * strict Content-Security-Policy that lets the lab's origin in script-src and connect-src.
 *
 * While no session is recorded it sends nothing: it asks the lab every few seconds whether
 * one runs (GET /capture/pairing) and listens to nothing else. Once paired, events are
 * stamped on the session clock, kept in a bounded queue (new events are dropped when it is
 * full, so a flood never grows the page's memory) and sent in batches, off the input path,
 * with fetch keepalive, or sendBeacon when the page goes away. Form values follow the
 * study's keystroke rule: sent only when it is "full", a password's never. The event
 * columns are those of the lab's contract (sessions/events.py, CAPTURE_KINDS).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src || !window.fetch) return;
  var LAB = new URL(script.src).origin;
  // a remote participant's tab is opened with ?uxlab_join=<their join link's token>: kept
  // for the tab's later pages, it pairs them with that participant's session
  var JOIN = new URLSearchParams(location.search).get("uxlab_join");
  try {
    if (JOIN) sessionStorage.setItem("uxlab_join", JOIN); else JOIN = sessionStorage.getItem("uxlab_join");
  } catch (e) { /* storage refused: this page only */ }
  var PAIRING = LAB + "/capture/pairing" + (JOIN ? "?join=" + encodeURIComponent(JOIN) : "");
  var QUEUE_MAX = 1000, BATCH = 200, FLUSH_MS = 1000, POLL_MS = 3000, CHECK_MS = 15000;
  var TEXT_CHARS = 80;
  var INTERACTIVE = "a[href],button,input,select,textarea,label,summary,option,[role=button],[role=link]," +
    "[role=menuitem],[role=tab],[role=checkbox],[role=radio],[role=option],[role=switch],[onclick],[tabindex]";
  var ROLES = { A: "link", BUTTON: "button", SELECT: "combobox", TEXTAREA: "textbox", IMG: "img",
    NAV: "navigation", MAIN: "main", H1: "heading", H2: "heading", H3: "heading", H4: "heading",
    H5: "heading", H6: "heading", LI: "listitem", UL: "list", OL: "list", TABLE: "table", TR: "row",
    TD: "cell", TH: "columnheader", FORM: "form", DIALOG: "dialog", SUMMARY: "button", OPTION: "option" };
  var INPUT_ROLES = { button: "button", submit: "button", reset: "button", image: "button",
    checkbox: "checkbox", radio: "radio", range: "slider", search: "searchbox" };

  var pair = null;          // {session, token, kinds, values, base: performance.now() at t = 0}
  var queue = [], dropped = 0, timer = 0, sending = false;
  var lastScroll = null, scrollTimer = 0, resizeTimer = 0, lastUrl = "", lastTitle = "";

  function now() { return Math.max(0, Math.round(performance.now() - pair.base) / 1000); }
  function cut(text) { return (text || "").replace(/\s+/g, " ").trim().slice(0, TEXT_CHARS); }

  function role(el) {
    var explicit = el.getAttribute("role");
    if (explicit) return explicit.split(" ")[0];
    if (el.tagName === "INPUT") return INPUT_ROLES[(el.type || "text").toLowerCase()] || "textbox";
    if (el.tagName === "A" && !el.hasAttribute("href")) return null;
    return ROLES[el.tagName] || null;
  }

  function byIds(ids) {
    return ids.split(/\s+/).map(function (id) {
      var ref = document.getElementById(id);
      return ref ? ref.textContent : "";
    }).join(" ");
  }

  function accessibleName(el) {
    var name = el.getAttribute("aria-label");
    if (name) return cut(name);
    var ids = el.getAttribute("aria-labelledby");
    if (ids) return cut(byIds(ids));
    var tag = el.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") {
      var type = (el.type || "").toLowerCase();
      if (type === "button" || type === "submit" || type === "reset") return cut(el.value);
      var label = el.labels && el.labels[0];
      if (label) return cut(label.textContent);
      return cut(el.getAttribute("placeholder") || el.getAttribute("title") || "");
    }
    if (tag === "IMG") return cut(el.getAttribute("alt") || "");
    var text = cut(el.textContent);
    return text || cut(el.getAttribute("title") || "");
  }

  function stableId(id) { return id && !/\d{4,}|^[0-9]|[:]/.test(id); }

  function selector(el) {
    var parts = [];
    for (var node = el; node && node.nodeType === 1 && parts.length < 8; node = node.parentElement) {
      if (stableId(node.id)) { parts.unshift("#" + CSS.escape(node.id)); break; }
      var tag = node.tagName.toLowerCase();
      if (tag === "html" || tag === "body") { parts.unshift(tag); break; }
      var test = node.getAttribute("data-testid");
      if (test) { parts.unshift(tag + "[data-testid=\"" + CSS.escape(test) + "\"]"); break; }
      var same = 0, index = 0;
      for (var sib = node.parentElement ? node.parentElement.firstElementChild : null; sib; sib = sib.nextElementSibling) {
        if (sib.tagName === node.tagName) { same += 1; if (sib === node) index = same; }
      }
      parts.unshift(same > 1 ? tag + ":nth-of-type(" + index + ")" : tag);
    }
    return parts.join(" > ");
  }

  function describe(el) {
    var r = el.getBoundingClientRect(), sx = window.scrollX, sy = window.scrollY;
    var d = { tag: el.tagName.toLowerCase(), role: role(el), name: accessibleName(el),
      text: cut(el.tagName === "INPUT" || el.tagName === "TEXTAREA" ? "" : el.textContent),
      selector: selector(el), interactive: !!el.closest(INTERACTIVE),
      page: [Math.round(r.left + sx), Math.round(r.top + sy), Math.round(r.width), Math.round(r.height)],
      view: [Math.round(r.left), Math.round(r.top), Math.round(r.width), Math.round(r.height)] };
    if (el.tagName === "INPUT") d.type = (el.type || "text").toLowerCase();
    return d;
  }

  function push(event) {
    if (!pair) return;
    if (queue.length >= QUEUE_MAX) { dropped += 1; return; }
    event.t = now();
    event.url = location.href;
    queue.push(event);
    if (queue.length >= BATCH) flush(false);
    else if (!timer) timer = setTimeout(function () { timer = 0; flush(false); }, FLUSH_MS);
  }

  function body(events) {
    return JSON.stringify({ session: pair.session, token: pair.token, events: events, dropped: dropped });
  }

  function flush(leaving) {
    if (!pair || !queue.length || (sending && !leaving)) return;
    var events = queue.splice(0, BATCH), text = body(events);
    if (leaving && navigator.sendBeacon) {
      navigator.sendBeacon(LAB + "/capture/events", new Blob([text], { type: "text/plain" }));
      if (queue.length) flush(true);
      return;
    }
    sending = true;
    fetch(LAB + "/capture/events", { method: "POST", body: text, keepalive: text.length < 60000,
      mode: "cors", credentials: "omit", headers: { "Content-Type": "text/plain" } })
      .then(function (response) {
        if (response.status === 403 || response.status === 409) unpair();
      }, function () { /* the lab is away: these events are lost, the page is not slowed */ })
      .then(function () { sending = false; if (queue.length) flush(false); });
  }

  function unpair() { pair = null; queue = []; setTimeout(ask, POLL_MS); }

  function onPress(e) {
    var hit = e.target;
    if (!pair || !hit || hit.nodeType !== 1) return;
    var el = hit.closest(INTERACTIVE) || hit;
    push({ kind: pair.kinds.PAGE_CLICK, x: Math.round(e.pageX), y: Math.round(e.pageY),
      button: ["left", "middle", "right"][e.button] || "other", target: describe(el) });
  }

  function onScroll() {
    if (!pair || scrollTimer) return;
    scrollTimer = setTimeout(function () {
      scrollTimer = 0;
      var x = Math.round(window.scrollX), y = Math.round(window.scrollY);
      if (lastScroll && lastScroll[0] === x && lastScroll[1] === y) return;
      var from = lastScroll || [0, 0];
      lastScroll = [x, y];
      push({ kind: pair.kinds.PAGE_SCROLL, x: x, y: y, dx: x - from[0], dy: y - from[1] });
    }, 200);
  }

  function viewport() {
    // where the window sits on its screen, so the lab can find the viewport in a shared
    // screen's or window's video: the screen and the window (CSS pixels), the pixel ratio
    var s = window.screen || {};
    push({ kind: pair.kinds.VIEWPORT, x: Math.round(window.innerWidth), y: Math.round(window.innerHeight),
      text: JSON.stringify({ screen: [s.width, s.height], window: [window.screenX, window.screenY,
        window.outerWidth, window.outerHeight], dpr: window.devicePixelRatio }) });
  }

  function onResize() {
    if (!pair) return;
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(viewport, 250);
  }

  function url(how) {
    if (!pair) return;
    if (how !== "load" && location.href === lastUrl && document.title === lastTitle) return;
    if (how === "title" && location.href !== lastUrl) how = "replace";
    lastUrl = location.href; lastTitle = document.title;
    push({ kind: pair.kinds.URL, key: how, text: document.title.slice(0, 200) });
  }

  function isField(el) { return el && (el.tagName === "INPUT" || el.tagName === "SELECT" || el.tagName === "TEXTAREA"); }

  function onField(e) {
    var el = e.target;
    if (!pair || !isField(el)) return;
    var event = { kind: pair.kinds.FIELD, key: e.type === "change" ? "change" : "focus", target: describe(el) };
    var secret = (el.type || "").toLowerCase() === "password";
    if (e.type === "change" && pair.values && !secret) event.text = String(el.value).slice(0, 500);
    push(event);
  }

  function wrapHistory(name, how) {
    var original = history[name];
    history[name] = function () {
      var result = original.apply(this, arguments);
      url(how);
      return result;
    };
  }

  function listen() {
    var opts = { capture: true, passive: true };
    document.addEventListener("pointerdown", onPress, opts);
    document.addEventListener("focusin", onField, opts);
    document.addEventListener("change", onField, opts);
    window.addEventListener("scroll", onScroll, opts);
    window.addEventListener("resize", onResize, opts);
    window.addEventListener("popstate", function () { url("pop"); });
    window.addEventListener("hashchange", function () { url("hash"); });
    window.addEventListener("pagehide", function () { flush(true); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") flush(true);
    });
    wrapHistory("pushState", "push");
    wrapHistory("replaceState", "replace");
    var title = document.querySelector("title");
    if (title && window.MutationObserver) {
      new MutationObserver(function () { url("title"); }).observe(title, { childList: true, characterData: true, subtree: true });
    }
  }

  function paired(answer, asked) {
    var received = performance.now();
    // the session time the lab read is taken as half-way through the round trip
    pair = { session: answer.session, token: answer.token, kinds: answer.kinds, values: !!answer.values,
      base: (asked + received) / 2 - answer.now * 1000 };
    lastScroll = null;
    url("load");
    viewport();
    if (window.scrollX || window.scrollY) onScroll();
    setTimeout(check, CHECK_MS);
  }

  function ask() {
    if (pair) return;
    var asked = performance.now();
    fetch(PAIRING, { mode: "cors", credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (answer && answer.session) paired(answer, asked);
        else setTimeout(ask, POLL_MS);
      }, function () { setTimeout(ask, POLL_MS); });
  }

  function check() {
    // a new session (the next participant) needs a new pairing: ask again now and then
    if (!pair) return;
    fetch(PAIRING, { mode: "cors", credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (!pair) return;
        if (!answer || answer.session !== pair.session) { flush(true); unpair(); }
        else setTimeout(check, CHECK_MS);
      }, function () { setTimeout(check, CHECK_MS); });
  }

  listen();
  ask();
})();
