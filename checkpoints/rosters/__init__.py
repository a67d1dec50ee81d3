"""Duty rosters: posts, shift templates, shifts, who is on them, sign-in, gaps and the
duty log. A post is a checkpoint (a staffed opening, a sealed building's door, a patrol,
a site's post), and every other duty (a round's assignment, a grocery run) is a post of
its own kind, so that one roster, one overlap check and one gap count see them all.

Modules: ``models`` (imported by ``checkpoints.models``), ``services`` (writes),
``selectors`` (reads), ``errors``, ``audit``, ``forms``, ``views`` and ``urls``, ``ics``
(the calendar feed), ``reports`` (hours, print, Excel), ``apps`` (tabs and routes).
"""
