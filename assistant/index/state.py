"""What the retriever serves, read from the index: passages, their keyword sides, unit vectors.

Read in full, then handed over whole: a re-ingest is picked up only once every model's
collection holds it, and a search always sees one consistent state.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np

from assistant.embedding import Embedder, QuestionSide
from assistant.errors import IndexUpdating
from assistant.index.store import PassageIndex
from assistant.question.scope import Catalog, DistrictFacts, DocumentFacts
from assistant.settings import Settings
from assistant.text.glossary import Glossary, plain_words
from assistant.text.keywords import KeywordIndex, heading_words, tokens, words
from assistant.text.spelling import Speller


def _label(section: str) -> str:
    return section.rsplit(" > ", 1)[-1]


@dataclass(frozen=True)
class DenseModel:
    """One embedding model and the collection it built."""

    key: str
    index: PassageIndex
    embedder: Embedder
    tuned: QuestionSide | None = None  # its question side tuned on the training districts, asked beside its own


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with what the answer writer needs."""

    id: str
    text: str
    doc_id: str
    title: str
    page: int | None
    section: str
    url: str
    units: list[str]
    ordinal: int  # the passage's place in its document
    terms: frozenset[str]  # keyword tokens, in the language of the question it was retrieved for
    unit_terms: tuple[frozenset[str], ...]  # each unit's words with the passage's label, for coverage
    language: str = "en"
    district: str = ""  # the name of the district whose document it is
    original_id: str = ""  # set on a translated passage: the chunk it translates
    translation_label: str = ""  # a translation's label for readers, e.g. "Traducción no oficial"
    dense: float = 0.0  # cosine of question and passage, averaged over models
    unit_similarity: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per unit, averaged
    translation: Passage | None = None  # the passage in the question's language, where there is one

    @property
    def label(self) -> str:
        """The innermost heading: how an answer line introduces a quote."""
        return _label(self.section) or self.title

    @property
    def paired_translation(self) -> Passage | None:
        """The translation when its units pair one to one with this passage's units."""
        if self.translation is not None and len(self.translation.units) == len(self.units):
            return self.translation
        return None

    @property
    def labels(self) -> frozenset[str]:
        """Its innermost heading, and its translation's."""
        return frozenset({self.label} | ({self.translation.label} if self.translation else set()))

    def renderings(self, position: int) -> tuple[str, ...]:
        """A unit's words, and its paired translation's words for it when there is one."""
        paired = self.paired_translation
        unit = self.units[position]
        return (unit,) if paired is None else (unit, paired.units[position])


@dataclass(frozen=True)
class KeywordSide:
    """BM25 over the passages of one language: `rows` are their positions in the row order."""

    rows: np.ndarray
    keywords: KeywordIndex
    headings: KeywordIndex


@dataclass(frozen=True)
class IndexState:
    """Everything read from the index, in row order: originals first, then translations.

    Built in full before it replaces the state being served, in one assignment, so a search
    running meanwhile keeps the state it started with.
    """

    fingerprint: str
    in_memory: bool
    ids: list[str]
    passages: dict[str, Passage]  # the originals, by id
    position: dict[str, int]
    translations: dict[tuple[str, str], Passage]  # (original id, language) -> translated passage
    original_of: np.ndarray  # row -> position of the original it belongs to (itself for an original)
    eligible: dict[str, np.ndarray]  # language -> the rows a question in it is matched against
    untranslated: dict[str, np.ndarray]  # language -> per original, whether none of its rows is in it
    glossaries: dict[str, Glossary]
    district_glossaries: dict[tuple[str, str], Glossary]  # (language, district): when the corpus has several
    speller: Speller  # corrects a question's typos toward the words of the plans and the glossary
    # Per row, what names it: its innermost heading's words, those of each numbered paragraph it
    # holds ("Recommendation 6. To ensure ..." is named by "Recommendation 6"), ... (_names).
    names: list[tuple[Name, ...]]
    keyword_sides: dict[str, KeywordSide]
    # (language, district) -> BM25 over that district's passages alone, when the corpus has several.
    district_keyword_sides: dict[tuple[str, str], KeywordSide]
    # Per model, every unit vector in one matrix, grouped by passage in row order: row i's units
    # are rows unit_bounds[i] to unit_bounds[i + 1].
    unit_bounds: np.ndarray
    unit_matrix: dict[str, np.ndarray]
    chunk_matrix: dict[str, np.ndarray]  # per model, one vector a row (in memory only)
    # Each unit's words (and each heading) -> the original passage it belongs to (a translation's
    # too): what an earlier answer quoted is found again by its words.
    unit_owner: dict[str, str]
    # Every passage's heading path and text, plain words one space apart, both languages: whether
    # the plans say a phrase at all ("school bus" once a transportation plan is ingested).
    plain_text: str = ""
    # Per glossary language, per idea (index into its plan_words): the originals, in row order,
    # that hold one of the idea's plan phrases word for word, themselves or in a translation.
    idea_homes: dict[str, list[list[str]]] = field(default_factory=dict)
    # The corpus's districts and documents, as the manifest names them (question/scope.py).
    catalog: Catalog = field(default_factory=lambda: Catalog([], []))
    row_district: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))  # per row
    row_doc: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))  # per row: the original's doc_id

    @property
    def originals(self) -> int:
        return len(self.passages)

    def eligible_for(self, lang: str, districts: frozenset[str] = frozenset()) -> np.ndarray:
        """The rows a question in `lang` is matched against; only those of `districts` when it names
        some of the corpus's (and the corpus has others)."""
        eligible = self.eligible.get(lang, np.arange(len(self.ids)) < self.originals)
        if districts and len(self.catalog.districts) > 1:
            eligible = eligible & np.isin(self.row_district, list(districts))
        return eligible

    def reachable(self, eligible: np.ndarray) -> np.ndarray:
        """Per original passage, whether a question may be answered from it or its translations
        (`eligible`, per row, as eligible_for gives)."""
        reachable = np.zeros(self.originals, dtype=bool)
        reachable[self.original_of[eligible]] = True
        return reachable

    def of_documents(self, documents: frozenset[str]) -> np.ndarray | None:
        """Per original passage, whether it is in one of `documents` (None for none)."""
        return np.isin(self.row_doc[: self.originals], list(documents)) if documents else None

    def keyword_side(self, lang: str, districts: frozenset[str] = frozenset()) -> KeywordSide:
        """BM25 over the passages in the question's language (English where there are none); over
        one district's alone when the question keeps to that district (eligible_for)."""
        side = self.keyword_sides.get(lang) or self.keyword_sides["en"]
        district = self._one_district(districts)
        return self.district_keyword_sides.get((side.keywords.lang, district), side) if district else side

    def glossary(self, lang: str, districts: frozenset[str] = frozenset()) -> Glossary | None:
        """The glossary of `lang` bridging to the plans' words, as keyword_side() picks its passages."""
        district, whole = self._one_district(districts), self.glossaries.get(lang)
        return self.district_glossaries.get((lang, district), whole) if district else whole

    def _one_district(self, districts: frozenset[str]) -> str | None:
        """The district a question keeps to, when it keeps to one and the corpus has several."""
        return next(iter(districts)) if len(districts) == 1 and len(self.catalog.districts) > 1 else None

    def by_original(self, row_scores: np.ndarray, eligible: np.ndarray) -> np.ndarray:
        """Each original's score: the best of its eligible rows (itself and its translations)."""
        scores = np.full(self.originals, -np.inf)
        np.maximum.at(scores, self.original_of[eligible], row_scores[eligible])
        return scores

    def ranking(
        self, scores: np.ndarray, n: int, positive_only: bool = False, also_of: np.ndarray | None = None
    ) -> list[str]:
        """Original passage ids by descending score, at most n (and only scores above 0 if asked).
        A passage the question may not be answered from (-inf) is in no ranking, even when fewer
        than n passages may: another district's passages would fill the ranking of a small one.

        With `also_of` (of_documents), the best n of those passages follow the others: in a library
        of a thousand pages the document a question names ("What does the LCAP say about
        counselors?") is among the candidates even where other documents outrank it."""
        order = np.argsort(-scores)[:n]
        ranked = [self.ids[i] for i in order if scores[i] > (0 if positive_only else -np.inf)]
        if also_of is None:
            return ranked
        named, seen = self.ranking(np.where(also_of, scores, -np.inf), n, positive_only), set(ranked)
        return ranked + [pid for pid in named if pid not in seen]


# A paragraph that opens with a numbered label: "Recommendation 6. To ensure ...", "Recomendación 6. Para ...".
_ITEM_LABEL = re.compile(r"^([^\W\d_]+(?: [^\W\d_]+)? \d{1,2})[.:]\s")


# A heading that names a list of things of something: "Recommendations of the 2016 ...",
# "Recomendaciones del Plan Maestro ...": its plural head noun names it too.
_LIST_HEADING = re.compile(r"^([^\W\d_]+s) (?:of|del|de)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Name:
    """Words that name a passage, and how specific a name they are (higher: more)."""

    words: frozenset[str]
    rank: float
    # A heading between the top and the innermost one ("Values" for Internal Values): it names
    # the passage only as a member of that group, for a follow-up in that part of the plans.
    of_group: bool = False


def _plural_head(said: list[str], lang: str) -> str | None:
    """The plural head noun of a heading of several words (its heading_words): "skills" of "Strong
    Academic Skills", "prioridades" of "PRIORIDADES ESTRATÉGICAS" (Spanish puts the adjective after)."""
    head = (said[-1] if lang == "en" else said[0]) if len(said) > 1 else ""
    return head if head.endswith("s") else None


def _names(passage: Passage, head: str | None) -> tuple[Name, ...]:
    """What names a passage: its innermost heading, the plural head noun of a list heading (or
    `head`: "What are the priorities?" names STRATEGIC PRIORITIES), each numbered
    paragraph's label (the most specific of all), and its group headings. More words rank higher,
    then a deeper heading."""
    depth = passage.section.count(" > ")
    heading = frozenset(heading_words(passage.label, passage.language))
    names = [Name(heading, 10.0 * len(heading) + depth)]
    if plural := _LIST_HEADING.match(passage.label):
        names.append(Name(frozenset(words(plural.group(1), passage.language)), 10.0 + depth))
    elif head:
        names.append(Name(frozenset({head}), 10.0 + depth))
    for unit in passage.units:
        if item := _ITEM_LABEL.match(unit):
            label = frozenset(words(item.group(1), passage.language))
            names.append(Name(label, 10.0 * len(label) + depth + 1))
    for group in passage.section.split(" > ")[1:-1]:
        group_words = frozenset(heading_words(group, passage.language))
        names.append(Name(group_words, 10.0 * len(group_words) - 5, of_group=True))
    return tuple(names)


def read_state(models: list[DenseModel], settings: Settings, glossaries: dict[str, Glossary]) -> IndexState:
    """Everything the retriever serves, read from the models' collections. Raises IndexUpdating
    when they disagree (an ingest writing them, or stopped between two of them)."""
    fingerprints = {model.key: model.index.fingerprint() for model in models}
    if len(set(fingerprints.values())) > 1:
        raise IndexUpdating(f"the index is being updated (collections at {fingerprints}): try again shortly")
    primary = models[0].index
    chunks = primary.load("chunk", with_vectors=False)
    # Exact search in memory up to the limit: a matrix product takes a few ms at 7,500 passages,
    # where Chroma's query (filtered to the chunk rows, among every sentence's) added ~75 ms a
    # question (warm p50 101 against 25 ms, 1,000 pages). Past the limit, Chroma's HNSW answers.
    in_memory = len(chunks["ids"]) <= settings.in_memory_passage_limit
    rows: dict[str, Passage] = {}
    keyword_texts: dict[str, str] = {}
    for chunk_id, text, meta in zip(chunks["ids"], chunks["documents"], chunks["metadatas"]):
        section, context = str(meta["section"]), str(meta["context"])
        language = str(meta.get("language", "en"))
        embed_text = "\n".join(part for part in (section, context, text) if part)
        # The heading path counts twice for keywords: a word in a heading names the topic.
        keyword_texts[chunk_id] = f"{section}\n{embed_text}"
        rows[chunk_id] = Passage(
            id=chunk_id,
            text=text,
            doc_id=str(meta["doc_id"]),
            title=str(meta["title"]),
            page=int(meta["page"]) or None,
            section=section,
            url=str(meta["url"]),
            units=(units := json.loads(str(meta["units"]))),
            ordinal=int(meta["ordinal"]),
            terms=frozenset(tokens(embed_text, language)),
            unit_terms=tuple(frozenset(tokens(f"{_label(section)} {unit}", language)) for unit in units),
            language=language,
            original_id=str(meta.get("original_id", "")),
            translation_label=str(meta.get("label", "")),
            district=str(meta.get("district", "")),
        )
    # A translation's keywords include its original's words: a Spanish question that names the
    # plan's English terms ("¿qué es el Road Map?", "LCAP") finds them through the translation.
    for pid, passage in list(rows.items()):
        if passage.original_id in rows:
            keyword_texts[pid] += "\n" + keyword_texts[passage.original_id]
            original_words = tokens(keyword_texts[passage.original_id], passage.language)
            rows[pid] = replace(passage, terms=passage.terms | frozenset(original_words))
    # Originals first, then translations: the ranked ids are the originals' (what is cited).
    ids = sorted(rows, key=lambda pid: bool(rows[pid].original_id))
    position = {pid: i for i, pid in enumerate(ids)}
    languages = sorted({p.language for p in rows.values()})
    # A question that names a section ("What falls under Outstanding Staff?") ranks the passages
    # it names, the most specific first. Headings are named by their words as written, not by
    # stems: "What is the district's culture?" names OUR CULTURE, "Will kids learn about other
    # cultures?" does not.
    # The head noun of a two-word heading names it when it heads no other heading ("priorities"
    # does; "skills" heads three). A translated heading is named so only when its original is:
    # word order tells the head noun less surely in Spanish.
    labels = {(p.language, p.label) for p in rows.values()}
    heads = Counter((lang, head) for lang, label in labels if (head := _plural_head(heading_words(label, lang), lang)))

    def named_by_head(passage: Passage) -> str | None:
        said = heading_words(passage.label, passage.language)
        head = _plural_head(said, passage.language)
        if not head or heads[passage.language, head] > 1 or len(said) > 2:
            return None
        original = rows.get(passage.original_id or "")
        return head if original is None or named_by_head(original) else None

    names = [_names(rows[pid], named_by_head(rows[pid])) for pid in ids]

    def keyword_side(language: str, members: list[int]) -> KeywordSide:
        return KeywordSide(
            np.array(members, dtype=np.int64),
            KeywordIndex([keyword_texts[ids[i]] for i in members], language),
            # Headings name topics: a question that names one ("What is the mission?") finds it.
            KeywordIndex([rows[ids[i]].section for i in members], language),
        )

    keyword_sides = {
        language: keyword_side(language, [i for i, pid in enumerate(ids) if rows[pid].language == language])
        for language in languages
    }
    # With several districts' plans, a question kept to one district's is ranked by keywords
    # weighed over that district's passages alone, as if they were the only ones: how common a
    # word is in other districts' plans says nothing of which of this district's passages answers.
    district_of = [rows[rows[pid].original_id or pid].district for pid in ids]
    by_district: dict[tuple[str, str], list[int]] = {}
    for i, pid in enumerate(ids):
        by_district.setdefault((rows[pid].language, district_of[i]), []).append(i)
    several = len(set(district_of)) > 1
    district_sides = {key: keyword_side(key[0], members) for key, members in by_district.items() if several}
    sizes = [len(rows[i].units) for i in ids]
    unit_matrix: dict[str, np.ndarray] = {}
    chunk_matrix: dict[str, np.ndarray] = {}
    for model in models:
        try:
            if in_memory:
                rows_by_id = model.index.load("chunk", with_vectors=True)
                by_id = dict(zip(rows_by_id["ids"], rows_by_id["embeddings"]))
                chunk_matrix[model.key] = np.vstack([np.asarray(by_id[i]) for i in ids])
            units = model.index.load("unit", with_vectors=True)
            vectors = {
                (str(m["chunk_id"]), int(m["position"])): np.asarray(v)
                for m, v in zip(units["metadatas"], units["embeddings"])
            }
            matrix = [vectors[(chunk_id, i)] for chunk_id, size in zip(ids, sizes) for i in range(size)]
        except KeyError as missing:  # the fingerprints agreed, yet a row is missing: written meanwhile
            raise IndexUpdating(f"the {model.key} index lacks row {missing}: try again shortly") from missing
        unit_matrix[model.key] = np.vstack(matrix)

    def last_first(pid: str) -> tuple[bool, int]:  # so that a heading's first passage is written last
        return (not rows[pid].original_id, -rows[pid].ordinal)

    # Read once for every glossary language's idea homes, not once per language.
    said = _said_by_original(rows, ids)
    facts = {}
    for meta in chunks["metadatas"]:
        if not meta.get("original_id") and meta["doc_id"] not in facts:
            facts[meta["doc_id"]] = DocumentFacts(
                str(meta["doc_id"]),
                str(meta["title"]),
                str(meta.get("district", "")),
                str(meta.get("edition", "")),
                str(meta.get("doc_kind", "")),
                bool(meta.get("featured", False)),
            )
    districts = [
        DistrictFacts(d["name"], tuple(d.get("short_names", ())), dict(d.get("where_to_ask", {})))
        for d in primary.districts()
    ]
    originals = [rows[pid].original_id or pid for pid in ids]
    originals_only = [pid for pid in ids if not rows[pid].original_id]
    renderings = {(p.original_id, p.language) for p in rows.values() if p.original_id}
    return IndexState(
        fingerprint=fingerprints[models[0].key],
        in_memory=in_memory,
        ids=ids,
        passages={pid: p for pid, p in rows.items() if not p.original_id},
        position=position,
        translations={(p.original_id, p.language): p for p in rows.values() if p.original_id},
        original_of=np.array([position[rows[pid].original_id or pid] for pid in ids], dtype=np.int64),
        eligible={
            language: np.array([not rows[pid].original_id or rows[pid].language == language for pid in ids])
            for language in languages
        },
        untranslated={
            lang: np.array([rows[pid].language != lang and (pid, lang) not in renderings for pid in originals_only])
            for lang in languages
        },
        # Each language's glossary keeps only the everyday phrases its plan text never uses.
        glossaries={
            lang: glossary.bridging(" ".join(keyword_texts[pid] for pid in ids if rows[pid].language == lang))
            for lang, glossary in glossaries.items()
        },
        # ...and, for a question kept to one district's plans, the phrases that district's never uses.
        district_glossaries={
            (lang, district): glossary.bridging(" ".join(keyword_texts[ids[i]] for i in by_district[lang, district]))
            for lang, glossary in glossaries.items()
            for language, district in district_sides
            if language == lang
        },
        speller=Speller(
            {
                lang: [keyword_texts[pid] for pid in ids if rows[pid].language == lang]
                + [*glossary.plan_words, *(phrase for said, _ in glossary.phrases for phrase in said)]
                for lang, glossary in glossaries.items()
            }
        ),
        names=names,
        keyword_sides=keyword_sides,
        district_keyword_sides=district_sides,
        unit_bounds=np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
        unit_matrix=unit_matrix,
        chunk_matrix=chunk_matrix,
        # Originals come first in ids: read backwards, an original's unit is written last and wins
        # over a translation unit with the same words.
        # A list answer names its items by their headings: a heading stands for its first passage.
        unit_owner={rows[pid].label: rows[pid].original_id or pid for pid in sorted(ids, key=last_first)}
        | {unit: rows[pid].original_id or pid for pid in reversed(ids) for unit in rows[pid].units},
        plain_text=f" {' '.join(plain_words(keyword_texts[pid]) for pid in ids)} ",
        idea_homes={lang: _idea_homes(glossary, said) for lang, glossary in glossaries.items()},
        catalog=Catalog(list(facts.values()), districts),
        row_district=np.array([rows[pid].district for pid in originals], dtype=object),
        row_doc=np.array([rows[pid].doc_id for pid in originals], dtype=object),
    )


def _said_by_original(rows: dict[str, Passage], ids: list[str]) -> dict[str, str]:
    """Per original, in row order, the plain words of its heading and text and of its translations'."""
    said: dict[str, str] = {}
    for pid in ids:
        owner = rows[pid].original_id or pid
        said[owner] = said.get(owner, " ") + f"{plain_words(rows[pid].section + ' ' + rows[pid].text)} "
    return said


def _idea_homes(glossary: Glossary, said: dict[str, str]) -> list[list[str]]:
    """Per idea of the glossary, the originals whose words (`said`, _said_by_original) hold one of
    its plan phrases ("entrepreneurial skills ..." is at home in Strong Academic Skills)."""
    homes = []
    for plan_words in glossary.plan_words:
        phrases = [f" {plain} " for phrase in plan_words.split(";") if (plain := plain_words(phrase))]
        homes.append([pid for pid in said if any(phrase in said[pid] for phrase in phrases)])
    return homes
