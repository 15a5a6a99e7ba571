"""What the maps show besides the case's own points: the offline basemap, the context
objects around an incident, and the time zone at a place picked on a map."""
