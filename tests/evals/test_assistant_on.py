"""evals.runner.assistant_on: an assistant on another corpus than the settings', as the evaluation,
the training code and the benchmarks read a district's or a mixed corpus."""

from pathlib import Path

from assistant.embedding import Embedder
from evals.districts import load_district_sets
from evals.runner import assistant_on
from tests.conftest import make_settings


def test_an_assistant_answers_from_the_corpus_it_was_given_and_reingests_nothing_twice(
    tmp_path: Path, embedders: dict[str, Embedder]
) -> None:
    district = load_district_sets()[0]
    settings = make_settings(tmp_path / "settings-data")  # PUSD's corpus: not the one asked about
    assistant, report = assistant_on(settings, embedders, district.corpus_dir, tmp_path / "district")
    assert report.embedded > 0 and assistant.settings.corpus_dir == district.corpus_dir
    question = next(q for q in district.questions if q.kind == "direct" and q.lang == "en")
    answer = assistant.ask(question.question)
    assert answer.citations and all(c.url.startswith("/corpus/") for c in answer.citations)
    documents = {d.stem for d in district.corpus_dir.iterdir()}
    assert {c.url.rsplit("/", 1)[-1].rsplit(".", 1)[0] for c in answer.citations} <= documents
    _, again = assistant_on(settings, embedders, district.corpus_dir, tmp_path / "district")
    assert again.embedded == 0
    assert not (tmp_path / "settings-data").exists()  # the settings' own data folder is left alone
