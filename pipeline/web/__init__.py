"""``genreport serve``: the pipeline behind one browser page, for staff who never open a terminal.

Nothing here keeps state between requests: each upload lives in a private temporary folder for the length of its
request, and the only things requests share are the template folders, read and never written.
"""
