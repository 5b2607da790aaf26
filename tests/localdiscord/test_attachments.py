"""Attachments as Discord takes them: multipart/form-data with payload_json and files[n],
at most 10 files a message, none over the upload limit."""

from __future__ import annotations

import json

import aiohttp
import pytest

from localdiscord import LocalDiscord
from localdiscord.server import MAX_FILE_BYTES


def form(body: dict[str, object], files: dict[str, bytes]) -> aiohttp.FormData:
    data = aiohttp.FormData()
    data.add_field("payload_json", json.dumps(body), content_type="application/json")
    for index, (name, blob) in enumerate(files.items()):
        data.add_field(f"files[{index}]", blob, filename=name, content_type="image/png")
    return data


async def send(ld: LocalDiscord, http: aiohttp.ClientSession, files: dict[str, bytes]) -> tuple[int, dict[str, object]]:
    guild = await ld.create_guild("g")
    channel = next(iter(guild.channels.values()))
    body = {"embeds": [{"title": "t", "image": {"url": "attachment://a0.png"}}]}
    async with http.post(f"{ld.api_base}/channels/{channel.id}/messages", data=form(body, files)) as response:
        return response.status, await response.json(content_type=None)


async def test_a_message_with_files_keeps_them_as_attachments(ld: LocalDiscord, http: aiohttp.ClientSession) -> None:
    status, body = await send(ld, http, {"a0.png": b"\x89PNG one", "a1.png": b"\x89PNG two"})
    assert status == 200
    attachments = body["attachments"]
    assert isinstance(attachments, list)
    assert [(a["filename"], a["size"]) for a in attachments] == [("a0.png", 8), ("a1.png", 8)]


@pytest.mark.lax  # a refused body is what this test sends
async def test_more_than_ten_files_are_refused(ld: LocalDiscord, http: aiohttp.ClientSession) -> None:
    status, body = await send(ld, http, {f"a{i}.png": b"x" for i in range(11)})
    assert status == 400 and body["code"] == 50035
    assert body["errors"]["files"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"


@pytest.mark.lax
async def test_a_file_over_the_upload_limit_is_refused(ld: LocalDiscord, http: aiohttp.ClientSession) -> None:
    status, body = await send(ld, http, {"a0.png": b"x" * (MAX_FILE_BYTES + 1)})
    assert (status, body["code"], body["message"]) == (413, 40005, "Request entity too large")
