"""Templates prepared before any upload: imported by the jobs' forkserver (jobs.PRELOAD), so every job process it
forks starts with each offered template read, patched and compiled (render.docx.shared_renderer) instead of
preparing it again for each upload, and with its paragraph styles read as the HTML preview reads a report's (a
report keeps its template's styles part: parsing and resolving it was about 9 ms of each check).

Preparing is only a head start: a template that cannot be prepared here is left for the job, which says what is
wrong with it to the user who chose it."""

from __future__ import annotations

import gc
import logging

log = logging.getLogger("genreport.web")


def warm() -> int:
    """Prepare every template the page offers; how many were prepared."""
    from ..render.docx import shared_renderer
    from ..render.docx_walk import remember_styles
    from ..session import render_options
    from ..template.profile import list_templates, resolve_profile

    prepared = 0
    for entry in list_templates():
        try:
            profile = resolve_profile(entry.folder)
            if profile.document is not None:
                shared_renderer(profile.document, render_options(profile))._prepare()
                remember_styles(profile.document.read_bytes())
                prepared += 1
        except Exception as e:  # noqa: BLE001 - the job meets the same problem and words it for the user
            log.debug("模板 %s 未能预先准备：%s", entry.name, e)
    return prepared


warm()
# everything loaded so far is kept for the server's life: out of the collector's sight, a job's process (which
# runs many jobs: web.jobs) no longer walks the whole preloaded pipeline in each full collection (~6 ms a check)
gc.freeze()
