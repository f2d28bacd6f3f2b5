"""The frame of a yes/no question, taken off before it is embedded.

"Will my kid be taught to be honest?" and "Is the district going to keep doing what it
started?" open with who is asked about and how ("will my kid be taught to", "is the district
going to"): words no passage of the plans says, which pull a question's vector toward any
passage about kids or the district. What follows the frame ("be honest", "keep doing what it
started") is what the question is about: the dense models read it beside the question as asked,
their vector the blend of the two (retrieve.Retriever._embed, `unframed_share`). Only the
dense side reads it: the keyword side already drops such words (keywords._QUESTION_WORDS). A
question that is nothing but its frame keeps its words.

The frame is English grammar, not a list of questions: an auxiliary, a subject from the people
and bodies a parent asks about, and the verbs that carry the question's time or mood.
"""

from __future__ import annotations

import re

_AUXILIARY = r"(?:will|would|does|do|did|is|are|was|were|can|could|should|shall|may|might|must|has|have)"
_WHO = (
    r"(?:i|we|you|he|she|they|it"
    r"|(?:(?:my|our|your|his|her|their|the|a|an|all|any)\s+)?"
    r"(?:kids?|child|children|sons?|daughters?|students?|teens?|teenagers?|famil(?:y|ies)|parents?"
    r"|teachers?|staff|adults|principals?|schools?|district|pusd|board|plans?"
    r"|(?:strategic|(?:educational\s+)?master)\s+plan))"
)
# "going to", "be taught to", "gonna learn to": up to two, each followed by its space.
_MOOD = (
    r"(?:(?:(?:be|get)\s+)?(?:going|goin'?|able|expected|supposed|allowed|required|encouraged|asked|taught|pushed"
    r"|helped|planning|trying)\s+to|gonna|(?:get|have|got|need|plan|want|try|learn(?:ing)?)\s+to)\s+"
)
_FRAME = re.compile(
    rf"^\s*{_AUXILIARY}\s+{_WHO}(?:\s+in\s+(?:the\s+)?(?:district|pusd))?\s+(?:{_MOOD}){{0,2}}", re.IGNORECASE
)
MIN_WORDS = 2  # "Will my kid learn?" -> "learn?" says too little alone: the whole question is kept


def unframed(question: str, lang: str) -> str:
    """The question without the frame of an English yes/no question ("Will my kid be taught to
    be honest?" -> "be honest?"); other questions, and Spanish ones, as they are."""
    if lang != "en":
        return question
    rest = _FRAME.sub("", question, count=1)
    return rest if len(rest.split()) >= MIN_WORDS else question
