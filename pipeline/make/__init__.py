"""Dev-time generators, run by ``python scripts/make_docs.py`` and checked by tests for staleness: the record
classes (``records``), docs/workbook.md (``workbook_docs``), docs/template-guide.md (``template_guide``) and the
context shape ``template check`` ships (``context_shape``). Nothing at run time imports them."""
