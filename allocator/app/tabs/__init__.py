"""The meeting page's tabs, one Shiny module a tab: each lays out the plan shown (a ``view``
calc of :class:`~allocator.app.session.PlanView`) from what :mod:`allocator.app.panels`,
:mod:`allocator.app.mapview` and the meeting's session computed."""
