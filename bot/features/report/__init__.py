"""``/scr report``: the thematic briefing's publishable PDF, sent to the asker's direct messages."""
