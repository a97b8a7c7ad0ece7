"""Review and correction: a local web page and a review sheet to correct aligned answers.

Edits live in the aligned file (`transcripts/<id>.aligned.json`) with who and when, and
survive every re-run of alignment (merge.py). Submodules are imported where needed, so
the pipeline stages do not load the web server.
"""
