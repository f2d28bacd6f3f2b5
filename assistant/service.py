"""The question -> cited answer flow, in plain Python: the API, CLI and evaluations all call it.

One pass, each stage once and in order: read the question (assistant/question/), retrieve every
signal (assistant/retrieve/), rank (assistant/rank/), select what to quote (assistant/compose/
quotes.py), decide answered / uncertain / not found (assistant/decide/), compose the reply
(assistant/compose/). No stage calls back into an earlier one; each adds a step to the trace.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from chromadb.api import ClientAPI

from assistant.align.aligner import Aligner, align_reply, framework_reply
from assistant.compose.lists import widen_for_lists
from assistant.compose.quotes import Selection, select_among, select_quotes, unsaid_lead_ins
from assistant.compose.render import render
from assistant.decide import Decision, Judges, decide
from assistant.decide.model import ConfidenceModel
from assistant.embedding import Embedder, question_sides
from assistant.errors import AssistantError, IndexNotReady
from assistant.index.generations import Generation, generations_for
from assistant.index.state import DenseModel
from assistant.index.store import PassageIndex
from assistant.prompts import phrase
from assistant.question import Query, read_question
from assistant.question.language import Lang, reply_language
from assistant.rank import FusionRanker, Ranker, Retrieval
from assistant.rank.learned import LearnedRanker, RankerModel
from assistant.retrieve import Retriever
from assistant.retrieve.lists import list_of
from assistant.schemas import AlignReply, Answer, Citation, Framework, Turn
from assistant.settings import Settings
from assistant.trace import Trace

log = logging.getLogger(__name__)
_DELTA = re.compile(r"\S+\s*")  # a word and the space after it
WORDS_PER_DELTA = 4


@dataclass
class Explained:
    """An answer with the signals behind it (for evaluation and training) and its trace."""

    answer: Answer
    features: dict[str, float]
    retrieval: Retrieval
    query: Query
    decision: Decision
    trace: Trace


class PlanAssistant:
    """Built once per process (the index is loaded into memory), then asked many times."""

    def __init__(
        self, settings: Settings, embedders: dict[str, Embedder], confidence: ConfidenceModel | None = None
    ) -> None:
        self.settings = settings
        # The index is read from the generation the pointer names (assistant/index/generations.py).
        self._generations = generations_for(settings)
        current = self._generations.current()
        if current is None:
            raise IndexNotReady("nothing has been ingested yet: run plan-assistant ingest")
        self._generation = self._generations.open(current)
        self._retired: Generation | None = None
        try:
            sides = question_sides(settings, {key: embedders[key] for key in settings.embedding_models})
            models = [
                DenseModel(key, PassageIndex(*self._target(key), embedders[key].name), embedders[key], sides.get(key))
                for key in settings.embedding_models
            ]
            self._models = models
            self.index = models[0].index
            self.retriever = Retriever(models, settings)
            self.ranker: Ranker = (
                LearnedRanker(RankerModel.load(settings.ranker_file), tuple(settings.embedding_models))
                if settings.ranker == "learned"
                else FusionRanker(settings.rrf_k)
            )
            self.aligner = Aligner(models, settings)
        except BaseException:
            self._generation.close()
            raise
        self.judges = Judges(
            ConfidenceModel.load(settings.refusal_file), confidence or ConfidenceModel.load(settings.confidence_file)
        )
        reply_language("warm up the language models")  # at start-up, not on a parent's question
        for language in ("en", "es"):
            self.retriever.spelled("warm up the dictionaries", language)
        self._checked_at = time.monotonic()
        self._refreshing = threading.Lock()

    def _target(self, key: str) -> tuple[ClientAPI, str]:
        return self._generation.client, self._generation.collection(key)

    @property
    def generation(self) -> str:
        """The generation of the index being served ("" for an index from before generations)."""
        return self._generation.name

    def refresh_if_changed(self, force: bool = False) -> bool:
        """Serve a newer index if an ingest (by any process) has published one since; the pointer is
        looked at most every refresh_seconds (`force`: now). Only one thread reloads at a time; the
        others go on answering from the index in memory meanwhile."""
        now = time.monotonic()
        if not force and now - self._checked_at < self.settings.refresh_seconds:
            return False
        if not self._refreshing.acquire(blocking=force):
            return False
        try:
            self._checked_at = now
            current = self._generations.current()
            if current is None or current == self._generation.name:
                return False
            self._switch_to(current)
        except AssistantError as error:
            # The store out of reach, the new generation unreadable: the index read before keeps
            # serving (it is all in memory), and the next look may succeed.
            log.warning("index not reloaded, serving the previous one: %s", error.message)
            return False
        finally:
            self._refreshing.release()
        return True

    def _switch_to(self, name: str) -> None:
        """Read generation `name` in full, then serve it; on any failure, go on serving the old one."""
        old, new = self._generation, self._generations.open(name)
        self._generation = new
        for model in self._models:
            model.index.point_at(*self._target(model.key))
        try:
            self.aligner.reload()
            self.retriever.reload()  # last: what answers read, swapped in one assignment
        except BaseException:
            self._generation = old
            for model in self._models:
                model.index.point_at(*self._target(model.key))
            new.close()
            raise
        # The old client stays open until the next switch: a search begun on it may still be running.
        if self._retired is not None:
            self._retired.close()
        self._retired = old

    def read(self, question: str, history: Sequence[Turn] = (), lang: Lang | None = None) -> Query:
        """The question read once (language, typos, conversation, what it names and asks for)."""
        state = self.retriever.state
        return read_question(question, history, lang, self.settings, self.retriever.spelled, state.catalog)

    def search(self, question: str, history: Sequence[Turn] = (), lang: Lang | None = None) -> Retrieval:
        """The passages ranked for a question, best first (no answer composed)."""
        return self.ranker.rank(self.retriever.gather(self.read(question, history, lang)), self._candidates())

    def _candidates(self) -> int:
        return min(self.settings.dense_candidates, self.retriever.state.originals)

    def explain(self, question: str, history: Sequence[Turn] = (), lang: Lang | None = None) -> Explained:
        """The answer with the signals behind it and the trace of how it was made; `lang` None
        means detect the question's language."""
        trace = Trace()
        query = self.read(question, history, lang)
        trace.add(
            "question",
            f"{query.text!r} ({query.lang}, reply in {query.reply_lang})",
            about=query.about,
            context=[text for text, _ in query.context],
            shown=len(query.shown),
            names=sorted(query.scope.districts | query.scope.documents),
            form=query.form,
        )
        gathered = self.retriever.gather(query)
        trace.add(
            "retrieve",
            f"{len(gathered.rankings)} rankings",
            **{
                name: [gathered.state.passages[p].label for p in order[:3]] for name, order in gathered.rankings.items()
            },
        )
        retrieval = self.ranker.rank(gathered, self._candidates())
        trace.add(
            "rank",
            f"{type(self.ranker).__name__}: {len(retrieval.passages)} passages",
            top=[f"{p.section} ({score:.3f})" for p, score in zip(retrieval.passages[:5], retrieval.scores)],
        )
        selection = self._select(query, retrieval)
        trace.add("select", f"{len(selection.quotes)} passages quoted", quotes=_quoted(selection))
        decision = decide(query, retrieval, selection, self.judges, self.retriever.says, self.retriever.knows)
        trace.add("decide", f"{decision.status}: {decision.reason}", features=decision.features)
        answer = self._compose(query, retrieval, selection, decision)
        trace.add("compose", f"{len(answer.citations)} citations", answer=answer.answer)
        return Explained(answer, decision.features, retrieval, query, decision, trace)

    def _select(self, query: Query, retrieval: Retrieval) -> Selection:
        """What the answer would quote: the best sentences of the best passages, or, for "Which one
        is about parents?", one of the quotes just shown."""
        selection = select_quotes(retrieval, self.settings.max_citations, query.form)
        if query.picks_one and (picked := select_among(retrieval, query.shown, query.form)).quotes:
            return picked
        return selection

    def _compose(self, query: Query, retrieval: Retrieval, selection: Selection, decision: Decision) -> Answer:
        lang = query.reply_lang
        confidence = round(decision.confidence, 4)
        prompts = self.settings.prompts_dir
        if decision.status == "not_found":
            name, where_to_ask = self._where_to_ask(query)
            refusal = phrase(prompts, lang, "refusal", district=name, where_to_ask=where_to_ask)
            return Answer(answer=refusal, lang=lang, status="not_found", grounded=False, confidence=confidence)
        if not query.picks_one:
            state = self.retriever.state
            named = retrieval.named or ([retrieval.referent] if retrieval.referent else [])
            widen_for_lists(query.form, selection, lambda passage: list_of(state, passage, lang), named)
        unsaid_lead_ins(selection)
        lead = "answer_lead" if decision.status == "answered" else "uncertain_lead"
        text, citations = render(selection, prompts, lang, self.settings.public_base_url, lead)
        return Answer(
            answer=text, lang=lang, status=decision.status, grounded=True, confidence=confidence, citations=citations
        )

    def _where_to_ask(self, query: Query) -> tuple[str, str]:
        """The district a refusal speaks for (the one the question names, else this deployment's)
        and where its parents can ask a person, in the reply's language."""
        settings, lang = self.settings, query.reply_lang
        catalog = self.retriever.state.catalog
        fallback = phrase(settings.prompts_dir, lang, "where_to_ask")
        if len(query.scope.districts) == 1 and (named := catalog.district(next(iter(query.scope.districts)))):
            return named.short_name, named.where_to_ask.get(lang) or fallback
        own = catalog.own_district(settings.district_name)
        name = settings.district_short_name or settings.district_name or (own.short_name if own else "")
        where = settings.where_to_ask.get(lang) or (own.where_to_ask.get(lang) if own else "")
        return name or phrase(settings.prompts_dir, lang, "the_district"), where or fallback

    def ask(self, question: str, history: Sequence[Turn] = (), lang: Lang | None = None) -> Answer:
        """Answer from the plans' own sentences with citations, or refuse and say where to ask."""
        return self.explain(question, history, lang).answer

    def framework(self) -> Framework:
        """The plan's frameworks, groups and goals, as the documents state them."""
        return Framework(goals=[framework_reply(goal) for goal in self.aligner.framework])

    def align(self, text: str) -> AlignReply:
        """Which goals a proposal serves, how strongly, and the plan's words that say so."""
        return align_reply(self.aligner.align(text), self.settings.public_base_url)


def _quoted(selection: Selection) -> list[str]:
    return [f"{q.passage.label}: {q.passage.units[i]}" for q in selection.quotes for i in q.positions]


def answer_events(answer: Answer) -> Iterator[tuple[str, list[Citation] | str | Answer]]:
    """The answer as a stream: its citations first, then its text a few words at a time, then all
    of it. `/api/ask/stream` sends these as Server-Sent Events; `done` is what `/api/ask` returns.
    """
    yield "citations", answer.citations
    words = _DELTA.findall(answer.answer)
    for start in range(0, len(words), WORDS_PER_DELTA):
        yield "delta", "".join(words[start : start + WORDS_PER_DELTA])
    yield "done", answer
