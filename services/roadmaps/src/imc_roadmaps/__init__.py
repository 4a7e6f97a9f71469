"""IMC Hub roadmaps: objectives, milestones, indicators and progress; decides what happened."""
