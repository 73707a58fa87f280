"""Agencies' chronologies and the merged multi-agency chronology, as plain functions over plain data.

``columns`` says what a chronology holds, ``templates`` writes the blank DOCX and XLSX, ``tables`` and
``files`` read a filled-in file the way a person would, ``dates`` reads the dates people write, ``checks``
checks every row, ``composite`` and ``marks`` merge the accepted chronologies and mark them, ``reupload``
says what a corrected file would change and ``glossary`` codes names. The outputs: ``documents`` says
what every rendering of the composite says (title, view, columns, marks in words), ``timeline`` the
chart's figures and text alternative, ``charts`` draws the chart (PNG, SVG), and ``spreadsheet``,
``word`` and ``pdf`` lay out the XLSX, DOCX and PDF. Around them: ``requests`` says what a request to an
agency asks and when it is due (with ``letters`` laying out its letter), ``status`` where an agency's
chronology stands, and ``records`` how an accepted row is kept. Nothing here stores, sends or serves
anything: the shells do (``commissioning.chronology_store`` stores).
"""
