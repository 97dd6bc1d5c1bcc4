"""Findings: every code a check can give, declared once (``codes``), the one collector the stages add to
(``collector``), what ``explain`` and docs/findings.md say of a code (``docs``), and their text and JSON output
(``report``)."""
