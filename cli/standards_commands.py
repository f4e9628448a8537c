"""Verbs for standardised results: compare two rounds, and the participants' attributes.

(The Common Industry Format report is `uxlab report DIR --format cif`, beside the usual one.)
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from cli.common import folder_argument, open_store
from cli.errors import fail


def load_round(folder: Path) -> tuple[dict, list[dict]]:
    """A study's analysis and its problems, read-only: what a round comparison needs."""
    from analyzer.compare import round_data
    from sessions.study import load_study
    store = open_store(folder)
    try:
        return round_data(store, load_study(folder))
    finally:
        store.close()


def _signed(d: dict | None, scale: float = 1, unit: str = "", digits: int = 0) -> str:
    if not d:
        return "too few to compare"
    text = (f"{d['a'] * scale:.{digits}f}{unit} -> {d['b'] * scale:.{digits}f}{unit} "
            f"({d['difference'] * scale:+.{digits}f}, CI {d['low'] * scale:+.{digits}f} to {d['high'] * scale:+.{digits}f}")
    return text + (f", p={d['p']:.3f})" if "p" in d else ")")


def comparison_text(c: dict) -> str:
    """The comparison as the lines `uxlab compare` prints."""
    a, b = c["rounds"]
    lines = [f"{b} against {a} (differences are {b} minus {a})"]
    for t in c["tasks"]:
        time = t["time"]
        timing = (f"time {time['a']:.1f}s -> {time['b']:.1f}s (ratio {time['ratio']:.2f}, CI {time['ratio_low']:.2f}-"
                  f"{time['ratio_high']:.2f}, p={time['p']:.3f})" if time else "time: too few to compare")
        lines.append(f"{t['id']}: {t['verdict']}; completion {_signed(t['completion'], 100, '%')}; {timing}; "
                     f"SEQ {_signed(t['seq'], digits=2)}; SUM {_signed(t['sum'], 100, '%')}")
    for t in c["not_compared"]:
        lines.append(f"{t['id']}: not compared ({t['why']})")
    lines.append(f"SUS {_signed(c['sus'], digits=1)}")
    lines.append(f"study SUM {_signed(c['sum'], 100, '%')}")
    p = c["problems"]
    for label, items in (("gone", p["gone"]), ("new", p["new"])):
        for item in items:
            lines.append(f"problem {label}: #{item['id']} {item['title']}")
    for pair in p["persisting"]:
        lines.append(f"problem persisting: #{pair['a']['id']} {pair['a']['title']} (now #{pair['b']['id']})")
    return "\n".join(lines)


@click.command()
@click.argument("round_a", type=click.Path(file_okay=False, path_type=Path))
@click.argument("round_b", type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@click.option("--chart", type=click.Path(dir_okay=False, path_type=Path), help="Write the completion chart (PNG).")
def compare(round_a: Path, round_b: Path, as_json: bool, chart: Path | None) -> None:
    """Compare two rounds (two studies of the same tasks): completion, times, SEQ, SUS and
    SUM, each with its difference and interval, and the problems new, persisting or gone.

    Example: uxlab compare round-1 round-2 --chart rounds.png
    """
    from analyzer.compare import compare_rounds
    from analyzer.report.comparison import comparison_chart
    (a, problems_a), (b, problems_b) = load_round(round_a), load_round(round_b)
    result = compare_rounds(a, b, problems_a, problems_b, (round_a.name, round_b.name))
    click.echo(json.dumps(result, indent=2, allow_nan=False) if as_json else comparison_text(result))
    if chart is not None:
        png = comparison_chart(result)
        if png is None:
            click.echo("no task has completion data in both rounds: no chart written", err=True)
        else:
            chart.write_bytes(png)
            click.echo(f"wrote {chart}", err=True)


@click.command()
@folder_argument
@click.argument("participant_id", required=False)
@click.option("--set", "pairs", multiple=True, metavar="KEY=VALUE",
              help="Set an attribute (an empty value removes it); repeatable.")
@click.option("--import", "csv_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Import a screener's CSV: a participant column and one column per attribute.")
def participant(folder: Path, participant_id: str | None, pairs: tuple[str, ...], csv_file: Path | None) -> None:
    """Show or set participants' attributes (those study.toml's [participants] table names;
    age_band, experience and role by default), or import them from a screener's CSV.

    Example: uxlab participant my-study P07 --set age_band=35-44 --set role=nurse
    """
    from sessions.study import load_study
    allowed = load_study(folder).standards.attributes
    if csv_file is not None and (participant_id or pairs):
        fail("--import reads every participant from the CSV: give no participant id or --set with it")
    if pairs and not participant_id:
        fail("say whose attributes to set: uxlab participant DIR P07 --set key=value")
    values = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key.strip():
            fail(f"--set takes key=value, got {pair!r}")
        values[key.strip()] = value
    store = open_store(folder, writer=bool(pairs or csv_file))
    try:
        if csv_file is not None:
            count = store.participants.import_csv(csv_file.read_text(encoding="utf-8", errors="replace"),
                                                  allowed=allowed, actor="cli")
            click.echo(f"imported attributes of {count} participant{'s' if count != 1 else ''}", err=True)
            return
        if values:
            assert participant_id is not None
            store.participants.set(participant_id, values, allowed=allowed, actor="cli")
        everyone = store.participants.all()
        shown = {participant_id: everyone.get(participant_id, {})} if participant_id else everyone
        for person, attributes in sorted(shown.items()):
            text = "  ".join(f"{k}={attributes[k]}" for k in allowed if k in attributes)
            click.echo(f"{person}  {text or '(no attributes)'}")
    finally:
        store.close()


COMMANDS = [compare, participant]
