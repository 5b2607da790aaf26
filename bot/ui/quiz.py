"""Quiz steps on Discord: the question, feedback and summary embeds, and the answer buttons.

``QuizButton`` is shared: `/quiz`, `/roadmap`'s *Quiz me* and every digest DM render it, so
the client registers it once, whatever extensions are loaded. Its state lives in the
custom_id (``quiz:<action>:<session>:<position>[:<arg>]``) and the database, so a click
works after a restart, and a stale or double click changes nothing.
"""

from __future__ import annotations

import re

import discord

from bot.content import ClozeCard, Content, MultipleChoice, SelfRated, Shown, TrueFalse
from bot.services import Services
from bot.study import quiz
from bot.study.quiz import Feedback, Step, Summary
from bot.ui.components import Edit, Item, Post, Row, as_edit, link_button, static_view
from bot.ui.diagrams import diagram_files, show_diagram
from bot.ui.interaction import StudyInteraction, narrow
from bot.ui.replies import ack, guarded
from bot.ui.reports import ReportButton
from bot.ui.text import EMBED_DESCRIPTION, clip, md, plural
from scheduler.srs import Rating

LETTERS = "ABCDE"
COLOUR = discord.Colour.blurple()
RIGHT = discord.Colour.green()
WRONG = discord.Colour.red()
SOURCE_LABEL = {"quiz": "Quiz", "digest": "Daily review", "cram": "Cram practice", "channel": "Study channel"}
RATING_LABEL = {Rating.AGAIN: "Again", Rating.HARD: "Hard", Rating.GOOD: "Good", Rating.EASY: "Easy"}
ACTIONS = "ans|show|rate|next|adj|stop"


class QuizButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=rf"quiz:(?P<action>{ACTIONS}):(?P<sid>\d+):(?P<pos>\d+)(?::(?P<arg>\d+))?",
):
    """Every quiz button: ``quiz:<action>:<session>:<position>[:<arg>]``."""

    def __init__(
        self,
        action: str,
        sid: int,
        pos: int,
        arg: int | None = None,
        label: str = "?",
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        disabled: bool = False,
    ) -> None:
        custom_id = f"quiz:{action}:{sid}:{pos}" + (f":{arg}" if arg is not None else "")
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=custom_id, disabled=disabled))
        self.action, self.sid, self.pos, self.arg = action, sid, pos, arg

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: Item,
        match: re.Match[str],
        /,
    ) -> QuizButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        style = item.style if isinstance(item, discord.ui.Button) else discord.ButtonStyle.secondary
        arg = match["arg"]
        return cls(
            match["action"], int(match["sid"]), int(match["pos"]), int(arg) if arg else None, label or "?", style
        )

    async def callback(self, interaction: discord.Interaction) -> None:
        typed = narrow(interaction)
        await guarded(typed, lambda: handle_click(typed, self.action, self.sid, self.pos, self.arg))


def _title(content: Content, step: Step) -> str:
    question = step.question
    topic = content.topics.get(question.topic) if question else None
    label = SOURCE_LABEL.get(step.session.source, "Quiz")
    head = f"{label} · {step.position + 1}/{step.total}"
    return clip(f"{head} · {topic.name}" if topic else head, 256)


def question_embed(content: Content, step: Step) -> discord.Embed:
    question = step.question
    if question is None:
        return discord.Embed(
            title=_title(content, step),
            colour=COLOUR,
            description="This question was removed from the course. Press **Next** to continue.",
        )
    shown = step.shown()
    body = md(shown.prompt)
    if isinstance(question, MultipleChoice):
        lines = [f"**{LETTERS[i]}.** {md(shown.options[index])}" for i, index in enumerate(step.order)]
        body += "\n\n" + "\n".join(lines)
    elif isinstance(question, TrueFalse):
        body = "**True or false?**\n" + body
    elif isinstance(question, ClozeCard):
        body += "\n\n*Recall what fills the […], then press **Show answer** and rate yourself honestly.*"
    else:
        body += "\n\n*Recall the answer, then press **Show answer** and rate yourself honestly.*"
    embed = discord.Embed(title=_title(content, step), description=clip(body, EMBED_DESCRIPTION), colour=COLOUR)
    show_diagram(embed, question)
    topic = content.topics.get(question.topic)
    footer = f"Level {topic.level}" if topic else ""
    if question.difficulty:
        footer += f" · {question.difficulty}"
    if footer:
        embed.set_footer(text=footer)
    return embed


def question_view(step: Step, extra: Row | None = None) -> discord.ui.View:
    """Answer buttons, a Stop button, and optionally one ``extra`` row (e.g. Snooze / Skip today)."""
    question, sid, pos = step.question, step.session.id, step.position
    gray, blue = discord.ButtonStyle.secondary, discord.ButtonStyle.primary
    if question is None:
        return static_view([QuizButton("next", sid, pos, None, "Next", blue)], *([extra] if extra else []))
    row: Row
    if isinstance(question, MultipleChoice):
        row = [QuizButton("ans", sid, pos, index, LETTERS[i], gray) for i, index in enumerate(step.order)]
    elif isinstance(question, TrueFalse):
        row = [QuizButton("ans", sid, pos, 1, "True", gray), QuizButton("ans", sid, pos, 0, "False", gray)]
    else:
        row = [QuizButton("show", sid, pos, None, "Show answer", blue)]
    stop = QuizButton("stop", sid, pos, None, "Stop", discord.ButtonStyle.danger)
    return static_view(row, [stop, *(extra or [])])


def render_step(content: Content, step: Step, extra: Row | None = None) -> Post:
    """The message that shows ``step``'s question, with its buttons (and its diagram, sent
    once with the message; the edits that follow keep it)."""
    message: Post = {"embed": question_embed(content, step), "view": question_view(step, extra)}
    files = diagram_files(content, step.question)
    if files:
        message["files"] = files
    return message


def revealed_text(shown: Shown) -> str:
    """A cloze card's whole text, the deletion it asked for in bold."""
    return "".join(f"**{md(piece)}**" if hidden else md(piece) for piece, hidden in shown.revealed)


def flashcard_embed(content: Content, step: Step) -> discord.Embed:
    """*Show answer* on a flashcard or cloze card: the answer, then self-rating."""
    question = step.question
    assert isinstance(question, SelfRated)
    shown = step.shown()
    embed = discord.Embed(title=_title(content, step), colour=COLOUR)
    front = (
        revealed_text(shown)
        if isinstance(question, ClozeCard)
        else f"{md(shown.prompt)}\n\n**Answer:** {md(shown.answer)}"
    )
    embed.description = clip(f"{front}\n\n{md(shown.explanation)}", EMBED_DESCRIPTION)
    embed.set_footer(text="How well did you remember it?")
    return show_diagram(embed, question)


def flashcard_view(step: Step) -> discord.ui.View:
    sid, pos = step.session.id, step.position
    styles = {
        Rating.AGAIN: discord.ButtonStyle.danger,
        Rating.HARD: discord.ButtonStyle.secondary,
        Rating.GOOD: discord.ButtonStyle.primary,
        Rating.EASY: discord.ButtonStyle.success,
    }
    return static_view([QuizButton("rate", sid, pos, int(r), RATING_LABEL[r], styles[r]) for r in Rating])


def _answer_text(feedback: Feedback, shown: Shown) -> str:
    question = feedback.step.question
    if isinstance(question, MultipleChoice):
        order = feedback.step.order
        index = question.correct_index
        letter = LETTERS[order.index(index)] if index in order else ""
        return f"**{letter}. {md(shown.options[index])}**"
    if isinstance(question, TrueFalse):
        return f"**{'True' if question.answer else 'False'}**"
    return md(shown.answer)


def feedback_embed(content: Content, feedback: Feedback) -> discord.Embed:
    question = feedback.step.question
    assert question is not None
    if feedback.correct is None:
        title, colour = f"Rated {RATING_LABEL[feedback.rating]}", COLOUR
    elif feedback.correct:
        title, colour = "✅ Correct!", RIGHT
    else:
        title, colour = "❌ Not quite", WRONG
    shown = feedback.step.shown()
    prompt = revealed_text(shown) if isinstance(question, ClozeCard) else md(shown.prompt)
    parts = [prompt, "", f"Answer: {_answer_text(feedback, shown)}", "", md(shown.explanation)]
    if feedback.requeued:
        parts += ["", "🔁 You'll see this one again before the end of this session."]
    embed = discord.Embed(title=title, description=clip("\n".join(parts), EMBED_DESCRIPTION), colour=colour)
    if feedback.resource is not None:
        link = f"[{feedback.resource.title}]({feedback.resource.url})"
        embed.add_field(name="Learn more", value=clip(link, 1024), inline=False)
    embed.set_footer(text=f"{feedback.step.position + 1}/{feedback.step.total}")
    return show_diagram(embed, question)


def feedback_view(feedback: Feedback) -> discord.ui.View:
    sid, pos = feedback.step.session.id, feedback.step.position
    last = pos + 1 >= feedback.step.total
    primary: Row = [QuizButton("next", sid, pos, None, "Finish" if last else "Next", discord.ButtonStyle.primary)]
    rows = [primary]
    if feedback.correct and feedback.step.session.source != "cram":
        rows.append(
            [
                QuizButton(
                    "adj",
                    sid,
                    pos,
                    int(rating),
                    f"Felt {RATING_LABEL[rating].lower()}",
                    discord.ButtonStyle.success if rating == feedback.rating else discord.ButtonStyle.secondary,
                    disabled=rating == feedback.rating,
                )
                for rating in (Rating.HARD, Rating.GOOD, Rating.EASY)
            ]
        )
    if feedback.resource is not None:
        primary.append(link_button("Open resource", feedback.resource.url))
    if feedback.step.question is not None:
        primary.append(ReportButton(feedback.step.question.id))
    return static_view(*rows)


def summary_embed(summary: Summary) -> discord.Embed:
    if summary.answered == 0:
        text = "Session ended. Come back any time with `/quiz`."
    else:
        pct = round(100 * summary.correct / summary.answered)
        text = f"You answered **{plural(summary.answered, 'question')}** and got **{summary.correct}** right ({pct}%)."
    if summary.cram:
        text += "\nCram practice doesn't change your review schedule."
    elif summary.due_now:
        text += f"\n**{summary.due_now}** more due now — run `/quiz` to keep going."
    elif summary.next_due is not None:
        text += f"\nNext review <t:{int(summary.next_due.timestamp())}:R>."
    return discord.Embed(title="🎓 Session complete", description=text, colour=RIGHT)


async def render_summary(services: Services, step: Step) -> discord.Embed:
    """The end-of-session summary (due counts read now)."""
    async with services.read() as session:
        summary = await quiz.summary(session, step.session, services.clock.now())
    return summary_embed(summary)


async def handle_click(interaction: StudyInteraction, action: str, sid: int, pos: int, arg: int | None) -> None:
    """Acknowledge at once, then do the work and edit the message."""
    services = interaction.client.services
    await ack(interaction)
    content, now, uid = services.content, services.clock.now(), interaction.user.id
    payload: Edit = {}
    finished: Step | None = None
    async with services.unit() as session:
        if action in ("ans", "rate"):
            if action == "ans":
                feedback = await quiz.answer(session, content, sid, uid, pos, now, choice=arg)
            else:
                feedback = await quiz.answer(session, content, sid, uid, pos, now, rating=Rating(arg or 3))
            payload = {"embed": feedback_embed(content, feedback), "view": feedback_view(feedback)}
        elif action == "show":
            step = await quiz.current(session, content, sid, uid)
            if step.position != pos or step.session.answered or step.question is None:
                raise quiz.StaleInteraction("That card has already been rated.", title="Already rated")
            payload = {"embed": flashcard_embed(content, step), "view": flashcard_view(step)}
        elif action == "adj":
            await quiz.adjust(session, content, sid, uid, pos, Rating(arg or 3), now)
        elif action == "next":
            step = await quiz.advance(session, content, sid, uid, pos, now)
            finished = step if step.finished else None
            payload = {} if step.finished else as_edit(render_step(content, step))
        else:  # stop
            finished = await quiz.stop(session, content, sid, uid, now)
    if finished is not None:
        summary = await render_summary(services, finished)
        await interaction.edit_original_response(embed=summary, view=None, attachments=[])
    elif action == "adj":
        rated = RATING_LABEL[Rating(arg or 3)]
        await interaction.followup.send(f"Got it — rated **{rated}**. Your schedule is updated.", ephemeral=True)
    else:
        await interaction.edit_original_response(**payload)
