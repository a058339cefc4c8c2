"""The optional libraries behind kmsmock's extras, for what ``cryptography`` lacks.

Each engine that needs one raises ``MissingExtra`` when it is not installed; the service
core turns that into the public ``ExtraNotInstalledError`` for whichever operation ran
into it. This module is cheap on purpose: the core imports it, the engines load later.
"""

from __future__ import annotations


class MissingExtra(Exception):
    """``feature`` needs ``package``, installed by ``pip install '<extra>'``."""

    def __init__(self, feature: str, package: str, extra: str, why: str = "") -> None:
        self.feature = feature
        self.package = package
        self.extra = extra
        super().__init__(f"{feature} needs {package}{why}: pip install '{extra}'")
