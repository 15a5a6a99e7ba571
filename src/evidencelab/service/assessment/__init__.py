"""Assessment: IHL indicators with their sign-offs, claims evaluated over the case,
corroboration and the munitions catalogue."""
