"""Ingestion of provider submissions: read, pseudonymise, validate, write lake and quarantine.

`read` turns a file into rows of text with row numbers (or rejects the file with the
row and column named), `types` converts text to contract types, `checks` runs the Great
Expectations suites, `lake` writes accepted and quarantined rows, and `submission` ties
them together for one provider-month folder.
"""
