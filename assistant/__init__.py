"""Answers questions about the district's plans with verbatim, cited passages."""
