"""The report's click paths section (issue 21): per task, the most common paths between a
web product's pages, who left the expected path and where, and the misclicks. A study whose
pages send no capture events gets no section at all."""
from __future__ import annotations

from collections import Counter
from html import escape

from analyzer.page_pictures import page_pictures
from analyzer.paths import path_text, task_paths
from analyzer.report.format import image, plural, table
from analyzer.url_screens import clicks_by_screen, screen_heatmap_png
from sessions.store import Store
from sessions.study import Study


def paths_section(store: Store, study: Study, paths: list[dict] | None = None) -> str:
    """The section's HTML, or "" when no attempt has a path."""
    paths = task_paths(store, study) if paths is None else paths
    if not paths:
        return ""
    parts = []
    for task in paths:
        rows = [[escape(path_text(p["path"])), str(p["count"]), f"{p['successes']} of {p['count']}"]
                for p in task["paths"]]
        parts.append(f"<h3>{escape(task['task'])}</h3>")
        parts.append(table(["path", "attempts", "successes"], rows, "data paths"))
        if task["expected_path"]:
            gone = Counter((d["step"], d["expected"], d["went"]) for d in task["departures"])
            lines = "".join(f"<li>{plural(n, 'attempt')} went to <code>{escape(went or 'nowhere')}</code> instead of "
                            f"<code>{escape(want or 'stopping')}</code> (step {step + 1})</li>"
                            for (step, want, went), n in gone.most_common())
            parts.append(f"<p>{task['on_expected_path']} of {plural(task['attempts'], 'attempt')} followed the "
                         f"expected path <code>{escape(path_text(task['expected_path']))}</code>.</p>"
                         + (f"<ul class='departures'>{lines}</ul>" if lines else ""))
        missed = Counter((m["screen"], m["label"]) for m in task["misclicks"])
        if missed:
            items = "".join(f"<li>{escape(label)} on <code>{escape(screen)}</code>: {n}</li>"
                            for (screen, label), n in missed.most_common(5))
            parts.append(f"<p>Misclicks (clicks on elements that are not controls): "
                         f"{task['misclicks_per_attempt']:.2f} per attempt.</p><ul class='misclicks'>{items}</ul>")
    parts.append(_page_heatmaps(store, study))
    return (f'<section id="paths"><h2>Click paths</h2><p class="lead">The pages participants went through '
            f"in each task, from the product's own URLs (screens named by study.toml's patterns).</p>"
            f"{''.join(parts)}</section>")


PAGE_HEATMAPS = 6   # the most clicked pages shown


def _page_heatmaps(store: Store, study: Study) -> str:
    """A heatmap per page, at page coordinates, holding only that page's clicks, drawn on
    the page as the screen video showed it (or on its clicked elements' outlined boxes,
    when no picture could be made, which the caption says)."""
    by_screen = sorted(clicks_by_screen(store, study).items(), key=lambda item: -len(item[1]))[:PAGE_HEATMAPS]
    if not by_screen:
        return ""
    pictures = page_pictures(store, study, [screen for screen, _ in by_screen])
    figures = "".join(
        f"<figure class='page-heat'>"
        f"{image(screen_heatmap_png(clicks, picture=pictures[screen].image, seen=pictures[screen].seen), f'clicks on {screen}', css='heat')}"
        f"<figcaption><code>{escape(screen)}</code>: {plural(len(clicks), 'click')}, "
        f"{escape(pictures[screen].caption)}</figcaption></figure>"
        for screen, clicks in by_screen)
    return f"<h3>Clicks by page</h3><div class='grid'>{figures}</div>"
