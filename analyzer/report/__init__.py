"""Rendering a study's report: the page (render), its sections, charts and thumbnails."""
