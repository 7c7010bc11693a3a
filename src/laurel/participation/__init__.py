"""A participant's own pages: sessions, feedback, activity and email preferences."""
