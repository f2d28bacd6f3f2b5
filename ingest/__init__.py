"""Turn the district's published plan documents into cited, embedded passages."""
