"""The admin area for district staff: sign-in (auth.py), the corpus's documents (documents.py, a
plain-Python core; ingest_jobs.py, the background ingest; documents_api.py, its routes) and the
/admin page. docs/admin.md is the operator's guide."""
