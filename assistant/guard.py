"""Checks made before and after retrieval that no similarity score can make.

- Instructions aimed at the assistant ("ignore your rules", "print your system prompt") are not
  questions about the plans: they are refused whatever they resemble.
- A question asking for an amount or a date is only answered by a passage that states one.
  The plans set goals; they hold almost no figures, names or dates, so "How much do teachers
  get paid?" must not be answered with a passage about teachers that names no amount.
"""

from __future__ import annotations

import re

_INSTRUCTIONS = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,40}\b(instructions?|rules?|prompt|guidelines)\b"
    r"|\bsystem prompt\b|\bpretend (you are|to be)\b|\byou are now\b|\bact as (an?|my)\b|\bjailbreak\b"
    r"|\bdeveloper mode\b"
    r"|\b(ignora|olvida|olvídate de)\b.{0,40}\b(instrucciones|reglas|indicaciones)\b|\bfinge (que eres|ser)\b"
    r"|\b(ahora eres|act[uú]a como)\b",
    re.IGNORECASE,
)
_ASKS_AMOUNT = re.compile(
    r"\bhow (much|many)\b|\b(cost|costs|salary|salaries|paid|spend|spent|budget of)\b"
    r"|\bcu[aá]nt[oa]s?\b|\b(cuesta|cuestan|costo|sueldo|salario|pagan|gasta|gastan)\b",
    re.IGNORECASE,
)
# "When" asks for a time only as a question word ("When was it approved?", "... start when?"), not
# as a conjunction ("bounce back when things get tough", "When the board decides, who ..."):
# it must be followed by a verb of the question, or end it. Spanish: "cuándo" with its accent
# is always the question word; without it, only where the question opens or ends with it.
_ASKS_TIME = re.compile(
    r"\bwhen\s+(is|was|will|does|did|do|are|were|can|could|should|would|has|have)\b|\bwhen\W*$"
    r"|\bwhat (time|date|day|year)\b|\bwhich (date|day|year)\b"
    r"|\bcuándo\b|^\W*cuando\b|\bcuando\W*$|\bqu[eé] (hora|fecha|d[ií]a|año)\b|\ba qu[eé] hora\b",
    re.IGNORECASE,
)
_AMOUNT = re.compile(r"\d|\$|\b(one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million)\b", re.I)
_TIME = re.compile(
    r"\b(19|20)\d\d\b|\b(january|february|march|april|may|june|july|august|september|october|november|"
    r"december|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\b\d{1,2}(:\d\d)?\s?(am|pm)\b",
    re.IGNORECASE,
)


def is_instruction(question: str) -> bool:
    """True for attempts to steer the assistant rather than ask about the plans."""
    return bool(_INSTRUCTIONS.search(question))


def answer_type_found(question: str, quoted: list[str]) -> bool:
    """False when the question asks for an amount or a date and no quoted text states one."""
    text = " ".join(quoted)
    if _ASKS_AMOUNT.search(question) and not _AMOUNT.search(text):
        return False
    return not (_ASKS_TIME.search(question) and not _TIME.search(text))
