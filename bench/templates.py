"""The whole pipeline on template-like short documents: does one machine degrade gracefully?

    python bench/templates.py [--sizes 5000 20000] [--workdir DIR]

Feeds, weather pages and market tickers publish thousands of short documents cut from one template (the
same words, a few slots changed). Every pair of them looks alike to a MinHash index, so an unbounded
candidate search is quadratic: 20,000 such documents once built 3.4 M candidate pairs (107 s, 3.5 GB) and
200,000 were killed for memory. This bench writes `size` such documents (four templates, slots filled from a
seeded generator, so every run builds the same corpus), runs `dvc repro` stage by stage in a fresh project
copy and prints per stage wall seconds and peak RSS, then the growth from the smallest to the largest size
beside linear growth (the baseline: what a linear stage would take). Target (issue 21): memory and time that
grow about linearly (at most 4.4x from 5,000 to 20,000, as for the Reuters corpus), and no stage killed.
"""
from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pipeline import ROOT, copy_project, dvc, measure, run_env, stages_of  # noqa: E402

CITIES = ["Springfield", "Riverton", "Lakeview", "Fairview", "Georgetown", "Franklin", "Clinton", "Salem",
          "Madison", "Greenville", "Bristol", "Dover", "Oxford", "Milton", "Newport", "Ashland"]
COMPANIES = ["Acme Corp", "Globex", "Initech", "Umbrella Holdings", "Stark Industries", "Wayne Enterprises",
             "Hooli", "Vandelay Industries", "Soylent Co", "Tyrell Corp"]
TEAMS = ["Tigers", "Eagles", "Lions", "Bears", "Sharks", "Wolves", "Hawks", "Panthers"]
DIRECTIONS = ["north", "south", "east", "west", "northwest", "southeast"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def weather(rng: random.Random) -> tuple[str, str]:
    city, day = rng.choice(CITIES), rng.choice(DAYS)
    high = rng.randint(40, 95)
    return (f"{city} weather for {day}",
            f"The forecast for {city} on {day} calls for a high of {high} degrees and a low of "
            f"{high - rng.randint(8, 25)} degrees. Winds will blow from the {rng.choice(DIRECTIONS)} at "
            f"{rng.randint(3, 30)} miles per hour. The chance of rain is {rng.randint(0, 100)} percent. "
            "Check back later for updates to this forecast.")


def ticker(rng: random.Random) -> tuple[str, str]:
    company, move = rng.choice(COMPANIES), rng.choice(["rose", "fell"])
    return (f"{company} shares {move} on {rng.choice(DAYS)}",
            f"Shares of {company} {move} {rng.randint(1, 99) / 10:.1f} percent to {rng.randint(10, 500)}."
            f"{rng.randint(0, 99):02d} dollars in trading on {rng.choice(DAYS)}. Volume was "
            f"{rng.randint(1, 90)} million shares. This story was generated automatically from market data.")


def score(rng: random.Random) -> tuple[str, str]:
    home, away = rng.sample(TEAMS, 2)
    return (f"{home} beat {away}",
            f"The {home} beat the {away} {rng.randint(60, 120)} to {rng.randint(40, 59)} on "
            f"{rng.choice(DAYS)} night in {rng.choice(CITIES)}. The {home} improved to {rng.randint(1, 30)} wins "
            f"this season. The next game is on {rng.choice(DAYS)}.")


def obituary(rng: random.Random) -> tuple[str, str]:
    city = rng.choice(CITIES)
    first = rng.choice(["John", "Mary", "Robert", "Linda", "James", "Susan"])
    name = f"{first} {rng.choice(['Smith', 'Jones', 'Brown', 'Miller', 'Davis'])}"
    return (f"{name}, {rng.randint(60, 99)}, of {city}",
            f"{name} of {city} died on {rng.choice(DAYS)} at the age of {rng.randint(60, 99)}. A service will be "
            f"held at the {city} Community Chapel on {rng.choice(DAYS)}. In lieu of flowers, the family asks "
            "for donations to a local charity.")


TEMPLATES = (weather, ticker, score, obituary)


def template_corpus(n_docs: int, seed: int = 21) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    records = []
    for i in range(n_docs):
        title, text = TEMPLATES[i % len(TEMPLATES)](rng)
        records.append({"id": f"tpl-{i:06d}", "title": title, "text": text, "date": "2024-05-19",
                        "url": f"https://news.example.org/{i:06d}"})
    return records


def run_size(n_docs: int, workdir: Path) -> dict[str, dict[str, Any]]:
    project = copy_project(ROOT, workdir / f"project-{n_docs}", template_corpus(n_docs))
    subprocess.run(dvc("config", "core.analytics", "false"), cwd=project, env=run_env(), check=True)
    figures = {}
    for stage in stages_of(project):
        measured = measure(dvc("repro", "-s", stage), project, project / f"{stage}.log")
        figures[stage] = {"seconds": measured["seconds"], "peak_rss_mb": measured["peak_rss_mb"],
                          "summary": [line for line in measured["output"].splitlines() if line.startswith("[")][-1:]}
    return figures


def report(runs: dict[int, dict[str, dict[str, Any]]]) -> None:
    sizes = sorted(runs)
    print(f"template-like short documents: {', '.join(map(str, sizes))}")
    print(f"{'stage':<11}" + "".join(f"{f'{n} s':>10}{f'{n} MB':>10}" for n in sizes) + f"{'time x':>9}{'mem x':>8}"
          f"{'linear x':>10}")
    first, last = sizes[0], sizes[-1]
    for stage in runs[first]:
        row = "".join(f"{runs[n][stage]['seconds']:>10.1f}{runs[n][stage]['peak_rss_mb']:>10.0f}" for n in sizes)
        grow_t = runs[last][stage]["seconds"] / max(runs[first][stage]["seconds"], 1e-9)
        grow_m = runs[last][stage]["peak_rss_mb"] / max(runs[first][stage]["peak_rss_mb"], 1e-9)
        print(f"{stage:<11}{row}{grow_t:>9.2f}{grow_m:>8.2f}{last / first:>10.1f}")
    for n in sizes:
        for stage, fig in runs[n].items():
            if fig["summary"]:
                print(f"  {n} {stage}: {fig['summary'][0][:160]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--keep", type=Path, default=None, help="build the projects in this folder and keep them")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        report({n: run_size(n, args.keep) for n in args.sizes})
        return
    with tempfile.TemporaryDirectory(prefix="newsflow-templates-", dir=args.workdir) as tmp:
        report({n: run_size(n, Path(tmp)) for n in args.sizes})


if __name__ == "__main__":
    main()
