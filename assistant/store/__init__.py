"""The question store: what parents asked and how it was answered, their feedback, for insights.

database.py (engine, migrations, sessions), models.py (tables), scrub.py (privacy), questions.py
(the log and its background recorder), legacy.py (the old feedback file's rows carried over).
"""
