"""Chinese for the parts of the interface that Qt itself draws.

Without Qt's own translation, standard buttons, the right-click menu of a text box and the
month names of a calendar appear in English, which many of our users cannot read.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)

CHINESE = QLocale(QLocale.Language.Chinese, QLocale.Country.China)

_PROPERTY = "xmen_chinese_installed"


def install_chinese(app: QCoreApplication) -> None:
    """Make Chinese the default locale and load Qt's Chinese strings; safe to call twice."""
    if app.property(_PROPERTY):
        return
    app.setProperty(_PROPERTY, True)
    QLocale.setDefault(CHINESE)
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(CHINESE, "qtbase", "_", folder):
        app.installTranslator(translator)
    else:
        log.info("Qt's Chinese translation was not found in %s", folder)
