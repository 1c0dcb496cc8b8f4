"""A synthetic catalog for the benchmarks: sections in a tree of depth ≤ 3, papers with
realistic titles, authors, venues, years and links (unique arXiv ids), one placement each.

Rows are written with bulk_create in batches inside one transaction; 100,000 papers take
seconds, not minutes. The output is deterministic for a given seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.text import slugify

from catalog import identifiers
from catalog.models import Link, NewsItem, Paper, Placement, ReadmeDocument, Section, Workshop

MAX_PAPERS = 100_000  # arXiv ids are YYMM.NNNNN with the paper's index as NNNNN

ROOT_TOPICS = [
    "Learning from Feedback",
    "Self-Improvement",
    "Scalable Oversight",
    "Automated Red Teaming",
    "Interpretability for Alignment",
    "Reward Modeling",
    "Evaluation and Benchmarks",
    "Agents and Tool Use",
    "Multimodal Alignment",
    "Theory and Surveys",
]
TOPIC_WORDS = [
    "Self-Play",
    "Debate",
    "Critique",
    "Constitutional Methods",
    "Preference Optimization",
    "Reward Hacking",
    "Weak-to-Strong",
    "Synthetic Data",
    "Jailbreaks",
    "Honesty",
    "Sycophancy",
    "Refusals",
    "Mathematics",
    "Code Generation",
    "Long Context",
    "Retrieval",
    "Planning",
    "Uncertainty",
    "Deception",
    "Steering",
]
TITLE_OPENERS = [
    "Self-Rewarding",
    "Scalable",
    "Iterative",
    "Robust",
    "Efficient",
    "Direct",
    "Contrastive",
    "Automated",
    "Recursive",
    "Principled",
    "Adversarial",
    "Weakly Supervised",
    "Latent",
    "Causal",
    "Hierarchical",
    "Online",
    "Offline",
    "Multi-Agent",
    "Verifiable",
    "Calibrated",
]
TITLE_SUBJECTS = [
    "Language Models",
    "Reward Models",
    "Preference Learning",
    "Policy Optimization",
    "Chain-of-Thought Reasoning",
    "Instruction Tuning",
    "Red Teaming",
    "Oversight",
    "Critique Generation",
    "Value Alignment",
    "Feedback Collection",
    "Process Supervision",
    "Tool-Using Agents",
    "Vision-Language Models",
    "Code Assistants",
    "Debate Protocols",
    "Reward Shaping",
    "Constitutional Training",
    "Representation Engineering",
    "Model Editing",
]
TITLE_LINKS = ["for", "via", "with", "through", "without", "beyond", "under"]
TITLE_OBJECTS = [
    "Human Feedback",
    "AI Feedback",
    "Synthetic Preferences",
    "Self-Critique",
    "Verifier Guidance",
    "Sparse Rewards",
    "Noisy Labels",
    "Weak Supervision",
    "Contrastive Pairs",
    "Tree Search",
    "Majority Voting",
    "Curriculum Learning",
    "Adversarial Prompts",
    "Natural Language Critiques",
    "Rule-Based Rewards",
    "Execution Feedback",
    "Debate Transcripts",
    "Latent Steering Vectors",
    "Ensembles of Judges",
    "Bootstrapped Demonstrations",
]
TITLE_SUFFIXES = [
    "",
    "",
    "",
    ": A Survey",
    ": An Empirical Study",
    ": Theory and Practice",
    " at Scale",
    " in the Wild",
    ": Lessons Learned",
    ": A Benchmark",
]
SURNAMES = [
    "Bai",
    "Chen",
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Yuan",
    "Burns",
    "Irving",
    "Christiano",
    "Leike",
    "Ouyang",
    "Rafailov",
    "Köksal",
    "Müller",
    "García",
    "Nakamura",
    "Okafor",
    "Singh",
    "Kowalski",
    "Dubois",
    "Ivanova",
    "O'Brien",
    "Haddad",
    "Sato",
    "Nguyen",
    "Kim",
    "Park",
    "Rossi",
    "Andersson",
]
INITIALS = "ABCDEFGHJKLMNOPRSTWY"
VENUES = [
    ("arXiv", 40),
    ("NeurIPS", 12),
    ("ICLR", 12),
    ("ICML", 10),
    ("ACL", 6),
    ("EMNLP", 6),
    ("NAACL", 3),
    ("COLM", 3),
    ("AAAI", 2),
    ("TMLR", 2),
    ("", 4),
]
YEARS = [(2019, 2), (2020, 4), (2021, 7), (2022, 14), (2023, 28), (2024, 32), (2025, 13)]
EXTRA_LABELS = [
    Link.Label.MODEL,
    Link.Label.DATA,
    Link.Label.PROJECT,
    Link.Label.BLOG,
    Link.Label.DEMO,
]


@dataclass(frozen=True)
class GeneratedCatalog:
    sections: int
    papers: int
    links: int
    placements: int
    max_depth: int


def generate_catalog(
    *, papers: int, sections: int, seed: int = 4, batch_size: int = 2000
) -> GeneratedCatalog:
    """Adds a synthetic catalog to an empty database; one transaction."""
    if not 1 <= papers <= MAX_PAPERS:
        raise ValueError(f"papers must be between 1 and {MAX_PAPERS}")
    if sections < 1:
        raise ValueError("sections must be at least 1")
    if Paper.objects.exists() or Section.objects.exists():
        raise ValueError("generate_catalog needs an empty catalog")
    rng = random.Random(seed)
    with transaction.atomic():
        _framing()
        leaves, depth = _sections(sections, rng, batch_size)
        paper_rows = _papers(papers, rng, batch_size)
        link_count = _links(paper_rows, rng, batch_size)
        placement_count = _placements(paper_rows, leaves, batch_size)
    return GeneratedCatalog(
        sections=sections,
        papers=len(paper_rows),
        links=link_count,
        placements=placement_count,
        max_depth=depth,
    )


def _framing() -> None:
    ReadmeDocument(
        title="Awesome Automated Alignment",
        intro="A generated catalog for benchmarks.",
        citation="@misc{aaa,\n  title={Awesome Automated Alignment}\n}",
        abstract="Synthetic data: titles, authors and links are made up.",
        workshops_heading="Recommended Tutorials and Workshops",
    ).save()
    NewsItem.objects.bulk_create(
        NewsItem(date=date(2024, month, 1), text=f"Benchmark news item {month}.")
        for month in range(1, 4)
    )
    Workshop.objects.bulk_create(
        Workshop(
            name=f"Workshop {n}",
            url=f"https://workshop{n}.example.org/",
            description="A workshop.",
            position=n,
        )
        for n in range(1, 4)
    )


def _sections(total: int, rng: random.Random, batch_size: int) -> tuple[list[Section], int]:
    """Roots, then children, then grandchildren: about 1/60 roots, 1/6 at depth 2."""
    roots_count = max(1, min(len(ROOT_TOPICS) * 3, total // 60))
    second_count = min(total - roots_count, max(roots_count, total // 6))
    third_count = total - roots_count - second_count
    created = 0

    def make(parents: list[Section | None], count: int) -> list[Section]:
        nonlocal created
        rows = []
        positions: dict[int | None, int] = {}
        for index in range(count):
            parent = parents[index % len(parents)]
            key = parent.pk if parent else None
            positions[key] = positions.get(key, 0) + 1
            if parent is None:
                title = ROOT_TOPICS[index % len(ROOT_TOPICS)]
            else:
                title = f"{TOPIC_WORDS[rng.randrange(len(TOPIC_WORDS))]} {positions[key]}"
            created += 1
            rows.append(
                Section(
                    parent=parent,
                    position=positions[key],
                    title=title,
                    slug=f"{slugify(title)}-{created}",
                )
            )
        return Section.objects.bulk_create(rows, batch_size=batch_size)

    roots = make([None], roots_count)
    second = make(roots, second_count) if second_count else []
    third = make(second, third_count) if third_count else []
    depth = 3 if third else 2 if second else 1
    # Papers go to leaves and to a few inner sections (the real list has papers on
    # inner sections too).
    parents_with_children = {s.parent_id for s in [*second, *third]}
    leaves = [s for s in [*roots, *second, *third] if s.pk not in parents_with_children]
    inner = [s for s in [*roots, *second] if s.pk in parents_with_children]
    return leaves + inner[: max(1, len(inner) // 10)] if inner else leaves, depth


def _weighted(rng: random.Random, choices: list[tuple]) -> object:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]


def _title(rng: random.Random) -> str:
    title = (
        f"{rng.choice(TITLE_OPENERS)} {rng.choice(TITLE_SUBJECTS)} "
        f"{rng.choice(TITLE_LINKS)} {rng.choice(TITLE_OBJECTS)}{rng.choice(TITLE_SUFFIXES)}"
    )
    roll = rng.random()
    if roll < 0.15:
        title = f"{rng.choice(['Towards', 'Rethinking', 'On', 'Scaling'])} {title}"
    elif roll < 0.25:
        title += f" {rng.randint(2, 5)}"  # a versioned sequel: "... 2"
    return title


def _authors(rng: random.Random) -> str:
    names = rng.sample(SURNAMES, rng.randint(1, 4))
    if len(names) >= 3 and rng.random() < 0.8:
        return f"{names[0]} et al."
    return ", ".join(f"{rng.choice(INITIALS)}. {name}" for name in names)


def _papers(count: int, rng: random.Random, batch_size: int) -> list[Paper]:
    rows = []
    for _ in range(count):
        rows.append(
            Paper(
                title=_title(rng),
                authors=_authors(rng),
                venue=_weighted(rng, VENUES),
                year=_weighted(rng, YEARS),
            )
        )
        rows[-1].set_key_base()  # bulk_create skips Paper.save()
    return Paper.objects.bulk_create(rows, batch_size=batch_size)


def _links(papers: list[Paper], rng: random.Random, batch_size: int) -> int:
    rows = []
    for index, paper in enumerate(papers):
        month = index % 12 + 1
        urls = [
            (
                Link.Label.PAPER,
                f"https://arxiv.org/abs/{paper.year % 100:02d}{month:02d}.{index:05d}",
            )
        ]
        if rng.random() < 0.35:
            urls.append(
                (Link.Label.CODE, f"https://github.com/{rng.choice(SURNAMES).lower()}-lab/p{index}")
            )
        if rng.random() < 0.1:
            urls.append((rng.choice(EXTRA_LABELS), f"https://huggingface.co/bench/p{index}"))
        for position, (label, url) in enumerate(urls, start=1):
            rows.append(
                Link(
                    paper_id=paper.pk,
                    label=label,
                    url=url,
                    position=position,
                    identifier=identifiers.identifier_for_url(url),
                )
            )
    Link.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)


def _placements(papers: list[Paper], sections: list[Section], batch_size: int) -> int:
    positions: dict[int, int] = {}
    rows = []
    for index, paper in enumerate(papers):
        section = sections[index % len(sections)]
        positions[section.pk] = positions.get(section.pk, 0) + 1
        rows.append(
            Placement(paper_id=paper.pk, section_id=section.pk, position=positions[section.pk])
        )
    Placement.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)
