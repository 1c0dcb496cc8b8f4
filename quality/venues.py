"""The venue vocabulary: canonical names and their aliases, maintained in the admin.

A data migration seeds it with the venues of the seed catalog (and the usual long and old
spellings); `ensure_seed_vocabulary` puts that seed back only into an *empty* vocabulary (a
flushed test database), never over a maintainer's edits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# (canonical name, is a preprint server, aliases)
SEED_VOCABULARY: list[tuple[str, bool, list[str]]] = [
    ("arXiv", True, ["arXiv preprint", "arXiv.org", "CoRR"]),
    (
        "NeurIPS",
        False,
        [
            "NIPS",
            "Advances in Neural Information Processing Systems",
            "Neural Information Processing Systems",
        ],
    ),
    ("ICLR", False, ["International Conference on Learning Representations"]),
    ("ICML", False, ["International Conference on Machine Learning"]),
    (
        "ACL",
        False,
        [
            "Annual Meeting of the Association for Computational Linguistics",
            "Proceedings of the 61st Annual Meeting of the Association for Computational "
            "Linguistics (Volume 1: Long Papers)",
        ],
    ),
    (
        "EMNLP",
        False,
        ["Conference on Empirical Methods in Natural Language Processing"],
    ),
    (
        "NAACL",
        False,
        [
            "North American Chapter of the Association for Computational Linguistics",
            "Conference of the North American Chapter of the Association for Computational "
            "Linguistics: Human Language Technologies",
        ],
    ),
    (
        "EACL",
        False,
        ["Conference of the European Chapter of the Association for Computational Linguistics"],
    ),
    ("Findings of ACL", False, ["Findings of the Association for Computational Linguistics"]),
    (
        "Findings of EMNLP",
        False,
        ["Findings of the Association for Computational Linguistics: EMNLP"],
    ),
    ("AISTATS", False, ["International Conference on Artificial Intelligence and Statistics"]),
    ("TMLR", False, ["Transactions on Machine Learning Research"]),
    ("TACL", False, ["Transactions of the Association for Computational Linguistics"]),
    ("JMLR", False, ["Journal of Machine Learning Research"]),
    ("AAAI", False, ["AAAI Conference on Artificial Intelligence"]),
    ("COLING", False, ["International Conference on Computational Linguistics"]),
    ("COLM", False, ["Conference on Language Modeling"]),
    ("Science", False, []),
    ("Nature", False, []),
    ("GitHub repository", False, []),
    ("Workshop on challenges in representation learning, ICML", False, []),
    ("NeurIPS 2023 Workshop on Instruction Tuning and Instruction Following", False, []),
]

# "Proceedings of the 2023 …", "… 61st Annual …", "(Volume 1: Long Papers)": dropped before a
# second, looser match, so each year's proceedings need no alias of their own.
PROCEEDINGS_NOISE = re.compile(
    r"^proceedings of (?:the )?|\b\d{4}\b|\b\d+(?:st|nd|rd|th)\b|\(volume [^)]*\)|[:,]\s*$",
    re.IGNORECASE,
)


def ensure_seed_vocabulary(venue_model, alias_model) -> None:
    """Seed an empty vocabulary. Works with the real and the historical (migration) models."""
    if venue_model.objects.exists():
        return
    for name, is_preprint, aliases in SEED_VOCABULARY:
        venue = venue_model.objects.create(name=name, is_preprint=is_preprint)
        alias_model.objects.bulk_create(alias_model(venue=venue, alias=a) for a in aliases)


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Vocabulary:
    """The whole vocabulary, loaded in two queries, for matching many venues."""

    canonical: dict[str, str]  # casefolded name -> name
    aliases: dict[str, str]  # casefolded alias -> canonical name
    preprints: frozenset[str]  # canonical names of preprint servers

    @classmethod
    def load(cls) -> Vocabulary:
        from quality.models import Venue, VenueAlias

        venues = list(Venue.objects.values_list("name", "is_preprint"))
        return cls(
            canonical={_key(name): name for name, _ in venues},
            aliases={
                _key(alias): name
                for alias, name in VenueAlias.objects.values_list("alias", "venue__name")
            },
            preprints=frozenset(name for name, preprint in venues if preprint),
        )

    def canonical_name(self, venue: str) -> str | None:
        """The canonical name for a name or alias (any case); None when unknown."""
        key = _key(venue)
        return self.canonical.get(key) or self.aliases.get(key)

    def match(self, venue: str) -> str | None:
        """Like canonical_name, and also through the year and ordinal of proceedings titles:
        "Proceedings of the 2023 Conference on Empirical Methods …" is EMNLP."""
        found = self.canonical_name(venue)
        if found:
            return found
        loose = PROCEEDINGS_NOISE.sub(" ", venue)
        return self.canonical_name(PROCEEDINGS_NOISE.sub(" ", loose)) if loose.strip() else None

    def word_map(self) -> dict[str, str]:
        """One-word names and aliases, to normalise venues word by word (`NIPS 2023` ->
        `NeurIPS 2023`), as the README importer does."""
        words = {k: v for k, v in self.canonical.items() if " " not in k}
        words.update({k: v for k, v in self.aliases.items() if " " not in k})
        return words

    def is_preprint(self, venue: str) -> bool:
        return self.canonical_name(venue) in self.preprints if venue else False


def venue_and_year(venue: str, year: int | None) -> tuple[str, int | None]:
    """A venue ending in a year, given without a year, as the README reads it back: the year
    moved to the year ("Safety Workshop 2023", None is "Safety Workshop", 2023; "NIPS 2019"
    is "NeurIPS", 2019). The README writes "venue year." and reads a final year, alone or
    after a space or comma (catalog.readme.parse.final_year), as the year. A venue with a
    year given is left as it is (the entry reads "ICLR 2024 2024."), as is one whose final
    number is no publication year (2099) or is joined to it ("SemEval-2023")."""
    from catalog.readme.parse import final_year

    found = final_year(venue) if year is None else None
    if not found:
        return venue, year
    rest, trailing = found
    rest = rest.strip(" ,")
    return (Vocabulary.load().canonical_name(rest) or rest) if rest else "", trailing
