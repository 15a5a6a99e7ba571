"""Assessment: IHL indicators with their sign-offs, the claims register, corroboration and
the munitions catalogue."""
