"""Hybrid retrieval: dense rankings (each model, by passage and by its best sentence) and a
keyword (BM25) ranking, fused by weighted reciprocal rank.

Translations take part as views of their original: a Spanish passage that matches a Spanish
question ranks its English original, which is what is cited (verbatim), with the Spanish
passage attached. An English question sees only the originals, so translations never change
an English answer. Earlier turns of a conversation can be given as weighted context texts:
they pull retrieval toward the conversation's topic, and the question's own words still lead;
the passage the previous answer led with, when the follow-up points back at it, counts as one
more ranking.
A question that names an idea in everyday words ("handle money") is read with the plan's words
for it ("financial literacy", assistant/parent_terms.toml): its vector is moved toward them and
the keyword side searches for them too, each at a weight chosen on the dev questions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np

from assistant.index.state import DenseModel, IndexState, Passage, read_state
from assistant.question.framing import unframed
from assistant.settings import Settings
from assistant.text.glossary import Glossary, plain_words
from assistant.text.keywords import KeywordIndex, question_tokens, question_words

# A sentence that announces the list after it: "... sets out the following seven recommendations".
_ANNOUNCES_LIST = re.compile(r":\s*$|\bthe following\b|\bas follows\b", re.IGNORECASE)


def _announces_list(passage: Passage) -> bool:
    return any(_ANNOUNCES_LIST.search(unit) for unit in passage.units)


@dataclass
class Retrieval:
    """Ranked passages for one question, with the terms the keyword side matched on."""

    question_terms: list[str]
    keywords: KeywordIndex  # the keyword index of the question's language (for coverage)
    passages: list[Passage] = field(default_factory=list)
    # The words of the earlier turns a follow-up leans on: "What else is in that group?" names
    # nothing by itself, so its confidence is judged with them.
    context_terms: list[str] = field(default_factory=list)
    # The passages whose heading the question names ("What are the strategic priorities?"):
    # the list a question for a whole list asks for.
    named: list[Passage] = field(default_factory=list)
    # The passage the previous answer led with, when the question points back at it ("What else
    # is in that group?"): what "that" refers to.
    referent: Passage | None = None


def fuse(rankings: list[list[str]], weights: list[float], k: int) -> dict[str, float]:
    """Weighted reciprocal rank fusion: score(d) = sum_i w_i / (k + rank_i(d)), ranks from 1."""
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return scores


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
        self._state = read_state(self._models, self._settings, self._glossary_files)

    def says(self, phrase: str) -> bool:
        """Whether some passage of the plans (or of their translations) has the phrase, word for word."""
        return f" {plain_words(phrase)} " in self._state.plain_text

    def knows(self, word: str) -> bool:
        """Whether the plans or the parents' glossary use the word, in either language."""
        return self._state.speller.knows(word)

    def spelled(self, question: str, lang: str) -> str:
        """The question with its typos corrected toward the plans' words (assistant/spelling.py)."""
        return self._state.speller.correct(question, lang)

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
        elif _announces_list(passage):
            items = [p for p in same_doc if p.section == passage.section and p.ordinal > passage.ordinal]
        return [replace(p, translation=state.translations.get((p.id, reply_lang))) for p in items]

    def list_of(self, passage: Passage, reply_lang: str = "en") -> tuple[Passage, list[Passage]]:
        """The list a passage stands for, as (the passage that heads it, its items): the items the
        passage introduces; or, for an item of a list announced before it (Recommendation 2 after
        "the following seven recommendations"), that list; else (the passage, [])."""
        items = self.continuation(passage, reply_lang)
        if items:
            return passage, items
        state = self._state
        announcing = [
            p
            for p in state.passages.values()
            if p.doc_id == passage.doc_id
            and p.section == passage.section
            and p.ordinal < passage.ordinal
            and _announces_list(p)
        ]
        if not announcing:
            return passage, []
        head = max(announcing, key=lambda p: p.ordinal)
        head = replace(head, translation=state.translations.get((head.id, reply_lang)))
        return head, self.continuation(head, reply_lang)

    def _dense_ranking(
        self, state: IndexState, model: DenseModel, vector: np.ndarray, eligible: np.ndarray, n: int
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
        self,
        model: DenseModel,
        question: str,
        about: str,
        context: Sequence[tuple[str, float]],
        lang: str,
        ideas: list[int],
    ) -> np.ndarray:
        """The question's vector, blended with that of `about`, its words without a yes/no
        question's frame (assistant/framing.py), moved toward the plan's words for the glossary
        ideas it names and toward the conversation's earlier turns, by their weights."""
        share = self._settings.unframed_share
        if about == question:
            combined = model.embedder.embed_query(question)
        else:  # both readings in one call of the model: the question as asked, and what it is about
            vectors = model.embedder.embed_queries([question, about])
            combined = (1 - share) * vectors[0] + share * vectors[1]
        if ideas:
            combined = combined + self._settings.glossary_weight * self._plan_vectors[(model.key, lang)][ideas].mean(0)
        for text, weight in context:
            combined = combined + weight * model.embedder.embed_query(text)
        return combined / (np.linalg.norm(combined) or 1.0)

    def search(
        self,
        question: str,
        lang: str = "en",
        context: Sequence[tuple[str, float]] = (),
        reply_lang: str | None = None,
        shown: Sequence[str] = (),
    ) -> Retrieval:
        """Rank passages for a question written in `lang`; attach translations into `reply_lang`
        (by default the question's language). `shown`: the quotes of the answer a follow-up
        points back at (assistant/conversation.py); quotes that are no unit of the plans count for nothing."""
        settings = self._settings
        state = self._state  # one state for the whole search, even if a reload swaps it meanwhile
        side = state.keyword_sides.get(lang) or state.keyword_sides["en"]
        terms = [side.keywords.known(t) for t in question_tokens(question, side.keywords.lang)]
        glossary = state.glossaries.get(side.keywords.lang)
        ideas = glossary.found(question) if glossary else []
        plan_terms = (
            question_tokens(" ".join(glossary.plan_words[i] for i in ideas), side.keywords.lang) if glossary else []
        )
        # A question is matched against the originals and their translations into its language.
        eligible = state.eligible_for(lang)
        n = min(settings.dense_candidates, state.originals)
        asked = question_words(question, side.keywords.lang)
        named = self._named_headings(state, asked, eligible)
        if named:
            # A follow-up that names a section ("And its mission?" after the culture) is about that
            # section: the conversation weighs as little as for a self-contained question.
            context = [(text, weight * settings.new_topic_share) for text, weight in context]
        rankings: list[list[str]] = []
        weights: list[float] = []
        dense = np.zeros(state.originals)
        unit_similarity = np.zeros(int(state.unit_bounds[-1]))
        # The frame is read once for all models, which then embed side by side (onnxruntime and
        # numpy release the GIL).
        about = unframed(question, side.keywords.lang) if settings.unframed_share > 0 else question
        vectors = list(
            self._pool.map(
                lambda model: self._embed(model, question, about, context, side.keywords.lang, ideas), self._models
            )
        )
        for model, vector in zip(self._models, vectors):
            reads_it = lang == "en" or model.key not in settings.english_only_models
            share = 1.0 if reads_it else settings.english_only_share_for_other_languages
            similarities = self._dense_ranking(state, model, vector, eligible, n)
            ranked = state.ranking(similarities, n)
            rankings.append(ranked)
            weights.append(settings.dense_weight * share)
            for pid in ranked:  # a model adds to a passage's similarity where it ranked it
                dense[state.position[pid]] += similarities[state.position[pid]] / len(self._models)
            per_unit = state.unit_matrix[model.key] @ vector
            unit_similarity += per_unit / len(self._models)
            best_unit = np.maximum.reduceat(per_unit, state.unit_bounds[:-1])
            rankings.append(state.ranking(state.by_original(best_unit, eligible), n))
            weights.append(settings.unit_weight * share)
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
        if settings.glossary_home_weight > 0 and ideas and not named:
            # "starting a business" is at home where the plan says "entrepreneurial skills"
            homes = state.idea_homes.get(side.keywords.lang, [])
            at_home = {pid for i in ideas if i < len(homes) for pid in homes[i]}
            rankings.append([pid for pid in state.ids[: state.originals] if pid in at_home])
            weights.append(settings.glossary_home_weight)
        if settings.label_weight > 0:
            rankings.append(named)
            weights.append(settings.label_weight)
        led_with = next((state.unit_owner[q] for q in shown if q in state.unit_owner), None)
        if led_with is not None and settings.shown_weight > 0:
            rankings.append([led_with])
            weights.append(settings.shown_weight)
        referent = (
            None
            if led_with is None
            else self._retrieved(state, led_with, lang, reply_lang or lang, 0.0, unit_similarity)
        )
        if referent is not None:
            # "What are its values?" after the Graduate Profile: of the sections the question names,
            # a group heading included ("Values" for Internal Values), those in the part of the plans
            # the conversation is in come first.
            top = referent.section.split(" > ")[0]
            named = self._named_headings(state, asked, eligible, groups=True)
            named = sorted(named, key=lambda pid: state.passages[pid].section.split(" > ")[0] != top)
        fused = fuse(rankings, weights, settings.rrf_k)

        def retrieved(pid: str) -> Passage:
            return self._retrieved(
                state, pid, lang, reply_lang or lang, float(dense[state.position[pid]]), unit_similarity
            )

        context_terms = [t for text, weight in context if weight > 0 for t in question_tokens(text, side.keywords.lang)]
        return Retrieval(
            terms,
            side.keywords,
            [retrieved(pid) for pid in sorted(fused, key=lambda p: -fused[p])[:n]],
            [t for t in dict.fromkeys(context_terms) if t not in terms],
            [retrieved(pid) for pid in named],
            referent,
        )

    def _named_headings(
        self, state: IndexState, asked_words: list[str], eligible: np.ndarray, groups: bool = False
    ) -> list[str]:
        """The passages the question names by their innermost heading or by a numbered paragraph's
        label ("Recommendation 6"), the most specific first (IndexState.names); with `groups`,
        also by a heading of the group they are in.

        A name counts when all its words are in the question and make up enough of it: "What
        does accountability mean?" is about Accountability, while "¿les enseñan algo de su propia
        cultura y raíces?" only uses the word of OUR CULTURE in passing."""
        asked = set(asked_words)
        least = self._settings.label_min_share * len(asked)
        scores = np.array(
            [
                max(
                    (
                        name.rank
                        for name in names
                        if name.words
                        and name.words <= asked
                        and len(name.words) >= least
                        and (groups or not name.of_group)
                    ),
                    default=0.0,
                )
                for names in state.names
            ]
        )
        n = min(self._settings.dense_candidates, state.originals)
        return state.ranking(state.by_original(scores, eligible), n, positive_only=True)

    @staticmethod
    def _retrieved(
        state: IndexState, pid: str, question_lang: str, reply_lang: str, dense: float, unit_similarity: np.ndarray
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
