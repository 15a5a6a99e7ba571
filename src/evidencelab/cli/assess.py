"""Assessment: IHL indicators, sign-off, claims register, launch areas."""
