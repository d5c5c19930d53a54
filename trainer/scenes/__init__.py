"""The trainer's screens: title, briefing, desk, debrief and history."""
