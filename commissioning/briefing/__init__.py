"""The thematic briefing: what all the reviews of a period say together, as figures, charts and documents.

``facts`` holds a case as the briefing reads it (plain data, no database), ``figures`` what a figure is
and how its share is worked out, ``profile`` the figure groups of the cases' profile and themes (each a
pure function from the cases' facts to figures), ``references`` the comparison figures kept as data,
``suppression`` the small-number rules of the publishable version, and ``report`` puts a briefing
together from them. The outputs: ``tables`` (the figures as rows and CSV), ``charts`` (matplotlib),
``html``, ``pdf`` and ``word``. Nothing here stores, sends or serves anything:
``commissioning.briefing_store`` reads the cases, and the shells serve the briefing.
"""
