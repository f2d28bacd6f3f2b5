"""Hybrid retrieval: dense rankings (each model, by passage and by its best sentence) and a
keyword (BM25) ranking, fused by weighted reciprocal rank.

Translations take part as views of their original: a Spanish passage that matches a Spanish
question ranks its English original, which is what is cited (verbatim), with the Spanish
passage attached. An English question sees only the originals, so translations never change
an English answer. Earlier turns of a conversation can be given as weighted context texts:
they pull retrieval toward the conversation's topic, and the question's own words still lead.
A question that names an idea in everyday words ("handle money") is read with the plan's words
for it ("financial literacy", assistant/parent_terms.toml): its vector is moved toward them and
the keyword side searches for them too, each at a weight chosen on the dev questions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np

from assistant.embedding import Embedder
from assistant.errors import IndexUpdating
from assistant.glossary import Glossary
from assistant.index import PassageIndex
from assistant.keywords import KeywordIndex, question_tokens, tokens
from assistant.settings import Settings

# A sentence that announces the list after it: "... sets out the following seven recommendations".
_ANNOUNCES_LIST = re.compile(r":\s*$|\bthe following\b|\bas follows\b", re.IGNORECASE)


def _label(section: str) -> str:
    return section.rsplit(" > ", 1)[-1]


@dataclass(frozen=True)
class DenseModel:
    """One embedding model and the collection it built."""

    key: str
    index: PassageIndex
    embedder: Embedder


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


@dataclass
class Retrieval:
    """Ranked passages for one question, with the terms the keyword side matched on."""

    question_terms: list[str]
    keywords: KeywordIndex  # the keyword index of the question's language (for coverage)
    passages: list[Passage] = field(default_factory=list)
    # The words of the earlier turns a follow-up leans on: "What else is in that group?" names
    # nothing by itself, so its confidence is judged with them.
    context_terms: list[str] = field(default_factory=list)


def fuse(rankings: list[list[str]], weights: list[float], k: int) -> dict[str, float]:
    """Weighted reciprocal rank fusion: score(d) = sum_i w_i / (k + rank_i(d)), ranks from 1."""
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return scores


@dataclass(frozen=True)
class _KeywordSide:
    """BM25 over the passages of one language: `rows` are their positions in the row order."""

    rows: np.ndarray
    keywords: KeywordIndex
    headings: KeywordIndex


@dataclass(frozen=True)
class _IndexState:
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
    glossaries: dict[str, Glossary]
    label_terms: list[frozenset[str]]
    label_rank: np.ndarray
    keyword_sides: dict[str, _KeywordSide]
    # Per model, every unit vector in one matrix, grouped by passage in row order: row i's units
    # are rows unit_bounds[i] to unit_bounds[i + 1].
    unit_bounds: np.ndarray
    unit_matrix: dict[str, np.ndarray]
    chunk_matrix: dict[str, np.ndarray]  # per model, one vector a row (in memory only)

    @property
    def originals(self) -> int:
        return len(self.passages)

    def eligible_for(self, lang: str) -> np.ndarray:
        return self.eligible.get(lang, np.arange(len(self.ids)) < self.originals)

    def by_original(self, row_scores: np.ndarray, eligible: np.ndarray) -> np.ndarray:
        """Each original's score: the best of its eligible rows (itself and its translations)."""
        scores = np.full(self.originals, -np.inf)
        np.maximum.at(scores, self.original_of[eligible], row_scores[eligible])
        return scores

    def ranking(self, scores: np.ndarray, n: int, positive_only: bool = False) -> list[str]:
        """Original passage ids by descending score, at most n (and only scores above 0 if asked)."""
        return [self.ids[i] for i in np.argsort(-scores)[:n] if not positive_only or scores[i] > 0]


class HybridRetriever:
    """Loads passages and sentence vectors once; each search embeds the question once per model."""

    def __init__(self, models: list[DenseModel], settings: Settings) -> None:
        self._models = models
        self._settings = settings
        self._pool = ThreadPoolExecutor(max_workers=len(models), thread_name_prefix="embed")
        self._glossary_files = {
            lang: Glossary.load(settings.parent_terms_file, said=lang, plan=plan)
            for lang, plan in (("en", "plan"), ("es", "plan_es"))
        }
        self.reload()  # first: an index built by another model fails here, before any embedding
        # The plan's words of every glossary idea, embedded once per model at start-up.
        self._plan_vectors = {
            (model.key, lang): model.embedder.embed_documents(glossary.plan_words)
            for model in models
            for lang, glossary in self._glossary_files.items()
            if glossary.plan_words
        }

    @property
    def fingerprint(self) -> str:
        """The fingerprint of the index being served."""
        return self._state.fingerprint

    @property
    def passages(self) -> dict[str, Passage]:
        """The original passages being served, by id."""
        return self._state.passages

    def reload(self) -> None:
        """(Re)read passages and unit vectors from the index, e.g. after a re-ingest.

        Everything is read before anything changes: when the models' collections disagree (an
        ingest between two of them) or the store cannot be read, this raises and the previous
        state goes on serving.
        """
        self._state = self._read()

    def _read(self) -> _IndexState:
        fingerprints = {model.key: model.index.fingerprint() for model in self._models}
        if len(set(fingerprints.values())) > 1:
            raise IndexUpdating(f"the index is being updated (collections at {fingerprints}): try again shortly")
        primary = self._models[0].index
        chunks = primary.load("chunk", with_vectors=False)
        # Exact search in memory while the corpus is small (a district's plans are a few hundred
        # passages): ~0.1 ms against ~3 ms for a Chroma query per model. Past the limit, Chroma's
        # HNSW index answers instead.
        in_memory = len(chunks["ids"]) <= self._settings.in_memory_passage_limit
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
        # A question that names a section ("What falls under Outstanding Staff?") ranks the
        # passages whose innermost heading it names in full, the most specific heading first.
        label_terms = [frozenset(tokens(rows[pid].label, rows[pid].language)) for pid in ids]
        keyword_sides: dict[str, _KeywordSide] = {}
        for language in languages:
            members = [i for i, pid in enumerate(ids) if rows[pid].language == language]
            keyword_sides[language] = _KeywordSide(
                np.array(members, dtype=np.int64),
                KeywordIndex([keyword_texts[ids[i]] for i in members], language),
                # Headings name topics: a question that names one ("What is the mission?") finds it.
                KeywordIndex([rows[ids[i]].section for i in members], language),
            )
        sizes = [len(rows[i].units) for i in ids]
        unit_matrix: dict[str, np.ndarray] = {}
        chunk_matrix: dict[str, np.ndarray] = {}
        for model in self._models:
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
        return _IndexState(
            fingerprint=fingerprints[self._models[0].key],
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
            # Each language's glossary keeps only the everyday phrases its plan text never uses.
            glossaries={
                lang: glossary.bridging(" ".join(keyword_texts[pid] for pid in ids if rows[pid].language == lang))
                for lang, glossary in self._glossary_files.items()
            },
            label_terms=label_terms,
            label_rank=np.array(
                [10.0 * len(terms) - rows[pid].section.count(" > ") for pid, terms in zip(ids, label_terms)]
            ),
            keyword_sides=keyword_sides,
            unit_bounds=np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
            unit_matrix=unit_matrix,
            chunk_matrix=chunk_matrix,
        )

    def continuation(self, passage: Passage, reply_lang: str = "en") -> list[Passage]:
        """The items a passage introduces, in document order, with their translations into
        `reply_lang`: its nearest subsections ("OUR VALUES" -> each value), or, when it announces
        what follows ("the following seven recommendations", a closing colon), the rest of its
        section ("Recommendation 1.", ...)."""
        state = self._state
        same_doc = sorted((p for p in state.passages.values() if p.doc_id == passage.doc_id), key=lambda p: p.ordinal)
        items = [p for p in same_doc if p.section.startswith(passage.section + " > ")]
        if items:
            nearest = min(p.section.count(" > ") for p in items)
            items = [p for p in items if p.section.count(" > ") == nearest]
            if len({p.section for p in items}) < len(items):
                return []  # subsections of several passages each are chapters, not list items
        elif any(_ANNOUNCES_LIST.search(unit) for unit in passage.units):
            items = [p for p in same_doc if p.section == passage.section and p.ordinal > passage.ordinal]
        return [replace(p, translation=state.translations.get((p.id, reply_lang))) for p in items]

    def _dense_ranking(
        self, state: _IndexState, model: DenseModel, vector: np.ndarray, eligible: np.ndarray, n: int
    ) -> np.ndarray:
        """Per original passage, the cosine of its best eligible row (-inf where not scored)."""
        if state.in_memory:
            return state.by_original(state.chunk_matrix[model.key] @ vector, eligible)
        scores = np.full(state.originals, -np.inf)
        ids, similarities = model.index.nearest_chunks(vector, 2 * n)  # room for translations' rows
        for pid, similarity in zip(ids, similarities):
            row = state.position.get(pid)
            if row is not None and eligible[row]:
                original = state.original_of[row]
                scores[original] = max(scores[original], similarity)
        return scores

    def _embed(
        self, model: DenseModel, question: str, context: Sequence[tuple[str, float]], lang: str, ideas: list[int]
    ) -> np.ndarray:
        """The question's vector, moved toward the plan's words for the glossary ideas it names
        and toward the conversation's earlier turns, by their weights."""
        combined = model.embedder.embed_query(question)
        if ideas:
            combined = combined + self._settings.glossary_weight * self._plan_vectors[(model.key, lang)][ideas].mean(0)
        for text, weight in context:
            combined = combined + weight * model.embedder.embed_query(text)
        return combined / (np.linalg.norm(combined) or 1.0)

    def search(
        self, question: str, lang: str = "en", context: Sequence[tuple[str, float]] = (), reply_lang: str | None = None
    ) -> Retrieval:
        """Rank passages for a question written in `lang`; attach translations into `reply_lang`
        (by default the question's language)."""
        settings = self._settings
        state = self._state  # one state for the whole search, even if a reload swaps it meanwhile
        side = state.keyword_sides.get(lang) or state.keyword_sides["en"]
        terms = question_tokens(question, side.keywords.lang)
        glossary = state.glossaries.get(side.keywords.lang)
        ideas = glossary.found(question) if glossary else []
        plan_terms = (
            question_tokens(" ".join(glossary.plan_words[i] for i in ideas), side.keywords.lang) if glossary else []
        )
        # A question is matched against the originals and their translations into its language.
        eligible = state.eligible_for(lang)
        n = min(settings.dense_candidates, state.originals)
        rankings: list[list[str]] = []
        weights: list[float] = []
        dense = np.zeros(state.originals)
        unit_similarity = np.zeros(int(state.unit_bounds[-1]))
        # The models embed the question side by side (onnxruntime and numpy release the GIL).
        vectors = list(
            self._pool.map(lambda model: self._embed(model, question, context, side.keywords.lang, ideas), self._models)
        )
        for model, vector in zip(self._models, vectors):
            similarities = self._dense_ranking(state, model, vector, eligible, n)
            ranked = state.ranking(similarities, n)
            rankings.append(ranked)
            weights.append(settings.dense_weight)
            for pid in ranked:  # a model adds to a passage's similarity where it ranked it
                dense[state.position[pid]] += similarities[state.position[pid]] / len(self._models)
            per_unit = state.unit_matrix[model.key] @ vector
            unit_similarity += per_unit / len(self._models)
            best_unit = np.maximum.reduceat(per_unit, state.unit_bounds[:-1])
            rankings.append(state.ranking(state.by_original(best_unit, eligible), n))
            weights.append(settings.unit_weight)
        for keyword_index, weight in (
            (side.keywords, settings.keyword_weight),
            (side.headings, settings.heading_weight),
        ):
            if weight > 0:  # a ranking with no weight adds nothing to the fusion: skip its scoring
                scores = keyword_index.scores(terms)
                if plan_terms:
                    scores = scores + settings.glossary_keyword_weight * keyword_index.scores(plan_terms)
                for text, context_weight in context:
                    scores = scores + context_weight * keyword_index.scores(question_tokens(text, keyword_index.lang))
                row_scores = np.zeros(len(state.ids))
                row_scores[side.rows] = scores
                rankings.append(state.ranking(state.by_original(row_scores, eligible), n, positive_only=True))
                weights.append(weight)
        if settings.label_weight > 0:
            named = set(terms)
            scores = np.array([float(bool(t) and t <= named) for t in state.label_terms]) * state.label_rank
            rankings.append(state.ranking(state.by_original(scores, eligible), n, positive_only=True))
            weights.append(settings.label_weight)
        fused = fuse(rankings, weights, settings.rrf_k)
        passages = [
            self._retrieved(state, pid, lang, reply_lang or lang, float(dense[state.position[pid]]), unit_similarity)
            for pid in sorted(fused, key=lambda p: -fused[p])[:n]
        ]
        context_terms = [t for text, weight in context if weight > 0 for t in question_tokens(text, side.keywords.lang)]
        return Retrieval(terms, side.keywords, passages, [t for t in dict.fromkeys(context_terms) if t not in terms])

    @staticmethod
    def _retrieved(
        state: _IndexState, pid: str, question_lang: str, reply_lang: str, dense: float, unit_similarity: np.ndarray
    ) -> Passage:
        """The original passage as retrieved: its scores, and its translation for the reply if any."""
        bounds = state.unit_bounds
        i = state.position[pid]
        passage = replace(state.passages[pid], dense=dense, unit_similarity=unit_similarity[bounds[i] : bounds[i + 1]])
        translation = state.translations.get((pid, reply_lang))
        if translation is None:
            return passage
        t = state.position[translation.id]
        translation = replace(translation, unit_similarity=unit_similarity[bounds[t] : bounds[t + 1]])
        passage = replace(passage, translation=translation)
        if passage.paired_translation is not None and translation.language == question_lang:
            # Units pair one to one: a unit is as close as the nearer of its two renderings, and
            # the keyword side compares the question with the words of its own language.
            passage = replace(
                passage,
                unit_similarity=np.maximum(passage.unit_similarity, translation.unit_similarity),
                terms=translation.terms,
                unit_terms=translation.unit_terms,
            )
        return passage
