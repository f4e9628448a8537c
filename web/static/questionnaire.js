// The participant's page follows the session: poll its state and reload when it changes,
// unless the participant has started answering.
const box = document.getElementById("participant");
if (box) {
  let touched = false;
  box.addEventListener("input", () => { touched = true; });
  setInterval(async () => {
    if (touched) return;
    try {
      const r = await fetch(box.dataset.state, {cache: "no-store"});
      if (!r.ok) return;
      const {key} = await r.json();
      if (key !== box.dataset.key) location.reload();
    } catch (e) { /* the lab network blinked; try again next tick */ }
  }, 2000);
  const error = document.querySelector(".item.invalid");
  if (error) error.scrollIntoView({block: "center"});
}
