"""Study logic (progress, quiz sessions, grading). No Discord imports here."""
