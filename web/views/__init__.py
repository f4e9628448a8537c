"""The page blueprints, one module each: dashboard, replay, heatmaps, problems, search,
questionnaires, console, session admin, screen picker, media and captions."""
