"""The dashboards: the secretary's compound page, the community overview, the daily report.

Every figure comes from an *area* (``registry.Area``, one module each in ``areas/``):
the register, the gate, fevers, quarantine, screening rounds, the duty roster, supplies
and help. An area computes its figures for many compounds at once in a fixed number of
grouped queries (never one per compound), so a page over 300 compounds costs what a page
over one does. Each figure carries the link to the list behind it; a share (a round's
coverage) names its two parts and is computed again from their sums for totals.

To add one: write ``compute(compound_ids, moment) -> {compound_id: {key: int}}`` in a
module of ``areas/``, declare its ``Figure`` list with their links and the report lines
it feeds, and add it to ``areas.register_all`` (called by ``BastionConfig.ready``). The
chart takes a daily series the same way (``chart.register_series``). Nothing else
changes: the pages, the totals, the Excel export and the daily report read the registry.
"""
