// The moderator console: join the session's room, send commands, show what the recorder says.
import {consoleCall} from "./call.js";
import {formatTime, uxlab} from "./common.js";

const box = document.getElementById("console");
const session = box.dataset.session;
const conn = document.getElementById("conn");
const log = document.getElementById("log");
const A = uxlab.action, E = uxlab.CONSOLE_EVENTS;
const socket = io(uxlab.consoleNamespace, {transports: ["websocket", "polling"]});

function line(text, cls) {
  const li = document.createElement("li");
  li.className = cls || "";
  li.textContent = `${new Date().toLocaleTimeString()} · ${text}`;
  log.prepend(li);
}
// once the recorder says the session ended, nothing here can act on it any more
function over() {
  box.querySelectorAll("button, input").forEach((el) => { el.disabled = true; });
  document.getElementById("recstate").textContent = "This session is over: nothing is being recorded.";
  conn.textContent = "Session over";
}
function showState(state) {
  if (!state) return;
  if (state.status === "ended") return over();
  document.getElementById("recstate").textContent =
    `Recorder: ${state.status || "?"} · task ${state.task || "none"}${state.paused ? " · paused" : ""} · ${formatTime(state.t)}`;
}
socket.on("connect", () => {
  socket.emit(E.JOIN, {session}, (reply) => {
    conn.textContent = reply.ok ? "Connected" : `Not joined: ${reply.error}`;
    if (reply.ok) showState(reply.state);
  });
});
socket.on("connect_error", (err) => { conn.textContent = `Cannot connect: ${err.message}`; });
socket.on("disconnect", () => { conn.textContent = "Disconnected; reconnecting…"; });
socket.on(E.STATE, showState);
socket.on(E.COMMAND, (c) => line(`${c.by} sent ${c.action}${c.text ? `: ${c.text}` : ""}${c.status === uxlab.markerStatus.PENDING ? " (to confirm)" : ""}`));
socket.on(E.DONE, (d) => line(d.ok ? "recorder did it" : `recorder: ${d.error}`, d.ok ? "ok" : "error"));

function send(action, text) {
  socket.emit(E.COMMAND, {session, action, text}, (reply) => {
    if (!reply.ok) line(reply.error, "error");
  });
}
document.querySelectorAll("button.cmd").forEach((b) => {
  if (b.dataset.action === A.MARKER) return;
  b.addEventListener("click", () => {
    if (b.dataset.action === A.END && !confirm("End this session?")) return;
    send(b.dataset.action);
  });
});
document.getElementById("markerform").addEventListener("submit", (e) => {
  e.preventDefault();
  const input = document.getElementById("markertext");
  send(A.MARKER, input.value);
  input.value = "";
});
// a remote moderated session: the call with the participant (web/static/call.js)
if (document.getElementById("call")) consoleCall(document.getElementById("call"), uxlab);
