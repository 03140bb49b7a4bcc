"""老西门街道自治家园工作台 (xmen-desktop)."""

__version__ = "0.1.0"
