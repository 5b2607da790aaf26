"""`/help`: what the bot does and every command with a one-line example, grouped.

``GROUPS`` is checked against the command tree by a test, so a new command without a help
line (or a help line for a command that is gone) fails CI.
"""

from __future__ import annotations

import discord

from bot.content import Content
from bot.db.models import StudyChannel
from bot.ui.text import plural
from scheduler.timeutil import format_days, format_hhmm

COLOUR = discord.Colour.blurple()

# (group, server-only?, [(qualified command name, example, what it does)])
GROUPS: list[tuple[str, bool, list[tuple[str, str, str]]]] = [
    (
        "📚 Learn",
        False,
        [
            ("start", "/start", "a 3-minute placement check, then your time zone and reminders"),
            ("roadmap", "/roadmap level:2", "levels and topics with your progress; add, skip or remove topics"),
            ("resources", "/resources topic:pca", "curated links by level, topic or kind"),
            ("progress", "/progress", "how far you are per level, and what to learn next"),
        ],
    ),
    (
        "🔁 Review",
        False,
        [
            ("quiz", "/quiz", "what's due, by spaced repetition (add a topic with topic:, or try mode:mistakes)"),
            ("stats", "/stats", "your reviews, retention, streak and a forecast chart"),
            ("reminders", "/reminders on", "a short daily review by DM at your time"),
        ],
    ),
    (
        "⚙️ Settings",
        False,
        [
            ("settings show", "/settings show", "everything below at a glance"),
            ("settings timezone", "/settings timezone name:Europe/Berlin", "your time zone (a city works)"),
            ("settings digest-time", "/settings digest-time time:7pm", "when the daily review arrives"),
            ("settings digest-size", "/settings digest-size count:5", "how many questions it starts with"),
            ("settings day-start", "/settings day-start hour:4", "when your study day rolls over"),
            (
                "settings retention",
                "/settings retention value:0.9",
                "how much you want to remember (no value: what it costs)",
            ),
            ("settings scheduler", "/settings scheduler", "which FSRS parameters time your reviews"),
            ("settings limits", "/settings limits new:10 reviews:100", "daily limits"),
            ("settings vacation", "/settings vacation until:2027-01-06", "pause reviews (streak kept)"),
        ],
    ),
    (
        "🏫 Servers",
        True,
        [
            ("studychannel add", "/studychannel add channel:#ml-study", "post questions there on a schedule"),
            ("studychannel edit", "/studychannel edit channel:#ml-study time:18:00", "change schedule or scope"),
            ("studychannel pause", "/studychannel pause channel:#ml-study", "stop posting for now"),
            ("studychannel resume", "/studychannel resume channel:#ml-study", "post again"),
            ("studychannel remove", "/studychannel remove channel:#ml-study", "stop using the channel"),
            ("studychannel list", "/studychannel list", "this server's study channels"),
            ("leaderboard view", "/leaderboard view period:week", "top members by correct answers or streak"),
            ("leaderboard optout", "/leaderboard optout state:on", "hide yourself from leaderboards (off: show again)"),
            ("admin reload-content", "/admin reload-content", "bot owners: load edited questions, no restart"),
        ],
    ),
    (
        "🔒 Your data",
        False,
        [
            ("mydata export", "/mydata export", "download everything stored about you"),
            ("mydata delete", "/mydata delete", "erase it all"),
        ],
    ),
]
SERVER_NOTE = "Server admins (Manage Server) set up study channels; `/studychannel` needs the bot in the server."


def study_channel_text(sc: StudyChannel, content: Content) -> str:
    scope = ", ".join(
        [f"Level {n}" for n in sc.levels] + [content.topics[t].name for t in sc.topics if t in content.topics]
    )
    state = (
        "paused for now"
        if sc.paused
        else f"next post <t:{int(sc.next_post_at.timestamp())}:R>"
        if sc.next_post_at
        else ""
    )
    lines = [
        f"I post {plural(sc.questions_per_post, 'question')} here at {format_hhmm(sc.post_minute)} ({sc.timezone}), "
        f"{format_days(sc.days_mask)}, from {scope or 'the whole roadmap'}" + (f" — {state}." if state else "."),
        "Answer with the buttons under a post: only you see whether you were right, and the answer counts as a "
        "review on your own cards. The answer is revealed when the next question is posted.",
    ]
    return "\n".join(lines)


def help_embed(content: Content, *, in_server: bool, study_channel: StudyChannel | None = None) -> discord.Embed:
    """The help text: in DMs without the server-only commands, in a study channel with how its posts work."""
    embed = discord.Embed(
        title="🤖 Your AI study companion",
        colour=COLOUR,
        description=(
            f"I teach the AI learning roadmap — {plural(len(content.levels), 'level')}, "
            f"{plural(len(content.topics), 'topic')} — with quiz questions scheduled by spaced repetition, "
            "a daily review by DM at your time, and study channels in servers. New here? Press **Get started**."
        ),
    )
    if study_channel is not None:
        embed.add_field(name="📌 This study channel", value=study_channel_text(study_channel, content), inline=False)
    for name, server_only, entries in GROUPS:
        if server_only and not in_server:
            continue
        lines = [f"`{example}` — {what}" for _, example, what in entries]
        if server_only:
            lines.append(SERVER_NOTE)
        embed.add_field(name=name, value="\n".join(lines), inline=False)
    if not in_server:
        embed.set_footer(text="In a server with the bot you also get study channels and leaderboards.")
    return embed
