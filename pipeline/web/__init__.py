"""``genreport serve``: the pipeline behind one browser page, for staff who never open a terminal.

Each upload's workbooks live in a private temporary folder only while their job runs; what the check builds from
them (the reports, the 汇总, the zip) is kept under an unguessable token for the time the page states, then deleted
(``store``), and deleted too when the server stops. Besides those, requests share only the template folders, read
and never written.
"""
