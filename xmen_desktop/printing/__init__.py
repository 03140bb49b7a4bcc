"""Printed documents (reportlab only: no Qt, no database).

- ``documents``: the plain frozen records the store fills (BallotBatch, ResultNotice, ...).
- ``ballots.render_ballots(batch, out, *, two_up=False, progress=None)``: numbered ballots.
- ``result.render_result(notice, out)``: 表决结果公示.
- ``theme``, ``fonts``, ``text``, ``qr``: the shared look, the embedded CJK font, Chinese line
  breaking and QR codes, for the documents still to come.

Importing this package imports nothing heavy: reportlab loads with the module that needs it.
"""
