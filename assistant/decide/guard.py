"""Checks made before and after retrieval that no similarity score can make.

- Instructions aimed at the assistant ("ignore your rules", "print your system prompt") are not
  questions about the plans: they are refused whatever they resemble.
- A question asking for an amount, a sum of money, a date or a person by name is only answered
  by a passage that states one.
  The plans set goals; they hold almost no figures, names or dates, so "How much do teachers
  get paid?" must not be answered with a passage about teachers that names no amount.
- Three kinds of question ask for what no plan holds, and are refused whatever passage resembles
  them: one about the day it is asked ("tomorrow", "last night", "this week", "el año pasado"),
  since the plans are dated documents that set goals (2016-2020); one about a child's own
  records ("my son's grades", "las calificaciones de mi hijo"), which only the school has; and one
  about the running of a school day ("Is there school on Veterans Day?", "the phone number of
  Marshall", "¿Hay uniformes?", meals, elections, closures, jobs), which the school or district
  office answers.
- So is a procedure for the parent to follow ("How do I enroll my child?", "¿Qué hago si mi hija
  se enferma?"): the plans describe none, and the school office knows them.
- A task for the assistant ("Can you write my kid's essay?"), or a request for its opinion, is
  no question about the plans.
- A question about classes or a program in a subject ("art classes", "clases de música") is only
  answered if the plans name the subject at all ("A-G classes"); a passage about learning in
  general does not tell a parent whether there are music classes.
- So is a question whether a thing exists ("Is there a school nurse?", "¿Hay biblioteca?"): a
  passage about well-being does not say there is a nurse.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_INSTRUCTIONS = re.compile(
    # ... or a task for the assistant to do instead of a question ("Can you write my kid's essay?"),
    # or its opinion, which it has none of ("What do you think about the superintendent?")
    r"\b(can|could|would|will)\s+you\s+(please\s+)?(write|do|solve|finish|draft|compose)\b"
    r"|\bwhat do you think\b|\byour (own )?opinion\b|\bdo you (like|agree)\b"
    r"|\bqu[eé] (opinas|piensas)\b|\btu opini[oó]n\b|\bte gusta\b"
    r"|\b(puedes|podr[ií]as)\s+(escribir|hacer|resolver|redactar|terminar)\b|\b(escr[ií]beme|hazme|resu[eé]lveme)\b"
    r"|\b(ignore|disregard|forget)\b.{0,40}\b(instructions?|rules?|prompt|guidelines)\b"
    # ... or told to set aside what it answers from, at the head of a sentence: "Ignore the plans
    # and ...", "Forget the documents, ...", "Disregard everything above" ("Did the district forget
    # about parents?" asks a question).
    r"|(?:^|[.!?;:]\s+)\W*(?:please\s+)?(?:ignore|disregard|forget)\s+(?:about\s+)?"
    r"(?:the|your|all|everything|what|these|those|this|that|previous|above|any)\b"
    r"|\bsystem prompt\b|\bpretend (you are|to be)\b|\byou are now\b|\bact as (an?|my)\b|\bjailbreak\b"
    r"|\bdeveloper mode\b"
    r"|\b(ignora|olvida|olvídate de)\b.{0,40}\b(instrucciones|reglas|indicaciones)\b|\bfinge (que eres|ser)\b"
    r"|(?:^|[.!?;:]\s+)\W*(?:ignora|olvida|ol[vb]idate de|olvídate de)\s+(?:el|la|los|las|lo|todo|tus|esto|eso)\b"
    r"|\b(ahora eres|act[uú]a como)\b",
    re.IGNORECASE,
)
# Today, tomorrow, this week, next month, last year, ... in either language. "Now", "current",
# "today's students", "tomorrow's leaders" and "hoy en día" are left out: "What does the district do now for kids who
# fall behind?" asks about the plans.
_ASKS_ABOUT_TODAY = re.compile(
    r"\b(today(?!['’]s)|tonight|tomorrow(?!['’]s)|yesterday|last night|this weekend"
    r"|(this|next|last) (week|month|year|semester|school year|fall|spring|summer|winter))\b"
    r"|\b(hoy(?! en d[ií]a)|ma[nñ]ana|ayer|anoche|este fin de semana|(esta|la pr[oó]xima|la pasada) semana"
    r"|(este|el pr[oó]ximo|el pasado) (año|ano|mes|semestre|ciclo escolar)|el (año|ano|mes) pasado)\b",
    re.IGNORECASE,
)
# A child's own records: grades, report card, attendance, schedule (not homework or progress,
# which the plans' parent engagement speaks of: "How can I help my son with his homework?").
_RECORDS = r"grades?|report cards?|transcripts?|attendance|absences|(?:class )?schedules?|test (?:scores|results)"
_RECORDS_ES = r"calificaciones|notas|boletas?|asistencia|faltas|ausencias|horarios?"
_CHILD = r"child|kid|son|daughter|children|kids|sons|daughters"
_ASKS_CHILD_RECORDS = re.compile(
    rf"\b(?:my|our)\s+(?:{_CHILD})(?:['’]s|s['’])?\s+(?:{_RECORDS})\b"
    rf"|\b(?:{_RECORDS})\s+(?:of|for)\s+(?:my|our)\s+(?:{_CHILD})\b"
    rf"|\b(?:{_RECORDS_ES})\s+de\s+(?:mi|mis|nuestr[oa]s?)\s+(?:hij[oa]s?|ni[nñ][oa]s?)\b",
    re.IGNORECASE,
)
_ASKS_AMOUNT = re.compile(
    r"\bhow (much|many|big|large)\b|\bcu[aá]nt[oa]s?\b|\bqu[eé] tan grande\b"
    # ... or a rate: "What is the graduation rate at Pasadena High?"
    r"|\bwhat(?:'s|\s+is|\s+are)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}(?:rates?|percentages?|ratios?)\b"
    r"|\bcu[aá]l\s+es\s+(?:la\s+|el\s+)?(?:tasa|porcentaje)\b",
    re.IGNORECASE,
)
# Money is only answered by a sum of money ("How much do teachers get paid?" is not answered by
# "five-year plan"). Naming money is not asking for a sum: "will my kid learn to handle money?",
# nor is asking how it is spent ("How will the district spend money wisely?", "¿Cómo gasta el
# distrito su dinero?"): the plans' fiscal values answer that.
_ASKS_HOW = re.compile(
    r"^\W*(how\s+(will|would|does|do|did|can|could|should|is|are)|c[oó]mo)\b"
    # ... or whether it is spent in some way: "Will the district spend taxpayer money carefully?"
    r"|\b(wisely|carefully|responsibly|prudently|efficiently|sabiamente|responsablemente|con cuidado)\b",
    re.IGNORECASE,
)
_ASKS_MONEY = re.compile(
    r"\b(cost|costs|salary|salaries|paid|spend|spent|budget of|wages?|stipends?)\b|\bhow much (money|funding)\b"
    # "earn" as pay: "How much do teachers earn?", "What does a principal earn?", "earn more than",
    # "earn per hour"; "earn a college degree" and "earn the public's trust" ask for none.
    r"|\bhow much\b[^?]{0,40}\bearns?\b|\bearns?\s+(?:more|less|per|an? (?:hour|year|month|week|living|salary)|money)\b"
    r"|\bearns?\s*\?*\s*$"
    r"|\bhow (big|large)\b.{0,30}\bbudget\b"
    r"|\b(cuesta|cuestan|costo|sueldos?|salarios?|pagan|gasta|gastan|gast[oó]|gana|ganan)\b|\bcu[aá]nto dinero\b"
    # ... or a price: "Is preschool free?", "Do I have to pay for ...?", "¿Es gratis?", "¿Cobran por ...?"
    # ("free to choose a school" and "pay attention" ask for none).
    r"|^\W*(?:is|are)\b[^?]*\bfree\b(?!\s+to\b)|\b(?:for free|free of charge|fees?|charge for|(?:have|need) to pay)\b"
    r"|\b(?:gratis|gratuit[oa]s?|cobran?|cuotas?|(?:hay|tengo|tenemos) que pagar)\b",
    re.IGNORECASE,
)
# Asking for a person by name ("Who is the superintendent?", "¿Cómo se llama la maestra?"): only
# a passage that names one answers it, by an honorific or after the title of a post.
_POSTS = (
    r"superintendent|principal|head|director|president|chief|chair|chairperson|teacher|coach"
    r"|superintendente|directora?|presidenta?|maestr[oa]|profesora?|jef[ea]"
)
_ASKS_PERSON = re.compile(
    rf"\bwho(?:'s|\s+is|\s+was)\s+(?:the\s+|our\s+|my\s+)?(?:current\s+|new\s+)?(?:{_POSTS})\b"
    # ... or a child's own teacher: "Who is my daughter's teacher?", "Who are my son's teachers?"
    rf"|\bwho(?:'s|\s+is|\s+are|\s+was)\s+(?:my|our)\s+(?:{_CHILD})(?:['’]s|s['’])\s+(?:{_POSTS})s?\b"
    r"|\bwhat(?:'s|\s+is)\s+the\s+name\s+of\b|\bc[oó]mo\s+se\s+llama\b|\bwho won\b|\bqui[eé]n gan[oó]\b"
    rf"|\bqui[eé]n\s+es\s+(?:el|la|mi)\s+(?:actual\s+|nuev[oa]\s+)?(?:{_POSTS})\b",
    re.IGNORECASE,
)
_PERSON = re.compile(
    # Case matters for the name, not for the post: "Superintendent Brian McDonald".
    rf"\b(?:Dr|Mr|Mrs|Ms|Sr|Sra|Srta)\.?\s+[A-Z]|\b(?i:{_POSTS})\s+(?:Dr\.?\s+)?[A-Z][a-z]+\s+[A-Z][a-z]+"
)
# "When" asks for a time only as a question word ("When was it approved?", "... start when?"), not
# as a conjunction ("bounce back when things get tough", "When the board decides, who ..."):
# it must be followed by a verb of the question, or end it. Spanish: "cuándo" with its accent
# is always the question word; without it, where the question opens or ends with it, or as
# "hasta/desde/para cuando" (until/since/by when).
_ASKS_TIME = re.compile(
    r"\bwhen\s+(is|was|will|does|did|do|are|were|can|could|should|would|has|have)\b|\bwhen\W*$"
    r"|\bwhat (time|date|day|year)\b|\bwhich (date|day|year)\b"
    r"|\bcuándo\b|^\W*cuando\b|\bcuando\W*$|\b(hasta|desde|para) cuando\b"
    r"|\bqu[eé] (hora|fecha|d[ií]a|año)\b|\ba qu[eé] hora\b",
    re.IGNORECASE,
)
# An amount: a figure that is not a year or an ordinal ("21st century"), or a number word. A
# list's own numbering ("1. Students will ...", "Recommendation 5.") is dropped before looking.
# Numbers in words, English and Spanish.
_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million"
    r"|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|cien|mil|millones"
)
_AMOUNT = re.compile(
    rf"\$|(?<![\d.])(?!(?:19|20)\d\d\b)(?!\d+(?:st|nd|rd|th)\b)\d|\b({_NUMBER_WORDS}|billion|millones?)\b",
    re.IGNORECASE,
)
_MONEY = re.compile(
    r"\$|\b(dollars?|d[oó]lares|million|billion|millones?|free|gratis|no cost|sin costo)\b", re.IGNORECASE
)
# "How many teachers ...?" is answered by a number of teachers ("seven recommendations", "a 5-year
# plan" for years), not by any number: "five-year" does not say how many teachers were hired.
_HOW_MANY = re.compile(r"\bhow many\s+([^\W\d_]+)|\bcu[aá]nt[oa]s\s+([^\W\d_]+)", re.IGNORECASE)
_NUMBER = rf"(?:\d[\d,.]*|{_NUMBER_WORDS})"


def _counts(noun: str, unit: str) -> bool:
    """Whether the unit gives a number of `noun`: the number, then within two words the noun."""
    prefix = re.escape(noun[: max(4, len(noun) - 2)])
    return bool(re.search(rf"\b{_NUMBER}[\s-]+(?:[\w-]+\s+){{0,2}}{prefix}", unit, re.IGNORECASE))


_NUMBERING = re.compile(r"^\W*(?:recommendation\s+|recomendaci[oó]n\s+)?\d+[.)]\s", re.IGNORECASE)
_TIME = re.compile(
    r"\b(19|20)\d\d\b|\b(january|february|march|april|may|june|july|august|september|october|november|"
    r"december|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\b\d{1,2}(:\d\d)?\s?(am|pm)\b",
    re.IGNORECASE,
)


# "<subject> classes" in English, "clases de <subject>" in Spanish.
_ASKS_CLASSES = re.compile(
    r"\b([\w-]+)\s+(?:class|classes|course|courses|lessons|program|programs)\b"
    r"|\b(?:clases?|cursos?|programas?|talleres?)\s+de\s+([\w-]+)",
    re.IGNORECASE,
)


def class_subjects(question: str) -> list[str]:
    """The words that say which classes or programs a question asks about: "art classes" ->
    ["art"], "smaller class sizes" -> ["smaller"]."""
    return [word for match in _ASKS_CLASSES.finditer(question) for word in match.groups() if word]


def names_an_unknown_subject(question: str, plans_use: Callable[[str], bool]) -> bool:
    """True when the question asks about classes or programs in a subject the plans never name;
    `plans_use` tells whether the plans use a word (KeywordIndex.uses)."""
    return not all(plans_use(subject) for subject in class_subjects(question))


# The running of a school day, which the plans never cover and the school or district office
# answers: the calendar and holidays, contact details, uniforms, hours, phones in class. (School
# hours and phones were added from the dev split's unanswerable questions en-081 and en-085.)
_DAY_TO_DAY = re.compile(
    r"\b(holidays?|vacations?|(winter|spring|summer|thanksgiving) break|christmas|veterans day|labor day"
    r"|memorial day|presidents'? day|mlk day|day off|days off|no school (on|today|tomorrow|this|next)"
    r"|minimum days?|early dismissal|school calendar|(first|last) day of school"
    r"|phone numbers?|telephone|email address|fax|uniforms?|dress code"
    r"|free lunch|school lunch(es)?|lunch menu|breakfast|elections?|covid|coronavirus|masks?|vaccines?"
    r"|close (any |some |more )?schools|closing schools|school closures?|layoffs?|apply for a job|job openings"
    r"|school supplies|school bus(es)?|bus (routes?|stops?|passes?|schedules?)"
    r"|school hours|bell schedules?|start times?|cell ?phones?|phones? (to|in) class)\b"
    r"|\b(vacaciones|d[ií]as? (festivos?|feriados?)|feriados?|navidad|calendario escolar|no hay clases"
    r"|salida temprano|(primer|[uú]ltimo) d[ií]a de clases|n[uú]mero de tel[eé]fono|tel[eé]fono"
    r"|correo electr[oó]nico|uniformes?|c[oó]digo de vestimenta|almuerzo( gratis)?|desayuno|elecci[oó]n(es)?"
    r"|covid|cubrebocas|vacunas?|cerrar escuelas|cierre de escuelas|despidos|solicitar trabajo|solicito trabajo"
    r"|[uú]tiles escolares|autob[uú]s|cami[oó]n escolar|horario de clases|celular(es)?)\b",
    re.IGNORECASE,
)


# Ranking schools or colleges ("Which school has the best test scores?", "What is the best college
# in California?"): the plans rank none.
_RANKS_SCHOOLS = re.compile(
    r"\b(which|what)(?:'s|\s+is|\s+are)?\s+(?:the\s+)?(?:best|worst|top|highest|lowest)\s+(?:[\w-]+\s+){0,2}"
    r"(?:school|schools|college|colleges|university|universities)\b"
    # "Which school has the best ...", "Which high school in the district is the worst?", "Which of
    # the middle schools is the best?"; the words between are a place ("What school environment
    # is the best for learning?" asks about no school).
    r"|\b(which|what)\s+(?:of\s+the\s+)?(?:[\w-]+\s+)?(?:school|schools|college|colleges|elementary|elementaries)\b"
    r"(?:\s+(?:in|of|near|around|at|from)\s+(?:[\w-]+\s+){0,2}?[\w-]+|\s+around\s+here)?"
    r"\s+(?:has|have|is|are)\s+(?:the\s+)?(?:best|worst|top|highest|lowest)\b"
    r"|\bcu[aá]l(?:es)?\s+(?:es|son)\s+(?:la|el|las|los)\s+mejor(?:es)?\s+(?:escuelas?|universidad(?:es)?|colegios?)\b"
    r"|\b(?:qu[eé]|cu[aá]l(?:es)?)\s+(?:de\s+las\s+)?escuelas?\b(?:\s+(?!es\b|son\b|tiene)[\w-]+)?"
    r"(?:\s+(?:de|en|cerca de)\s+(?:[\w-]+\s+){0,2}?[\w-]+)?"
    r"\s+(?:es|son|tiene|tienen)\s+(?:la|el|las|los)\s+(?:mejor|peor)(?:es)?\b",
    re.IGNORECASE,
)


# A procedure for the parent to follow: "How do I enroll my child?", "What should I do if my kid
# is sick?", "Who do I call ...?", "¿Cómo inscribo a mi hijo?", "¿Qué hago si ...?". The plans set
# goals and describe no procedure; the school office knows them. "How can I get involved?" and
# "How can I help my child?" name no procedure: the plans' parent engagement answers them.
_ASKS_FOR_A_PROCEDURE = re.compile(
    r"\b(?:how|where|when)\s+(?:do|can|could|should|would)\s+(?:i|we)\s+(?:\w+\s+){0,2}?"
    r"(?:sign\s+up|sign|register|enroll|apply|request|report|change|update|get\s+a\s+copy|pick\s+up|drop\s+off"
    r"|file|submit|schedule|book|pay|transfer|renew|replace)\b"
    r"|\bwho\s+(?:do|should|can)\s+(?:i|we)\s+(?:call|email|phone|text)\b"
    r"|\bwhat\s+(?:do|should|can)\s+(?:i|we)\s+do\s+(?:if|when)\b"
    r"|\bc[oó]mo\s+(?:puedo\s+|podemos\s+)?(?:inscribo|inscribir|registro|registrar|solicito|solicitar|pido|pedir"
    r"|reporto|reportar|cambio|cambiar|actualizo|actualizar|pago|pagar|consigo|conseguir|saco|sacar)\b"
    r"|\bqu[eé]\s+hago\s+(?:si|cuando)\b|\ba\s+qui[eé]n\s+(?:llamo|le\s+hablo|le\s+llamo)\b"
    r"|\bd[oó]nde\s+(?:inscribo|solicito|pido|registro|pago)\b",
    re.IGNORECASE,
)


# A capitalised word after a word that places or dates it: "at Jackson", "to Arcadia Unified",
# "of Blair High School", "next Tuesday", "en Muir". A child's name ("my son Carlos") is no place.
_PLACED_NAME = re.compile(
    r"\b(?:at|in|on|to|from|of|for|near|next|this|last|en|de|del|para|cerca de|este|el pr[oó]ximo)\s+"
    r"((?:[A-Z][^\W\d_]+\s*)+)"
)


def names_what_the_plans_lack(question: str, known: Callable[[str], bool]) -> bool:
    """True when the question names a school, a place or a day the plans never name ("at
    Jackson", "next Tuesday", "to Arcadia Unified"): the plans speak for the whole district and
    name no school. A name is a run of capitalised words after a word that places or dates it;
    `known` tells whether the plans or the glossary use a word."""
    return any(not known(word) for match in _PLACED_NAME.finditer(question) for word in match.group(1).split())


# Whether a thing exists: "Is there a school nurse?", "Does the high school have a football team?",
# "¿Hay enfermera?", "¿La escuela tiene biblioteca?". The plans answer only if they name the thing:
# that they speak of well-being does not say there is a nurse. The thing is the words after the
# question's verb, up to a preposition, a conjunction or a pronoun ("a plan to get parents
# involved" asks for a plan, "values it follows" for values).
_DETERMINERS = (
    r"(?:(?:a|an|any|some|the|anything|something|un|una|unos|unas|alg[uú]n|alguna|algunos|algunas"
    r"|el|la|los|las)\s+)*"
)
_HOLDERS = (
    r"pusd|the district|the schools?|schools|the (?:high|middle|elementary) schools?|(?:my|our) [\w'’]+ schools?"
    r"|el distrito|la escuela|las escuelas|la preparatoria|la secundaria|la primaria"
)
_ASKS_IF_THERE_IS = re.compile(
    rf"^\W*(?:is|are)\s+there\s+{_DETERMINERS}(?P<en>[^?.,;!]+)"
    rf"|\b(?:does|do|will)\s+(?:{_HOLDERS})\s+(?:offer|have|provide|give|run)\s+{_DETERMINERS}(?P<en2>[^?.,;!]+)"
    rf"|^\W*hay\s+{_DETERMINERS}(?P<es>[^?.,;!]+)"
    rf"|\b(?:{_HOLDERS})\s+(?:da|dan|ofrece|ofrecen|tiene|tienen)\s+{_DETERMINERS}(?P<es2>[^?.,;!]+)",
    re.IGNORECASE,
)
_THING_ENDS = re.compile(
    r"\s+(?:at|in|on|for|to|from|with|about|during|after|before|like|that|which|who|where|when|if|so|or|and"
    r"|every|each|it|they|we|you|i|he|she|en|para|pa|a|con|que|cada|por|sobre|si|o|y)\b.*$",
    re.IGNORECASE,
)
# Words that name the form of a thing, not the thing: "a mission statement" asks for the mission.
_FORMS = {"statement", "document", "documents", "list", "information", "info"}


def asks_for_what_the_plans_never_name(
    question: str, plans_use: Callable[[str], bool], known: Callable[[str], bool]
) -> bool:
    """True when the question asks whether a thing exists and the plans never name it: its head
    word (the last in English, the first in Spanish) is no word of the plans (`plans_use`), or
    one of its words is unknown to the plans and the glossary alike (`known`): "a football team"."""
    match = _ASKS_IF_THERE_IS.search(question)
    if not match:
        return False
    english = match.group("es") is None and match.group("es2") is None
    thing = _THING_ENDS.sub("", " " + next(g for g in match.groups() if g is not None)).split()
    thing = [w.strip("'’") for w in thing if w.lower() not in _FORMS or len(thing) == 1]
    if not thing:
        return False
    head = thing[-1] if english else thing[0]
    last_parts = [w.split("-")[-1] for w in thing]  # "multi-year plan": "year" and "plan"
    return not plans_use(head.split("-")[-1]) or any(not (known(w) or plans_use(w)) for w in last_parts)


def is_instruction(question: str) -> bool:
    """True for attempts to steer the assistant rather than ask about the plans."""
    return bool(_INSTRUCTIONS.search(question))


def outside_the_plans(question: str, plans_say: Callable[[str], bool] = lambda phrase: False) -> bool:
    """True for a question about the day it is asked, a child's own records, the running of a
    school day (calendar, contact details, uniforms), a ranking of schools, or a procedure to
    follow. The last three only while the plans do not say the very words (`plans_say`): a
    district that adds its transportation plan to the corpus has its "school bus" questions
    answered, and one that adds an enrollment guide saying "How do I enroll ..." its enrollment ones."""
    unsaid = (
        match.group(0)
        for pattern in (_DAY_TO_DAY, _RANKS_SCHOOLS, _ASKS_FOR_A_PROCEDURE)
        for match in pattern.finditer(question)
        if not plans_say(match.group(0))
    )
    return bool(_ASKS_ABOUT_TODAY.search(question) or _ASKS_CHILD_RECORDS.search(question) or next(unsaid, None))


# Where a building or an office is ("Where is the district office?", "¿Dónde está la escuela?"),
# which only a street address answers; "Where can I find the Road Map?" asks for no place.
_ASKS_PLACE = re.compile(
    r"^\W*where(?:'s|\s+is|\s+are)\s+(?:the\s+|a\s+|my\s+)?(?:[\w-]+\s+){0,3}"
    r"(?:office|offices|building|buildings|school|schools|center|headquarters)\b"
    r"|\bd[oó]nde\s+(?:est[aá]n?|queda|quedan)\s+(?:la|el|las|los|mi)?\s*(?:[\w-]+\s+){0,3}"
    r"(?:oficinas?|escuelas?|edificios?|centro)\b",
    re.IGNORECASE,
)
_ADDRESS = re.compile(r"\b\d+\s+(?:[A-Z][\w.]*\s+){1,3}(?:St|Street|Ave|Avenue|Blvd|Boulevard|Rd|Road|Dr|Drive)\b")


def answer_type_found(question: str, quoted: list[str]) -> bool:
    """False when the question asks for a person, a sum of money, an amount, a date or a place and
    no quoted text states one."""
    text = " ".join(quoted)
    if _ASKS_PLACE.search(question) and not _ADDRESS.search(text):
        return False
    if _ASKS_PERSON.search(question) and not _PERSON.search(text):
        return False
    if _ASKS_MONEY.search(question) and not _ASKS_HOW.search(question) and not _MONEY.search(text):
        return False
    if _ASKS_AMOUNT.search(question) and not any(_AMOUNT.search(_NUMBERING.sub("", unit)) for unit in quoted):
        return False
    if (counted := _HOW_MANY.search(question)) and not any(
        _counts(counted[1] or counted[2], _NUMBERING.sub("", unit)) for unit in quoted
    ):
        return False
    return not (_ASKS_TIME.search(question) and not _TIME.search(text))
