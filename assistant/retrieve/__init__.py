"""Retrieval: every signal that says how well a passage answers the question, gathered once.

Dense rankings (each model, by passage and by its best sentence), a keyword (BM25) ranking, the
sections the question names, the passage a follow-up points back at, and, for a question that
names an idea in everyday words, the passages where the plans say it in theirs. Each is a ranking
of the original passages with the scores behind it; the rank stage (assistant/rank/) combines them.

Translations take part as views of their original: a Spanish passage that matches a Spanish
question ranks its English original, which is what is cited (verbatim), with the Spanish passage
attached. An English question sees only the originals, so translations never change an English
answer. Earlier turns of a conversation pull retrieval toward the conversation's topic; the
question's own words still lead.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from assistant.embedding import Embedder, QuestionSide
from assistant.index.state import DenseModel, IndexState, Passage, read_state
from assistant.question import Query
from assistant.retrieve.fusion import fuse
from assistant.settings import Settings
from assistant.text.glossary import Glossary, plain_words
from assistant.text.keywords import KeywordIndex, question_tokens, question_words
from assistant.text.lexicon import spanish_to_english


@dataclass(frozen=True)
class Gathered:
    """Everything retrieval found for one question, before the rankings are combined."""

    state: IndexState  # the index the search ran on (a reload meanwhile swaps in another)
    query: Query
    terms: list[str]  # the question's keyword terms
    keywords: KeywordIndex  # the keyword index of the question's language (for coverage)
    context_terms: list[str]  # the words of the earlier turns a follow-up leans on
    rankings: dict[str, list[str]]  # each signal's ranking of original passage ids, best first
    weights: dict[str, float]  # each ranking's weight in a fusion of ranks
    scores: dict[str, np.ndarray]  # each signal's score per original passage (-inf: not scored)
    dense: np.ndarray  # per original: its cosine with the question, averaged over the models that ranked it
    unit_similarity: np.ndarray  # per unit row: its cosine with the question, averaged over models
    named: list[str]  # the passages whose heading the question names, the most specific first
    referent: str | None  # the passage the previous answer led with, when the question points back at it

    def passage(self, pid: str) -> Passage:
        """The original passage as retrieved: its scores, and its translation for the reply if any."""
        state, query = self.state, self.query
        bounds = state.unit_bounds
        i = state.position[pid]
        passage = replace(
            state.passages[pid],
            dense=float(self.dense[i]),
            unit_similarity=self.unit_similarity[bounds[i] : bounds[i + 1]],
        )
        translation = state.translations.get((pid, query.reply_lang))
        if translation is None:
            return passage
        t = state.position[translation.id]
        translation = replace(translation, unit_similarity=self.unit_similarity[bounds[t] : bounds[t + 1]])
        passage = replace(passage, translation=translation)
        if passage.paired_translation is not None and translation.language == query.lang:
            # Units pair one to one: a unit is as close as the nearer of its two renderings, and
            # the keyword side compares the question with the words of its own language.
            passage = replace(
                passage,
                unit_similarity=np.maximum(passage.unit_similarity, translation.unit_similarity),
                terms=translation.terms,
                unit_terms=translation.unit_terms,
            )
        return passage


def plans_say(state: IndexState, phrase: str) -> bool:
    """Whether some passage of the plans (or of their translations) has the phrase, word for word."""
    return f" {plain_words(phrase)} " in state.plain_text


def plans_know(state: IndexState, word: str) -> bool:
    """Whether the plans or the parents' glossary use the word, in either language."""
    return state.speller.knows(word)


class Retriever:
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
    def state(self) -> IndexState:
        """The index being served."""
        return self._state

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
        return plans_say(self._state, phrase)

    def knows(self, word: str) -> bool:
        return plans_know(self._state, word)

    def spelled(self, question: str, lang: str) -> str:
        """The question with its typos corrected toward the plans' words (assistant/text/spelling.py)."""
        return self._state.speller.correct(question, lang)

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
        query: Query,
        context: Sequence[tuple[str, float]],
        lang: str,
        ideas: list[int],
        asks: Embedder | QuestionSide,
    ) -> np.ndarray:
        """The question's vector, blended with that of its words without a yes/no question's
        frame (assistant/question/framing.py), moved toward the plan's words for the glossary
        ideas it names and toward the conversation's earlier turns, by their weights. `asks` embeds
        the questions: the model itself, or its tuned question side."""
        share = self._settings.unframed_share
        if query.about == query.text:
            combined = asks.embed_query(query.text)
        else:  # both readings in one call of the model: the question as asked, and what it is about
            vectors = asks.embed_queries([query.text, query.about])
            combined = (1 - share) * vectors[0] + share * vectors[1]
        if ideas:
            combined = combined + self._settings.glossary_weight * self._plan_vectors[(model.key, lang)][ideas].mean(0)
        for text, weight in context:
            combined = combined + weight * asks.embed_query(text)
        return combined / (np.linalg.norm(combined) or 1.0)

    def gather(self, query: Query) -> Gathered:
        """Every ranking of the passages for the question, with the scores behind it."""
        settings = self._settings
        state = self._state  # one state for the whole search, even if a reload swaps it meanwhile
        lang = query.lang
        # Ranked by keywords weighed over the district's plans when the question keeps to one;
        # what the plans say at all (the terms known, their coverage) is read over every plan.
        side, whole = state.keyword_side(lang, query.scope.districts), state.keyword_side(lang)
        side_lang = side.keywords.lang
        # The district's name says whose plans (the district filter below keeps to them), not what
        # is asked: its words would rank the passages that repeat the name.
        named_by = set(question_tokens(" ".join(query.scope.naming_words), side_lang))
        asked_tokens = [t for t in question_tokens(query.text, side_lang) if t not in named_by]
        terms = [whole.keywords.known(t) for t in asked_tokens or question_tokens(query.text, side_lang)]
        glossary = state.glossary(side_lang, query.scope.districts)
        ideas = glossary.found(query.text) if glossary else []
        plan_terms = question_tokens(" ".join(glossary.plan_words[i] for i in ideas), side_lang) if glossary else []
        # A question is matched against the originals and their translations into its language,
        # of the districts it names when the corpus holds several.
        eligible = state.eligible_for(lang, query.scope.districts)
        n = min(settings.dense_candidates, state.originals)
        in_named = state.of_documents(query.scope.titled)
        # Per original passage, whether the question may be answered from it: read by the featured
        # and the homes rankings, computed at most once a question.
        reachable = functools.cache(lambda: state.reachable(eligible))
        # A library: beside the district's main plans, each school's plan has a mission of its own,
        # and last decade's plan its goals. When the question names no document, the main plans
        # (not when they are all it may be answered from) are weighed first (the `featured` ranking
        # below), their best passages among every ranking's candidates, as a named document's are.
        featured = None
        if settings.featured_document_weight > 0:
            featured = state.of_documents(state.catalog.featured(query.scope))
            if featured is not None and featured[reachable()].all():
                featured = None
        also_of = in_named if in_named is not None else featured
        asked = question_words(query.text, side_lang)
        # "What is the mission of Pasadena Unified School District?" names the mission: the
        # district's name says whose plans, so it does not dilute the heading's share of the question.
        naming = set(question_words(" ".join(query.scope.naming_words), side_lang))
        named = self._named_headings(state, asked, eligible, naming=naming)
        context = list(query.context)
        if named:
            # A follow-up that names a section ("And its mission?" after the culture) is about that
            # section: the conversation weighs as little as for a self-contained question.
            context = [(text, weight * settings.new_topic_share) for text, weight in context]
        rankings: dict[str, list[str]] = {}
        weights: dict[str, float] = {}
        scores: dict[str, np.ndarray] = {}
        dense = np.zeros(state.originals)
        unit_similarity = np.zeros(int(state.unit_bounds[-1]))
        # The models embed side by side (onnxruntime and numpy release the GIL), and so do their
        # tuned question sides where tuned_question_weight asks them too.
        asks = [(m, m.embedder) for m in self._models] + [(m, m.tuned) for m in self._models if m.tuned is not None]
        vectors = list(self._pool.map(lambda a: self._embed(a[0], query, context, side_lang, ideas, a[1]), asks))
        for (model, asker), vector in zip(asks, vectors):
            tuned = asker is not model.embedder
            reads_it = lang == "en" or model.key not in settings.english_only_models
            share = (settings.tuned_question_weight if tuned else 1.0) * (
                1.0 if reads_it else settings.english_only_share_for_other_languages
            )
            similarities = self._dense_ranking(state, model, vector, eligible, n)
            ranked = state.ranking(similarities, n, also_of=also_of)
            per_unit = state.unit_matrix[model.key] @ vector
            best_unit = state.by_original(np.maximum.reduceat(per_unit, state.unit_bounds[:-1]), eligible)
            dense_name, unit_name = (f"{'tuned-' if tuned else ''}{kind}:{model.key}" for kind in ("dense", "unit"))
            rankings[dense_name], weights[dense_name] = ranked, settings.dense_weight * share
            rankings[unit_name] = state.ranking(best_unit, n, also_of=also_of)
            weights[unit_name] = settings.unit_weight * share
            if tuned:
                continue  # a tuned side only votes: the answer and the confidence read the models' own similarities
            scores[f"dense:{model.key}"], scores[f"unit:{model.key}"] = similarities, best_unit
            for pid in ranked:  # a model adds to a passage's similarity where it ranked it
                dense[state.position[pid]] += similarities[state.position[pid]] / len(self._models)
            unit_similarity += per_unit / len(self._models)
        for name, keyword_index, weight in (
            ("keywords", side.keywords, settings.keyword_weight),
            ("headings", side.headings, settings.heading_weight),
        ):
            if weight <= 0:
                continue  # a ranking with no weight adds nothing to the fusion: skip its scoring
            keyword_scores = keyword_index.scores(terms)
            if plan_terms:
                keyword_scores = keyword_scores + settings.glossary_keyword_weight * keyword_index.scores(plan_terms)
            for text, context_weight in context:
                keyword_scores = keyword_scores + context_weight * keyword_index.scores(
                    question_tokens(text, keyword_index.lang)
                )
            row_scores = np.zeros(len(state.ids))
            row_scores[side.rows] = keyword_scores
            by_original = state.by_original(row_scores, eligible)
            rankings[name] = state.ranking(by_original, n, positive_only=True, also_of=also_of)
            weights[name], scores[name] = weight, by_original
        # (A language no plan is written in: every original lacks a rendering in it.)
        untranslated = state.untranslated.get(lang, np.ones(state.originals, dtype=bool))
        if lang == "es" and settings.keyword_weight > 0 and "en" in state.keyword_sides and untranslated.any():
            # A passage published only in English shares no keyword with a Spanish question: the
            # question's words, put in English by what the plans' own translations taught
            # (learn/lexicon.py), rank those passages by keywords too.
            english = state.keyword_side("en", query.scope.districts)
            named_es = set(question_tokens(" ".join(query.scope.naming_words), lang))
            asked_es = [t for t in question_tokens(query.text, lang) if t not in named_es]
            row_scores = np.zeros(len(state.ids))
            row_scores[english.rows] = english.keywords.scores(spanish_to_english().translate(asked_es))
            by_original = np.where(untranslated, state.by_original(row_scores, eligible), -np.inf)
            rankings["translated"] = state.ranking(by_original, n, positive_only=True, also_of=also_of)
            weights["translated"] = settings.keyword_weight
        if settings.glossary_home_weight > 0 and ideas and not named:
            # "starting a business" is at home where the plan says "entrepreneurial skills"
            homes = state.idea_homes.get(side_lang, [])
            at_home = {pid for i in ideas if i < len(homes) for pid in homes[i]}
            # Of the passages the question may be answered from: the plans' words are any
            # district's, and another district's "OUR VALUES" is not the one asked about.
            within = reachable()
            rankings["homes"] = [
                pid for i, pid in enumerate(state.ids[: state.originals]) if pid in at_home and within[i]
            ]
            weights["homes"] = settings.glossary_home_weight
        if settings.label_weight > 0:
            rankings["named"], weights["named"] = named, settings.label_weight
        if in_named is not None and settings.named_document_weight > 0:
            # In a library, other documents outvote the one a question names in every ranking: its
            # passages, in the order the rankings so far agree on, are one more ranking.
            rankings["document"] = _agreed_within(rankings, weights, in_named, state, settings.rrf_k)[:n]
            weights["document"] = settings.named_document_weight
        if featured is not None:  # the main plans' passages, as the rankings agree on them
            rankings["featured"] = _agreed_within(rankings, weights, featured, state, settings.rrf_k)[:n]
            weights["featured"] = settings.featured_document_weight
        led_with = next((state.unit_owner[q] for q in query.led_with if q in state.unit_owner), None)
        if led_with is not None and settings.shown_weight > 0:
            rankings["shown"], weights["shown"] = [led_with], settings.shown_weight
        if led_with is not None:
            # "What are its values?" after the Graduate Profile: of the sections the question names,
            # a group heading included ("Values" for Internal Values), those in the part of the plans
            # the conversation is in come first.
            top = state.passages[led_with].section.split(" > ")[0]
            named = self._named_headings(state, asked, eligible, groups=True, naming=naming)
            named = sorted(named, key=lambda pid: state.passages[pid].section.split(" > ")[0] != top)
        context_terms = [t for text, weight in context if weight > 0 for t in question_tokens(text, side_lang)]
        return Gathered(
            state=state,
            query=query,
            terms=terms,
            keywords=whole.keywords,
            context_terms=[t for t in dict.fromkeys(context_terms) if t not in terms],
            rankings=rankings,
            weights=weights,
            scores=scores,
            dense=dense,
            unit_similarity=unit_similarity,
            named=named,
            referent=led_with,
        )

    def _named_headings(
        self,
        state: IndexState,
        asked_words: list[str],
        eligible: np.ndarray,
        groups: bool = False,
        naming: set[str] | None = None,
    ) -> list[str]:
        """The passages the question names by their innermost heading or by a numbered paragraph's
        label ("Recommendation 6"), the most specific first (IndexState.names); with `groups`,
        also by a heading of the group they are in.

        A name counts when all its words are in the question and make up enough of it: "What
        does accountability mean?" is about Accountability, while "¿les enseñan algo de su propia
        cultura y raíces?" only uses the word of OUR CULTURE in passing."""
        asked = set(asked_words)
        least = self._settings.label_min_share * len(asked - (naming or set()))
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


def _agreed_within(
    rankings: dict[str, list[str]], weights: dict[str, float], within: np.ndarray, state: IndexState, k: int
) -> list[str]:
    """The passages of `within` (per original) the rankings found, in the order their fusion gives."""
    agreed = fuse(list(rankings.values()), [weights[name] for name in rankings], k)
    return sorted((pid for pid in agreed if within[state.position[pid]]), key=lambda pid: -agreed[pid])
