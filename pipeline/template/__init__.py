"""A template as a department keeps it, read and checked before any workbook: ``profile`` resolves ``-t NAME|PATH``
into its folder; ``settings`` (template.toml), ``rules`` (rules.toml), ``layout`` (the workbook as the template reads
it) and ``number_style`` are what the folder says; ``document`` parses its Word file as the renderer does, and
``check`` lints it (``genreport template check``)."""
