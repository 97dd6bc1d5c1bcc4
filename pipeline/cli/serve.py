"""``genreport serve``: the web page for staff who never open a terminal (being built)."""

from __future__ import annotations


def serve_command() -> None:
    """在浏览器中使用 genreport：下载空白模板、上传工作簿查看问题、下载报告。"""
