"""Slack's limits on what an app may send, as Slack documents them: the stand-in's own table.

Written from Slack's reference pages (named above each group), not from the bot's code: the stand-in checks
the bot against Slack, never against the bot's idea of Slack. Lengths count characters.
"""

# Blocks (docs.slack.dev/reference/block-kit/blocks): "up to 50 blocks in each message, and 100 blocks in
# modals or Home tabs". A block_id is at most 255 characters and unique in its message or view.
MESSAGE_BLOCKS = 50
SURFACE_BLOCKS = 100  # a modal or a Home tab
BLOCK_ID_CHARS = 255

# Text objects (composition objects, text object): at least 1 character, at most 3000.
TEXT_CHARS = 3000

# Section block: text 3000; fields at most 10 items of at most 2000 characters each.
SECTION_TEXT_CHARS = 3000
SECTION_FIELDS = 10
SECTION_FIELD_CHARS = 2000

# Header block: plain_text only, at most 150 characters.
HEADER_CHARS = 150

# Context block: at most 10 elements (images and text objects).
CONTEXT_ELEMENTS = 10

# Actions block: at most 25 interactive elements.
ACTIONS_ELEMENTS = 25

# Input block: label and hint plain_text, at most 2000 characters each.
INPUT_LABEL_CHARS = 2000
INPUT_HINT_CHARS = 2000

# Every interactive element: action_id at most 255 characters, unique among the action_ids of its block.
ACTION_ID_CHARS = 255
# Placeholders of inputs, selects and pickers: plain_text, at most 150 characters.
PLACEHOLDER_CHARS = 150

# Plain-text input element: max_length from 1 to 3000, min_length from 0 to 3000.
INPUT_MAX_LENGTH = 3000

# Button element: text plain_text at most 75; value at most 2000; url at most 3000; style primary or danger;
# accessibility_label at most 75.
BUTTON_TEXT_CHARS = 75
BUTTON_VALUE_CHARS = 2000
BUTTON_URL_CHARS = 3000
BUTTON_STYLES = ("primary", "danger")

# Option object: text at most 75 (plain_text in selects and overflow menus; radio buttons and checkboxes
# may use mrkdwn), value at most 150, description at most 75. Option group: label 75, 100 options.
OPTION_TEXT_CHARS = 75
OPTION_VALUE_CHARS = 150
OPTION_DESCRIPTION_CHARS = 75
OPTION_GROUPS = 100

# Options per element: select menus 100, overflow menu 5, checkboxes and radio buttons 10.
SELECT_OPTIONS = 100
OVERFLOW_OPTIONS = 5
CHECKBOX_OPTIONS = 10
RADIO_OPTIONS = 10

# Confirmation dialog: title plain_text 100, text 300, confirm and deny plain_text 30 each.
CONFIRM_TITLE_CHARS = 100
CONFIRM_TEXT_CHARS = 300
CONFIRM_BUTTON_CHARS = 30

# Modal views (docs.slack.dev/reference/views/modal-views): title, submit and close plain_text at most 24;
# submit is required when the view holds an input block; private_metadata at most 3000; callback_id and
# external_id at most 255. A view over 250 kB is refused (views.open: view_too_large).
VIEW_TITLE_CHARS = 24
PRIVATE_METADATA_CHARS = 3000
CALLBACK_ID_CHARS = 255
VIEW_BYTES = 250_000

# Messages (chat.postMessage): text over 40,000 characters is refused (msg_too_long); Slack advises at most
# 4,000, so the stand-in warns above that.
MESSAGE_TEXT_CHARS = 40_000
MESSAGE_TEXT_ADVISED_CHARS = 4_000

# Interactivity (docs.slack.dev/interactivity/handling-user-interaction): a response_url takes at most five
# posts, within 30 minutes of the request that carried it; a trigger_id expires three seconds after it was
# issued, and is exchanged (views.open, views.push) once.
RESPONSE_URL_POSTS = 5
RESPONSE_URL_SECONDS = 30 * 60
TRIGGER_SECONDS = 3.0

# Options an external select's options request is answered with: at most 100.
SUGGESTED_OPTIONS = 100
