"""Qt widgets, item models, dialogs and the background worker. The only layer that imports Qt."""
