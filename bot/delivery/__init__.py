"""Sending what the scheduler claimed: digest DMs and study-channel posts, over Discord.

The scheduler (no Discord) receives ``Deliverers`` built from these at start-up; the
extensions use the same senders (the welcome DM, the tally after an answer)."""
