"""The dashboards: the secretary's compound page, the community overview, the daily report.

Every figure comes from an *area* (``registry.Area``) that some app's data makes
possible: the gate, fevers, quarantine, the register. An area computes its figures for
many compounds at once in a fixed number of queries (never one per compound), so a page
over 300 compounds costs what a page over one does. Each figure carries the link to the
list behind it.

Areas not registered yet, on purpose (their data does not exist on this branch; an area
is registered only once its provider can compute real figures, never as a stub):

- rounds: the latest round's coverage, checks missed today (``residents`` rounds and
  the ``Quarantine`` model; home versus central quarantine in the daily report);
- rosters: posts short of people now and in the next 24 hours, volunteers on duty;
- supplies: open urgent help requests, today's run, requests opened and resolved.

To add one: write ``compute(compound_ids, moment) -> {compound_id: {key: int}}`` in a
module here (see ``providers.py``), declare its ``Figure`` list with their links and
the report lines it feeds, and ``registry.register_area(...)`` it from
``providers.register_all`` (called by ``BastionConfig.ready``). The chart takes a daily
series the same way (``chart.register_series``). Nothing else changes: the pages, the
totals, the Excel export and the daily report read the registry.
"""
