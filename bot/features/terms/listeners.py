"""``/scr terms REF``: generate the terms of reference and upload the DOCX and PDF to the requester's DMs.

Uploads use the files upload v2 flow (``files.getUploadURLExternal``, the upload, then
``files.completeUploadExternal`` sharing both files into the DM), so the documents are never posted in
the channel where the command was typed.
"""

from slack_bolt.async_app import AsyncApp

from bot import dm
from bot.deps import Deps
from bot.features.terms import views as terms_view
from bot.service_client import NotFound
from bot.slack_calls import if_refused
from bot.subcommands import Invocation, subcommand
from bot.views import errors

FORMATS = ("docx", "pdf")


async def run(call: Invocation) -> None:
    working = "Preparing the terms of reference for {ref}: I'll send the files to your direct messages."
    what = "the terms of reference for case REF, as DOCX and PDF."
    ref = await call.case_ref("/scr terms REF", what, working=working)
    if ref is None:
        return
    try:
        version = await call.service.generate_terms(as_user=call.user, ref=ref)
    except NotFound:
        await call.tell(errors.unknown_case(ref))
        return
    uploads = [
        {
            "file": await call.service.download(as_user=call.user, path=version["downloads"][fmt]),
            "filename": terms_view.filename(version, fmt),
            "title": terms_view.filename(version, fmt),
        }
        for fmt in FORMATS
    ]
    ready = f"The terms of reference for case {version['case_ref']} are ready (version {version['version']})"
    with if_refused(
        done=ready,
        step="send you the files",
        advice="You can download them from the case's page on the case review service's website.",
    ):
        channel = await dm.channel(call.slack, user=call.user)
        await call.slack.files_upload_v2(
            channel=channel, file_uploads=uploads, initial_comment=terms_view.comment(version)
        )


def register(app: AsyncApp, deps: Deps) -> None:
    subcommand(app, deps, "terms", run=run)
