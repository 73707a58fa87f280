"""What a person is told when Slack refused something the bot tried to do for them, and what the admins'
channel is told when Slack refused a job's post. Each names a reference, which is also in the log line
that records Slack's error, so an admin can find what happened."""

from bot.views.blocks import escape

STEPS = {  # what each method does, in the words of the person it was done for
    "views.open": "open the form",
    "views.push": "open the form",
    "views.update": "update the form",
    "views.publish": "show your Home tab",
    "chat.postMessage": "send the message",
    "chat.postEphemeral": "show you my reply",
    "chat.update": "update the message",
    "conversations.open": "open a direct message",
    "files.getUploadURLExternal": "send the files",
    "files.upload": "send the files",
    "files.completeUploadExternal": "send the files",
    "response_url": "reply here",
}
TRY_AGAIN = "Try again in a minute."


def told(*, method: str, reference: str, done: str = "", step: str = "", advice: str = "") -> str:
    """The private message: what was done (if anything), what Slack would not let the bot do, what to
    do now, and the reference."""
    doing = escape(step or STEPS.get(method, "finish what you asked"))
    if done:
        parts = [
            f":warning: {escape(done)}, but Slack would not let me {doing}.",
            escape(advice),
            f"If you need help with it, give your admin this reference: `{reference}`.",
        ]
    else:
        parts = [
            f":warning: Slack would not let me {doing}.",
            escape(advice) or TRY_AGAIN,
            f"If it happens again, give your admin this reference: `{reference}`.",
        ]
    return " ".join(part for part in parts if part)


def not_asked(reference: str) -> str:
    """The line of a commission's confirmation when the consultant's request to declare was refused."""
    return (
        ":warning: Slack would not let me send them a direct message, so they have not been asked to "
        f"declare any conflict: ask them by email (reference `{reference}`)."
    )


def job_refused(*, what: str, channel: str, reference: str) -> str:
    """The admins' note when Slack refused a job's post (the reminders, the digest) to ``channel``."""
    return (
        f":warning: Slack would not let me post {what} in <#{channel}>. What was not posted will be tried "
        "again on the next run. If the app is not in that channel, invite it; if this keeps happening, "
        f"give whoever runs the service this reference: `{reference}`."
    )
