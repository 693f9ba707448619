"""Analytics for managers, org admins and creators: the pure part (issue 13).

The services layer (``app.services.analytics*``) runs one aggregate query per view against the
local mirror (or reads the server's aggregate functions) and hands the rows here as plain
values; these modules turn them into what a chart shows: weeks filled in, a funnel with its
rates, the skill gaps ranked biggest first, the compliance buckets, modality outcomes. No SQL,
no Qt, no clock: ``now`` is always passed in.
"""
