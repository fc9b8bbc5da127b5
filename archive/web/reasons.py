"""Why a file was turned away, in the page's language: one translated sentence for each code of archive.reasons.

Numbers are written the reader's way (1.234.567 in Vietnamese); a ``detail`` (a decoder's or the system's own words)
and the file name stay as they are.
"""
from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _

from ..reasons import Reason


def _sentences() -> dict[str, str]:
    return {
        "empty_file": _("The file is empty (0 bytes)."),
        "unrecognised": _("The content is not a kind of media the archive recognises."),
        "type_not_accepted": _("The content is %(mime)s, which the archive does not accept."),
        "extension_mismatch": _("The extension %(extension)s does not match the content (%(mime)s; expected "
                                "%(expected)s)."),
        "too_large": _("The file is %(size)s bytes, over the limit of %(limit)s."),
        "bomb": _("Decompression bomb: %(width)s×%(height)s pixels packed into only %(size)s bytes."),
        "too_many_pixels": _("The image is %(width)s×%(height)s = %(pixels)s pixels, over the limit of %(limit)s."),
        "image_undecodable": _("The image does not decode: %(detail)s"),
        "not_clean": _("The recording does not decode cleanly: %(detail)s"),
        "no_audio_stream": _("The file has no audio stream."),
        "no_video_stream": _("The file has no video stream."),
        "no_duration": _("The recording has no measurable duration."),
        "too_long": _("The recording lasts %(duration)s s, over the limit of %(limit)s s."),
        "vtt_not_utf8": _("The WebVTT file is not UTF-8: %(detail)s"),
        "vtt_no_cues": _("The WebVTT file has no cues."),
        "vtt_line_not_utf8": _("Line %(line)s: the file is not UTF-8 text."),
        "vtt_no_header": _("Line 1: a WebVTT file starts with the line \"WEBVTT\"."),
        "vtt_no_timing": _("Line %(line)s: expected a cue timing line such as 00:00:01.000 --> 00:00:04.000."),
        "vtt_bad_timing": _("Line %(line)s: a cue timing is two times such as 00:01.000 --> 00:04.000 (minutes and "
                            "seconds below 60, three decimals)."),
        "vtt_ends_before_start": _("Line %(line)s: the cue ends (%(end)s) before it starts (%(start)s)."),
        "vtt_out_of_order": _("Line %(line)s: the cue starts (%(start)s) before the cue above it (%(previous)s); "
                              "cues go in time order."),
        "vtt_cue_no_text": _("Line %(line)s: the cue has no text."),
        "vtt_arrow_in_text": _("Line %(line)s: a cue's text cannot contain \"-->\" (a blank line must separate "
                               "cues)."),
        "metadata_unreadable": _("Its technical metadata cannot be read: %(detail)s"),
        "derivative_failed": _("The web versions could not be made: %(detail)s"),
        "unreadable": _("The file cannot be read: %(detail)s"),
        "changed_during_ingest": _("The file changed while it was being ingested; upload it again."),
        "already_in_archive": _("The same file is already in the archive."),
        "internal_error": _("An error in the archive stopped the ingest (%(detail)s); tell an administrator."),
        "worker_died": _("The worker stopped %(attempts)s times while ingesting this file, so it was not tried again; "
                         "tell an administrator."),
        "other": "%(detail)s",
        "no_name": _("The file has no name."),
        "name_has_folder": _("A file name must not contain a folder path."),
        "name_has_control": _("A file name must not contain line breaks, tabs or other control characters."),
        "name_starts_with_dot": _("A file name must not start with a dot."),
        "name_too_long": _("The file name is longer than %(limit)s bytes; shorten it."),
        "extension_not_accepted": _("%(extension)s files are not accepted (accepted: %(accepted)s)."),
        "no_extension": _("A file without an extension is not accepted (accepted: %(accepted)s)."),
        "upload_too_large": _("%(size)s bytes is more than the largest upload accepted (%(limit)s bytes)."),
        "upload_empty": _("The file is empty (0 bytes)."),
        "more_than_announced": _("More bytes arrived than the %(size)s announced."),
    }


def _number(value: int) -> str:
    """A whole number written the reader's way (65.536 in Vietnamese); beyond what the locale's formatting takes
    (28 digits), as it is."""
    return format_decimal(value) if abs(value) < 10**27 else str(value)


def say(reason: Reason) -> str:
    """The reason as a sentence of the current locale, after the file it is about."""
    params = {k: _number(v) if isinstance(v, int) and not isinstance(v, bool) else v for k, v in reason.params.items()}
    text = _sentences()[reason.code] % params
    return f"{reason.subject}: {text}" if reason.subject else text


def say_all(reasons: list[Reason]) -> str | None:
    return " ".join(say(r) for r in reasons) or None
