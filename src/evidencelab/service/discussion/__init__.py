"""Discussion: comment threads with mentions, and each user's activity feed."""
