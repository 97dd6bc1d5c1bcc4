"""Type values into a workbook in LibreOffice Calc the way a user does, and report what each cell holds after.

Run by tests/test_form_uno.py with the system Python (/usr/bin/python3), which has LibreOffice's ``uno`` module
(Debian's python3-uno) that the project's venv does not see. Standard library and ``uno`` only.

    /usr/bin/python3 tests/uno_form_input.py WORKBOOK PROFILE_DIR < entries.json > results.json

entries.json is a list of [sheet, cell, text]; each text is typed key by key into the cell's grid window and
committed with Enter, so Calc's input handler (ScInputHandler::EnterHandler) checks the cell's validity rule as it
does for a user. Setting a cell through the API (setString, setValue, .uno:EnterString) would bypass the rule.
The result is one object per entry: the cell's content before and after, and the rule on the cell.

Two things make this work with Debian's headless LibreOffice (libreoffice-*-nogui):
- Keys reach a view only once its frame is the active one, and only a visible frame becomes active. The document
  is loaded hidden, then its window shown; with --headless nothing reaches a screen.
- The nogui packages ship no .ui files, and the formula bar (child window 26100, FID_INPUTLINE_STATUS) is built
  from one (inputbar.ui): activating a frame with it aborts soffice. The new profile starts with it hidden.
In headless mode the stop rule's message box is not shown (VCL cancels dialogs silently); Calc discards the entry
all the same, which is what a user sees after pressing OK on the message.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException
from com.sun.star.lang import DisposedException

FORMULA_BAR_HIDDEN = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Views/Windows"><node oor:name="26100" oor:op="replace">
<prop oor:name="Visible" oor:op="fuse"><value>false</value></prop></node></item>
</oor:items>
"""
WAIT = 60.0  # seconds for soffice to answer, a window to appear or a key to be handled


def props(**values: object) -> tuple[PropertyValue, ...]:
    out = []
    for name, value in values.items():
        p = PropertyValue()
        p.Name, p.Value = name, value
        out.append(p)
    return tuple(out)


def start_office(profile: Path) -> tuple[subprocess.Popen[bytes], Any]:
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(FORMULA_BAR_HIDDEN, encoding="utf-8")
    pipe = f"genreport_form_{uuid.uuid4().hex}"
    office = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--norestore",
            "--nologo",
            "--nolockcheck",
            f"-env:UserInstallation={profile.as_uri()}",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # soffice, oosplash and soffice.bin in one group this script can end
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + WAIT
    while True:
        try:
            return office, resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            if time.monotonic() > deadline or office.poll() is not None:
                raise
            time.sleep(0.1)


def cell_content(cell: Any) -> dict[str, object]:
    return {"string": cell.String, "value": cell.Value, "type": cell.Type.value}


def rule(cell: Any) -> dict[str, object]:
    v = cell.Validation
    return {
        "type": v.Type.value,
        "alert": v.ErrorAlertStyle.value,
        "show_error": v.ShowErrorMessage,
        "title": v.ErrorTitle,
        "message": v.ErrorMessage,
        "formula1": v.Formula1,
        "formula2": v.Formula2,
    }


def type_into(ui: Any, doc: Any, sheet_name: str, ref: str, text: str) -> dict[str, object]:
    controller = doc.CurrentController
    sheet = doc.Sheets.getByName(sheet_name)
    cell = sheet.getCellRangeByName(ref)
    controller.setActiveSheet(sheet)
    controller.select(cell)
    before = cell_content(cell)
    grid = ui.getTopFocusWindow().getChild("grid_window")
    grid.executeAction("TYPE", props(TEXT=text))
    # Enter commits the entry; a shown message box would block here, so it runs where it can be waited for
    enter = threading.Thread(target=grid.executeAction, args=("TYPE", props(KEYCODE="RETURN")), daemon=True)
    enter.start()
    enter.join(WAIT)
    if enter.is_alive():
        raise RuntimeError(f"{sheet_name}!{ref}: Enter did not return (a dialog is open?)")
    return {
        "sheet": sheet_name,
        "cell": ref,
        "typed": text,
        "before": before,
        "after": cell_content(cell),
        "rule": rule(cell),
    }


def show(ui: Any, doc: Any) -> None:
    """The hidden document's window shown, so that its frame becomes the active one and takes keys."""
    frame = doc.CurrentController.Frame
    frame.LayoutManager.setVisible(False)  # no menus or toolbars: nothing here draws them
    frame.ContainerWindow.setVisible(True)
    deadline = time.monotonic() + WAIT
    while "grid_window" not in ui.getTopFocusWindow().getChildren():
        if time.monotonic() > deadline:
            raise RuntimeError("the sheet's grid window never took the focus")
        time.sleep(0.05)


def main() -> None:
    workbook, profile = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    entries = json.load(sys.stdin)
    office, ctx = start_office(profile)
    try:
        smgr = ctx.ServiceManager
        desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(workbook.as_uri(), "_blank", 0, props(Hidden=True))
        if doc is None:
            raise RuntimeError(f"LibreOffice did not open {workbook}")
        ui = smgr.createInstanceWithContext("com.sun.star.ui.test.UITest", ctx)
        show(ui, doc)
        results = [type_into(ui, doc, sheet, ref, text) for sheet, ref, text in entries]
        json.dump(results, sys.stdout, ensure_ascii=False)
        doc.close(True)
        with contextlib.suppress(DisposedException):  # the bridge may go down before the call returns
            desktop.terminate()
        office.wait(WAIT)
    finally:
        with contextlib.suppress(ProcessLookupError):  # whatever of the group is still running
            os.killpg(office.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
