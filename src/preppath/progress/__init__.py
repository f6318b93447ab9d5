"""Progress views: the contribution heatmap (terminal, JSON, SVG, HTML) and practice streaks.

The modules here are pure: they take per-day counts already grouped by local calendar date and
return frozen results, so the database and CLI layers stay the only places that do I/O (apart
from `heatmap_export.export`, which writes the file it is asked to write).
"""
