"""The demo study's findings, as a researcher and a reviewer would leave them: the two most
widespread candidate problems confirmed, each rated by both, and a highlight reel of the
first. Run after the sessions are recorded; running it again changes nothing.

Usage (from the project root):
    .venv/bin/python -m examples.helpdesk.findings STUDY_DIR
"""
from __future__ import annotations

import argparse
from pathlib import Path

from analyzer.candidates import study_candidates
from analyzer.findings import problem_list
from sessions.media.reels import build_reel, clips_for_problem
from sessions.problems import Problems, confirm_candidate
from sessions.store import Store
from sessions.study import load_study

RESEARCHER, REVIEWER = "demo", "reviewer"
# (researcher's severity, reviewer's severity, comment): the second pair disagrees
RATINGS = [(3, 3, "stops the task for most people"), (2, 4, "a reviewer thinks it blocks the task")]
REEL = "reel.mp4"


def seed_findings(folder: Path) -> dict:
    """Confirm, rate and cut; returns the problem list with its discovery statistics."""
    store = Store(folder)
    problems = Problems(store)
    if not problems.all():
        found = [c for c in study_candidates(store, load_study(folder)) if c["decision"] is None]
        for candidate, (mine, theirs, comment) in zip(found[:2], RATINGS):
            pid = confirm_candidate(problems, candidate["key"], candidate["moments"][:5], actor=RESEARCHER,
                                    title=candidate["title"], task=candidate["task"])
            problems.rate(pid, RESEARCHER, mine)
            problems.rate(pid, REVIEWER, theirs, comment)
    result = problem_list(store)
    reel = folder / REEL
    if result["problems"] and not reel.exists():
        build_reel(store, clips_for_problem(store, result["problems"][0]["id"]), reel)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    result = seed_findings(parser.parse_args().folder)
    print(f"{len(result['problems'])} problems confirmed and rated; reel: {REEL}")


if __name__ == "__main__":
    main()
