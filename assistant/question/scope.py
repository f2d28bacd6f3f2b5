"""Which districts, documents and years a question names, read against the corpus's own facts.

The manifest names each document's district, title, kind and edition ("Harbor City Schools Board
Goals 2024-25", kind "board-goals"). A question names a district by its name or a short name
("Cedar Valley", "PUSD"); a document by two words of its title in a row, leaving out the
district's own names and years ("board goals", "equity plan"), by an acronym its title spells in
capitals ("LCAP") or by its kind; and an edition by a year or a school year it covers ("2023-24",
"in 2024"). A document that only one district publishes names that district as well. Nothing
here is written for one district: every name comes from the corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from stop_words import get_stop_words

from assistant.text.keywords import fold_accents

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# "2023-24", "2023-2024", "2023–24", or a year alone.
_YEARS = re.compile(r"\b((?:19|20)\d\d)(?:\s*[-–/]\s*((?:19|20)?\d\d))?\b")
_STOP = frozenset(ENGLISH_STOP_WORDS) | frozenset(fold_accents(w) for w in get_stop_words("es"))


def _plain(text: str) -> list[str]:
    return [w for w in _WORD.findall(fold_accents(text).lower()) if w not in _STOP]


def years_of(text: str) -> list[tuple[int, int]]:
    """The years or spans a text names: "2023-24" -> (2023, 2024), "2016-2020" -> (2016, 2020)."""
    spans = []
    for match in _YEARS.finditer(text):
        first = int(match.group(1))
        last = match.group(2)
        if last is None:
            spans.append((first, first))
            continue
        end = int(last) if len(last) == 4 else first // 100 * 100 + int(last)
        spans.append((first, end if end >= first else first))
    return spans


@dataclass(frozen=True)
class DocumentFacts:
    """What the manifest says of one (original) document."""

    doc_id: str
    title: str
    district: str = ""
    edition: str = ""
    kind: str = ""
    featured: bool = False


@dataclass(frozen=True)
class DistrictFacts:
    name: str
    short_names: tuple[str, ...] = ()
    where_to_ask: dict[str, str] = field(default_factory=dict)

    @property
    def short_name(self) -> str:
        """How answers call the district: its first short name, else its name."""
        return self.short_names[0] if self.short_names else self.name


@dataclass(frozen=True)
class Scope:
    """What a question names: districts (by name) and documents (by doc_id)."""

    districts: frozenset[str] = frozenset()
    documents: frozenset[str] = frozenset()
    years: tuple[tuple[int, int], ...] = ()
    # Of `documents`, those it names by their title, acronym or kind (and edition, when it names a
    # year too): their passages are candidates in every ranking (IndexState.ranking). A year alone
    # ("in 2023") is weaker: the class of 2023 or a 2023 result is often reported in another year's plan.
    titled: frozenset[str] = frozenset()
    # The words by which it names them ("Pasadena Unified School District", "PUSD"): they say
    # whose plans, not what the question asks of them.
    naming_words: frozenset[str] = frozenset()


def _phrases(document: DocumentFacts, district_words: set[str]) -> set[tuple[str, ...]]:
    """Word runs that name the document: two title words in a row (without the district's own
    names and years), an acronym the title spells in capitals, and its kind."""
    words = [w for w in _plain(document.title) if w not in district_words and not w.isdigit()]
    phrases = {tuple(words[i : i + 2]) for i in range(len(words) - 1)}
    phrases |= {(fold_accents(a).lower(),) for a in re.findall(r"\b[A-Z]{3,}\b", document.title)}
    phrases -= {(fold_accents(w).lower(),) for w in district_words}
    if document.kind and document.kind not in {"other", "web-page", "pdf", "html", "md", "docx", "txt"}:
        phrases.add(tuple(_plain(document.kind.replace("-", " "))))
    return {p for p in phrases if p}


def _holds(words: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(words[i : i + n]) == phrase for i in range(len(words) - n + 1))


class Catalog:
    """The corpus's districts and documents, and how a question names them."""

    def __init__(self, documents: list[DocumentFacts], districts: list[DistrictFacts]) -> None:
        self.documents = {d.doc_id: d for d in documents}
        self.districts = {d.name: d for d in districts}
        self._district_names = {
            name: [tuple(_plain(n)) for n in (name, *facts.short_names) if _plain(n)]
            for name, facts in self.districts.items()
        }
        own_words = {
            name: {w for n in (name, *facts.short_names) for w in _plain(n)} for name, facts in self.districts.items()
        }
        self._document_phrases = {
            d.doc_id: _phrases(d, own_words.get(d.district, set())) for d in self.documents.values()
        }

    def district(self, name: str | None = None) -> DistrictFacts | None:
        """The named district, or the corpus's first (its own, for a district's deployment)."""
        if name is not None:
            return self.districts.get(name)
        return next(iter(self.districts.values()), None)

    def own_district(self, name: str = "") -> DistrictFacts | None:
        """The deployment's district: the one its settings name (district_name), else the corpus's first."""
        return self.district(name or None) or self.district()

    def featured(self, scope: Scope) -> frozenset[str]:
        """The main plans (the manifest's `featured`) of the district a question is answered from,
        when it names no document: every district's in a corpus of one, none when a question may
        be answered from several districts' plans and names none of them."""
        if scope.documents or (not scope.districts and len(self.districts) > 1):
            return frozenset()
        among = scope.districts or set(self.districts)
        return frozenset(d for d, f in self.documents.items() if f.featured and (f.district in among or not f.district))

    def own_scope(self, scope: Scope, own: DistrictFacts) -> Scope:
        """`scope` kept to district `own` when it names no district (and no document only other
        districts hold): a question asked on a district's own site is about that district."""
        if own.name not in self.districts or scope.districts or len(self.districts) < 2:
            return scope
        ours = {d for d in scope.documents if self.documents[d].district == own.name}
        if scope.documents and not ours:
            return scope  # it names another district's document ("Ashford Forward"): that decides
        return replace(scope, districts=frozenset({own.name}), documents=frozenset(ours), titled=scope.titled & ours)

    def scope_of(self, question: str) -> Scope:
        words = _plain(question)
        said = [n for names in self._district_names.values() for n in names if _holds(words, n)]
        districts = frozenset(
            name for name, names in self._district_names.items() if any(_holds(words, n) for n in names)
        )
        # Of the named districts' documents (of all, when it names none):
        among = {d: f for d, f in self.documents.items() if not districts or f.district in districts}
        documents = {d for d in among if any(_holds(words, p) for p in self._document_phrases[d])}
        years = tuple(years_of(question))
        titled = documents
        if years:
            editions = {d: years_of(f.edition) for d, f in among.items()}
            exact = {d for d, spans in editions.items() if set(spans) & set(years)}
            covering = {
                d
                for d, spans in editions.items()
                if any(first <= a and b <= last for first, last in spans for a, b in years)
            }
            # With a document's title, a year names the editions that cover it: "the 2026-27 LCAP"
            # is the 2024-2027 LCAP as well as its 2026-27 summary.
            titled = (documents & (exact | covering)) or documents
            # Alone, the edition it names ("2024-25"); failing one, those that cover the year.
            documents = titled or exact or covering
        # A document named by its title (and edition) that only one district publishes names that
        # district too: "What is Goal 2 of the District Improvement Plan about?" asks for that
        # district's plan, and "the 2023-24 board goals" for those of the board that set them then.
        owners = {self.documents[d].district for d in titled}
        if not districts and len(owners) == 1 and "" not in owners:
            districts = frozenset(owners)
        naming = frozenset(w for n in said for w in n)
        return Scope(districts, frozenset(documents), years, titled=frozenset(titled), naming_words=naming)
