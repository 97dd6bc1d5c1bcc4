"""The model: the workbook's layout declared once (``schema``), and the typed records one workbook becomes
(``record`` the shared base with each value's sheet and cell, ``records`` the classes generated from the schema).

Everything else builds on this and nothing here imports another stage."""
