"""The keyword side's tokens: stems, stop words and framing words, in English and Spanish."""

import pytest

from assistant.service import PlanAssistant
from assistant.text.keywords import KeywordIndex, heading_words, question_tokens, question_words, tokens


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # "Master plan" is one word, a plan's name: it frames the question as "plan" does ...
        ("What does the master plan say about teachers?", "en", ["teacher"]),
        ("que dice el plan maestro de los maestros", "es", ["maestr"]),
        # ... so in Spanish a teacher ("maestro") is no longer the master plan's "maestro".
        ("¿y los maestros?", "es", ["maestr"]),
        ("¿Cuándo se aprobó el Plan Maestro Educativo?", "es", ["aprob", "educ"]),
        # Accents are folded: parents on phones often leave them out.
        ("educación", "es", question_tokens("educacion", "es")),
        # ... and folding them must not hide "-ía" from the stemmer ("tecnologi" missed "tecnolog").
        ("tecnología", "es", question_tokens("tecnológicas", "es")),
        ("tecnologia", "es", ["tecnolog"]),
        # A parent's "son" or "daughter" is who asks, not what about, as "kid" and "hijo" are.
        ("Will school teach my son to bounce back when things get tough?", "en", ["school", "teach", "bounc", "tough"]),
        ("Will my daughter's children learn music?", "en", ["learn", "music"]),
        # "Does the plan talk about ...?" and "¿El plan menciona ...?" frame as "say" and "dice" do.
        ("Does the plan talk about English learners?", "en", ["english", "learner"]),
        ("¿El plan menciona la tecnología?", "es", ["tecnolog"]),
    ],
)
def test_question_tokens(text: str, lang: str, expected: list[str]) -> None:
    assert question_tokens(text, lang) == expected


def test_a_passage_that_names_the_master_plan_does_not_match_teachers() -> None:
    passage = tokens("El Plan Maestro Educativo de cinco años, aprobado en septiembre de 2016", "es")
    assert "maestr" not in passage
    assert "maestr" in tokens("el Distrito reclutará, asignará y retendrá a maestros y líderes", "es")


@pytest.mark.parametrize(
    ("word", "used"),
    [
        ("preparatory", True),
        ("prep", True),  # short for "preparatory"
        ("the", True),  # a stop word has no stem to look for
        ("art", False),  # three letters: "art" is not short for "article"
        ("music", False),
    ],
)
def test_uses_tells_whether_the_corpus_uses_a_word(word: str, used: bool) -> None:
    corpus = KeywordIndex(["Students will take college preparatory courses.", "See the article."])
    assert corpus.uses(word) is used


@pytest.mark.parametrize(
    ("heading", "lang", "expected"),
    [
        ("PUSD GRADUATE PROFILE", "en", ["graduate", "profile"]),
        ("OUR VISION FOR 2020", "en", ["vision"]),
        ("PUSD Educational Master Plan", "en", ["educational", "masterplan"]),  # the plan is the subject
        ("PERFIL DEL GRADUADO DE PUSD", "es", ["perfil", "graduado"]),
        ("Valores internos", "es", ["valores", "internos"]),
    ],
)
def test_heading_words(heading: str, lang: str, expected: list[str]) -> None:
    assert heading_words(heading, lang) == expected


def test_a_possessive_is_the_word_it_belongs_to() -> None:
    # As written, so that "the Graduate Profile's values" names PUSD GRADUATE PROFILE.
    assert question_words("What are the Graduate Profile's values?") == ["graduate", "profile", "values"]
    assert question_words("¿Cuáles son los valores del distrito?", "es") == ["valores"]


@pytest.mark.parametrize(
    ("lang", "corpus", "asked", "read_as"),
    [
        # The stemmer leaves "safety" as "safeti": the plan's "Safe, orderly and secure schools" says "safe".
        ("en", "Safe, orderly and secure schools", "safety", "safe"),
        ("en", "Safe, orderly and secure schools", "safely", "safe"),
        # A stem the corpus has is kept, and a suffix that makes another word is not cut:
        # "statement" is no "state", "homework" no "home".
        ("en", "Safety first; the state", "safety", "safeti"),
        ("en", "the state of the home page", "statement", "statement"),
        ("en", "the state of the home page", "homework", "homework"),
        ("es", "Escuelas seguras", "seguramente", "segur"),
    ],
)
def test_a_stem_the_corpus_lacks_is_read_as_the_word_it_derives_from(
    lang: str, corpus: str, asked: str, read_as: str
) -> None:
    (term,) = tokens(asked, lang)
    assert KeywordIndex([corpus], lang).known(term) == read_as


@pytest.mark.slow
def test_a_question_about_safety_is_answered_by_the_safe_schools_line(plan_assistant: PlanAssistant) -> None:
    # Before, "safeti" matched no word of the plans: coverage 0, and the question was refused.
    answer = plan_assistant.ask("What does the plan say about safety?")
    assert answer.grounded
    assert "Safe, orderly and secure schools" in answer.answer.splitlines()[1]


def test_the_translations_master_planning_is_no_teacher() -> None:
    # "la página principal de planificación maestra": a name, like "Plan Maestro", not "maestros".
    assert "maestr" not in tokens("la página principal de planificación maestra del Distrito", "es")
