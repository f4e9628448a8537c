// Load the analyzer's task table after the sessions list, so the list never waits for it.
const box = document.getElementById("summary");
if (box) {
  try {
    const response = await fetch(box.dataset.src, {credentials: "same-origin"});
    box.innerHTML = response.ok ? await response.text() : '<p class="muted">The task measures could not be computed.</p>';
  } catch (e) {
    box.innerHTML = '<p class="muted">The task measures could not be loaded.</p>';
  }
}
