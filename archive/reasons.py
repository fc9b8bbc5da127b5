"""Why a file is turned away, as a code with values.

The CLI, the logs and the audit log print the English wording declared here; the staff pages say the same thing in
the reader's language from their own table keyed by the same codes (archive/web/reasons.py). A ``detail`` value is
the words of a decoder or of the system, which stay as they are in every language.
"""
from __future__ import annotations

ENGLISH: dict[str, str] = {
    # what the file is
    "empty_file": "empty file (0 bytes)",
    "unrecognised": "content is not a recognised media type",
    "type_not_accepted": "content is {mime}, which the archive does not accept",
    "extension_mismatch": "extension {extension!r} does not match the content ({mime}; expected {expected})",
    # whether it decodes and is within the limits
    "too_large": "file is {size:,} bytes, over the limit of {limit:,}",
    "bomb": "decompression bomb: {width}×{height} pixels packed into only {size:,} bytes",
    "too_many_pixels": "image is {width}×{height} = {pixels:,} pixels, over the limit of {limit:,}",
    "image_undecodable": "image does not decode: {detail}",
    "not_clean": "does not decode cleanly: {detail}",
    "no_audio_stream": "has no audio stream",
    "no_video_stream": "has no video stream",
    "no_duration": "has no measurable duration",
    "too_long": "lasts {duration} s, over the limit of {limit} s",
    "vtt_not_utf8": "WebVTT file is not UTF-8: {detail}",
    "vtt_no_cues": "WebVTT file has no cues",
    "vtt_line_not_utf8": "line {line}: the file is not UTF-8 text",
    "vtt_no_header": 'line 1: a WebVTT file starts with the line "WEBVTT"',
    "vtt_no_timing": "line {line}: expected a cue timing line such as 00:00:01.000 --> 00:00:04.000",
    "vtt_bad_timing": "line {line}: a cue timing is two times such as 00:01.000 --> 00:04.000 (minutes and seconds "
                      "below 60, three decimals)",
    "vtt_ends_before_start": "line {line}: the cue ends ({end}) before it starts ({start})",
    "vtt_out_of_order": "line {line}: the cue starts ({start}) before the cue above it ({previous}); cues go in "
                        "time order",
    "vtt_cue_no_text": "line {line}: the cue has no text",
    "vtt_arrow_in_text": 'line {line}: a cue\'s text cannot contain "-->" (a blank line must separate cues)',
    "metadata_unreadable": "{detail}",
    "derivative_failed": "{detail}",
    "unreadable": "cannot be read: {detail}",
    "changed_during_ingest": "changed while it was being ingested; run the ingest again",
    "already_in_archive": "the same file is already in the archive",
    "internal_error": "{detail}",
    "worker_died": "the worker stopped {attempts} times while ingesting this file; it was not tried again",
    "other": "{detail}",
    # what an upload announces
    "no_name": "the file has no name",
    "name_has_folder": "a file name must not contain a folder path",
    "name_has_control": "a file name must not contain line breaks, tabs or other control characters",
    "name_starts_with_dot": "a file name must not start with a dot",
    "name_too_long": "the file name is longer than {limit} bytes; shorten it",
    "extension_not_accepted": "{extension} files are not accepted (accepted: {accepted})",
    "no_extension": "a file without an extension is not accepted (accepted: {accepted})",
    "upload_too_large": "{size:,} bytes is more than the largest upload accepted ({limit:,} bytes)",
    "upload_empty": "the file is empty (0 bytes)",
    "more_than_announced": "more bytes than the {size:,} announced",
}


class Reason(str):
    """One reason: its English text (so it prints, joins and compares as a plain string), its ``code``, its
    ``params`` and, when it is about one named file among others, that ``subject`` ("name: reason")."""

    code: str
    params: dict
    subject: str | None

    def __new__(cls, code: str, subject: str | None = None, **params) -> "Reason":
        text = ENGLISH[code].format(**params)
        self = super().__new__(cls, f"{subject}: {text}" if subject else text)
        self.code, self.subject, self.params = code, subject, params
        return self

    def __getnewargs_ex__(self):  # worker processes send reasons back pickled
        return (self.code, self.subject), self.params

    def about(self, subject: str) -> "Reason":
        return Reason(self.code, subject, **self.params)

    def as_dict(self) -> dict:
        return {"code": self.code, "subject": self.subject, "params": self.params}

    @classmethod
    def from_dict(cls, data: dict) -> "Reason":
        return cls(data["code"], data.get("subject"), **data.get("params", {}))


class Refused(Exception):
    """An input turned away; ``reason`` (a Reason) says why."""

    def __init__(self, reason: Reason):
        super().__init__(reason)
        self.reason = reason


def reason_of(text: str) -> Reason:
    """``text`` as a Reason; words that came without a code are passed on as a detail."""
    return text if isinstance(text, Reason) else Reason("other", detail=str(text))
