"""The analytics dashboard of Studio (issue 13): ``Organisation → Analytics…``.

``dashboard`` holds the screen (filters, source line, tabs, exports), ``views`` fills each
tab from a service result, ``chart_panel`` is one chart with its accessible table and
click-through, ``heatmap`` paints the skill-gap map, ``palette`` the AA-checked colours and
``export`` the CSV and PDF.
"""

from __future__ import annotations

from app.studio.analytics.dashboard import AnalyticsView, open_analytics_dialog

__all__ = ["AnalyticsView", "open_analytics_dialog"]
